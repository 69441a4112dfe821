"""Operational endpoints."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from ops import health


@require_GET
def healthz(request):
    """The process is up and serving requests (liveness)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Whether this deployment can do its work: the database answers, its migrations are
    applied, the Redis cache answers and a Celery worker answers a ping (the last two only when
    configured). 200 when every check passes, else 503 naming the failing ones.

    ``?exclude=cache,worker`` leaves checks out (the web container's health check does: pages
    keep working without Redis). Unknown names are a 400.
    """
    excluded = frozenset(name for name in request.GET.get("exclude", "").split(",") if name)
    unknown = sorted(excluded - set(health.CHECK_NAMES))
    if unknown:
        return JsonResponse(
            {"status": "error", "unknown_checks": unknown, "checks": list(health.CHECK_NAMES)},
            status=400,
        )
    results = health.run_checks(exclude=excluded)
    failing = [name for name, result in results.items() if result.status == health.FAIL]
    body = {
        "status": "fail" if failing else "ok",
        "checks": {name: result.as_json() for name, result in results.items()},
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
