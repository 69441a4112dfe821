"""The files every site is asked for at its root: /robots.txt and /favicon.ico."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# Crawlers read robots.txt again about daily; an operator's change needs a restart anyway.
ROBOTS_MAX_AGE_SECONDS = 86400
# Never crawled, even when the pages may be: signing in, the admin, machine endpoints.
ROBOTS_DISALLOWED_PREFIXES = ("/admin/", "/oidc/", "/i18n/", "/api/", "/mcp")


def robots_lines(*, allow_pages: bool) -> list[str]:
    """robots.txt as lines: everything disallowed, or the pages allowed and the admin (in
    every language), sign-in, API and MCP endpoints disallowed."""
    if not allow_pages:
        return ["User-agent: *", "Disallow: /"]
    admin_prefixes = [
        f"/{code}/admin/" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    ]
    return [
        "User-agent: *",
        *(f"Disallow: {prefix}" for prefix in (*ROBOTS_DISALLOWED_PREFIXES, *admin_prefixes)),
    ]


@require_safe
@cache_control(max_age=ROBOTS_MAX_AGE_SECONDS)
def robots_txt(request):
    """Keeps crawlers out unless ``REGISTRY_ROBOTS_ALLOW`` is on (an intranet registry)."""
    lines = robots_lines(allow_pages=settings.REGISTRY_ROBOTS_ALLOW)
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=ROBOTS_MAX_AGE_SECONDS)
def favicon(request):
    """Browsers and tools ask /favicon.ico whatever the page's <link rel="icon"> says: send them
    to the site's icon (a temporary redirect: the static file's hashed name changes)."""
    return HttpResponseRedirect(static("img/favicon.svg"))
