"""A cache of whole public HTML pages, keyed by the catalog generation.

Anonymous GETs of public pages are stored after rendering under a key made of the catalog
generation (``llmregistry/generation.py``), the language, whether htmx asked for a fragment,
and the path with its query. Any committed write to the catalog bumps the generation, so the
next request renders afresh and a save is visible at once; nothing needs deleting. The cache
failing (Redis down) only means rendering every time.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches

from llmregistry.generation import current_generation

logger = logging.getLogger(__name__)

# Paths that are not public pages: the admin (per-user), the API (issue of its own), static.
EXCLUDED_PREFIXES = ("/admin/", "/api/", "/static/", "/i18n/", "/healthz", "/readyz")


class PageCacheMiddleware:
    """Serve and store anonymous public pages (place after authentication and CSRF, inside the
    Content Security Policy and conditional-GET middleware, which then apply to cached pages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.REGISTRY_PAGE_CACHE_SECONDS
        if not timeout or not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        cache = caches["default"]
        try:
            cached = cache.get(key)
        except Exception:  # the cache is an optimisation: never fail a page for it
            logger.warning("page cache unavailable", exc_info=True)
            return self.get_response(request)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if self._cacheable_response(request, response):
            try:
                cache.set(key, response, timeout)
            except Exception:
                logger.warning("page cache unavailable", exc_info=True)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable_request(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(EXCLUDED_PREFIXES)
            and not request.user.is_authenticated
        )

    @staticmethod
    def _cacheable_response(request, response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not response.cookies
            # A page with a form carries this visitor's CSRF token.
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.META.get("CSRF_COOKIE_USED")
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )

    @staticmethod
    def _key(request) -> str:
        fragment = "fragment" if request.headers.get("HX-Request") else "page"
        if request.headers.get("HX-History-Restore-Request"):
            fragment = "page"
        address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        return f"page:{current_generation()}:{language}:{fragment}:{address}"
