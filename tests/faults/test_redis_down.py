"""Redis stopped (killed) under the app: public pages, API reads, admin login and admin saves
keep working; a save that enqueues the recommendation recompute returns in bounded time and
leaves its run recorded as queued; once Redis is back the nightly recompute covers the edit,
new saves reach the queue again and pages are cached again. Redis hung (accepting connections,
never answering): every request still answers; the first Redis call gives up after the client
timeout and the cache answers from local memory for a few seconds (circuit breaker,
core/cache_backends.py), so later requests do not wait at all.

Redis here is a private server on a free port (the shared one is never stopped), used the way
production uses it: the page cache and throttle counters in database 1, the Celery queue in
database 0, with the production client timeouts and the production cache backend.
"""

import time

import pytest
import redis
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.models import ModelVariant
from core.cache_backends import FailoverRedisCache
from hardware.models import Recommendation, RecomputeRun
from hardware.tasks import recompute_recommendations
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

# A refused connection fails at once; one publish retry and its pause stay well below this.
ENQUEUE_BOUND_SECONDS = 3.0
# Slack for a loaded machine on top of the waits the settings allow a hung Redis.
MARGIN_SECONDS = 1.5
PASSWORD = "a-long-test-password"
# Short in these tests, so that the recovery does not take long to watch.
CIRCUIT_OPEN_SECONDS = 1.0


@pytest.fixture
def redis_backed(settings, private_redis, celery_on):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.FailoverRedisCache",
            "LOCATION": private_redis.url(1),
            "KEY_PREFIX": "llmregistry",
            "OPTIONS": settings.REDIS_CLIENT_OPTIONS,
            "CIRCUIT_OPEN_SECONDS": CIRCUIT_OPEN_SECONDS,
        }
    }
    settings.REGISTRY_PAGE_CACHE_SECONDS = 300
    return private_redis


def _variant_urls(variant: ModelVariant) -> list[str]:
    version = variant.version
    key = f"{version.family.slug}/{version.slug}/{variant.slug}"
    return [
        reverse("catalog:variant_list"),
        reverse(
            "catalog:variant_detail",
            kwargs={
                "family": version.family.slug,
                "version": version.slug,
                "variant": variant.slug,
            },
        ),
        reverse("variant-list"),
        reverse("variant-detail", args=[key]),
    ]


def _change_form_data(response) -> dict:
    """The POST an unchanged admin change form sends: the main form and every inline formset
    (management forms included), as the browser would."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def _save_variant(client, variant: ModelVariant, description: str):
    url = reverse("admin:catalog_modelvariant_change", args=[variant.pk])
    data = _change_form_data(client.get(url))
    data["description"] = description
    started = time.monotonic()
    response = client.post(url, data)
    return response, time.monotonic() - started


def test_reads_logins_and_saves_keep_working_while_redis_is_down(client, redis_backed):
    variant = factories.VariantFactory()
    get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)
    assert client.get(reverse("catalog:variant_list"))["X-Page-Cache"] == "miss"

    redis_backed.kill()

    for url in _variant_urls(variant):
        response = client.get(url)
        assert response.status_code == 200, url
        # The list was served before Redis went: this process kept its own copy. The others
        # are rendered, then cached in this process's memory meanwhile.
        seen = url == reverse("catalog:variant_list")
        assert response["X-Page-Cache"] == ("hit" if seen else "miss"), url
        assert client.get(url)["X-Page-Cache"] == "hit", url

    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"

    response, seconds = _save_variant(client, variant, "Edited while Redis was down.")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert seconds < ENQUEUE_BOUND_SECONDS
    variant.refresh_from_db()
    assert variant.description == "Edited while Redis was down."
    # The work the save needed is recorded, waiting for a worker or the nightly run.
    run = RecomputeRun.objects.latest("created_at")
    assert (run.status, run.scope) == (RecomputeRun.Status.QUEUED, str(variant.pk))
    assert not Recommendation.objects.filter(variant=variant).exists()

    redis_backed.start()

    # The nightly safety net (the beat schedule's task) recomputes everything, this edit too.
    recompute_recommendations.apply()
    assert Recommendation.objects.filter(variant=variant).exists()
    assert RecomputeRun.objects.latest("created_at").status == RecomputeRun.Status.SUCCEEDED

    # New saves reach the queue again (the pooled connection Redis dropped is replaced) ...
    queue = redis.Redis.from_url(redis_backed.url(0))
    response, seconds = _save_variant(client, variant, "Edited after Redis came back.")
    assert response.status_code == 302
    assert queue.llen("celery") == 1
    # ... and anonymous pages are cached in Redis again (once the circuit closes).
    client.logout()
    time.sleep(CIRCUIT_OPEN_SECONDS)
    client.get(reverse("catalog:variant_list"))
    assert client.get(reverse("catalog:variant_list"))["X-Page-Cache"] == "hit"
    assert redis.Redis.from_url(redis_backed.url(1)).keys("llmregistry:*response:*")


def test_a_hung_redis_costs_a_request_a_bounded_wait_not_a_hang(client, redis_backed, settings):
    timeout = settings.REDIS_SOCKET_TIMEOUT_SECONDS
    publish_retry = settings.CELERY_TASK_PUBLISH_RETRY_POLICY
    variant = factories.VariantFactory()
    editor = get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)
    page = reverse("catalog:variant_list")
    client.get(page)

    redis_backed.freeze()

    # The response cache's read times out once; its store goes to local memory.
    started = time.monotonic()
    response = client.get(page)
    assert response.status_code == 200
    assert time.monotonic() - started < timeout + MARGIN_SECONDS
    # The circuit is open: the next request does not wait for Redis at all.
    started = time.monotonic()
    assert client.get(page)["X-Page-Cache"] == "hit"
    assert time.monotonic() - started < MARGIN_SECONDS

    client.force_login(editor)
    response, seconds = _save_variant(client, variant, "Edited while Redis hung.")
    assert response.status_code == 302
    attempts = publish_retry["max_retries"] + 1
    assert seconds < attempts * timeout + publish_retry["interval_max"] + MARGIN_SECONDS
    run = RecomputeRun.objects.latest("created_at")
    assert (run.status, run.scope) == (RecomputeRun.Status.QUEUED, str(variant.pk))


# --- The cache backend alone ------------------------------------------------------------------


def _backend(server, *, timeout_seconds: float = 1.0) -> FailoverRedisCache:
    return FailoverRedisCache(
        server.url(1),
        {
            "KEY_PREFIX": "failover-test",
            "OPTIONS": {
                "socket_connect_timeout": timeout_seconds,
                "socket_timeout": timeout_seconds,
            },
            "CIRCUIT_OPEN_SECONDS": CIRCUIT_OPEN_SECONDS,
        },
    )


@pytest.mark.django_db(transaction=False)
def test_the_cache_answers_from_local_memory_while_redis_is_down_and_returns_to_it(
    private_redis,
):
    cache = _backend(private_redis)
    cache.set("before", 1)
    assert cache.get("before") == 1
    assert cache.using_redis

    private_redis.kill()

    started = time.monotonic()
    cache.set("during", 2)
    assert cache.get("during") == 2
    assert cache.add("counter", 0)
    assert cache.incr("counter") == 1
    assert cache.get("before") is None  # Redis's copy is out of reach
    assert not cache.using_redis
    assert time.monotonic() - started < MARGIN_SECONDS

    private_redis.start()
    time.sleep(CIRCUIT_OPEN_SECONDS)

    cache.set("after", 3)
    assert cache.using_redis
    assert cache.get("after") == 3
    assert redis.Redis.from_url(private_redis.url(1)).get(cache.make_key("after")) is not None


@pytest.mark.django_db(transaction=False)
def test_a_hung_redis_costs_one_timeout_per_circuit_period_not_one_per_call(private_redis):
    timeout_seconds = 1.0
    cache = _backend(private_redis, timeout_seconds=timeout_seconds)
    cache.set("warm", 1)  # a pooled connection, as in a running server

    private_redis.freeze()
    try:
        started = time.monotonic()
        for number in range(50):
            cache.set(f"key-{number}", number)
            assert cache.get(f"key-{number}") == number
        elapsed = time.monotonic() - started
        assert timeout_seconds <= elapsed < timeout_seconds + MARGIN_SECONDS
    finally:
        private_redis.thaw()
