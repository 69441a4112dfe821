"""A cache of whole responses, keyed by the catalog generation; their ETags come from it too.

What is cached (GET, stored from a 200 answer without cookies, ``private`` or ``no-store``;
served to GET and HEAD):

- public HTML pages, for anonymous visitors only (a signed-in visitor's page names them and
  carries their CSRF token; a page with a form token is never stored);
- API reads in JSON and CSV (lists, details, lineage, export, schema), for anonymous callers
  and for signed-in or token callers alike. The browsable API (HTML from /api/) never is.

The key is the catalog generation (``core/generation.py``: every committed write bumps
it, so a save is visible on the very next request and nothing stale is served), the audience,
the scheme and host, the language, for the API the ``Accept`` header, for pages whether htmx
asked for a fragment, the path, and the query with its parameters sorted by name (the values
of one name keep their order; blank values are kept as sent).

The audience is what the caller may see: ``public`` (anonymous, or signed in without a view
permission on the catalog), or the set of catalog view permissions the caller holds (drafts
are visible exactly to those: ``catalog.selectors.visible``). Entries are never shared between
audiences.

Each cacheable answer carries ``ETag: W/"<generation>-<key digest>"`` and ``Cache-Control:
no-cache`` (``private, no-cache`` when the caller sent credentials): clients revalidate every
time, and a matching ``If-None-Match`` is answered 304 from the key alone, before the cache is
read. ``X-Page-Cache`` says ``hit`` or ``miss``.

Hits skip everything below this middleware: URL resolution, the view, DRF's authentication
of sessions, permissions and throttling (hits are not counted against the anonymous rate).
The cache failing (Redis down) only means rendering every time.
"""

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import parse_etags
from rest_framework.exceptions import AuthenticationFailed

from core.authentication import HashedTokenAuthentication
from core.generation import CATALOG_APPS, current_generation

logger = logging.getLogger(__name__)

HEADER = "X-Page-Cache"
# Never cached: per-user or per-visit answers, static files, probes, signing in.
EXCLUDED_PREFIXES = ("/admin/", "/static/", "/i18n/", "/healthz", "/readyz", "/oidc/")
API_PREFIX = "/api/"
# Catalog view permissions decide which records a caller sees (drafts or not).
VIEW_PERMISSION_PREFIXES = tuple(f"{app}.view_" for app in CATALOG_APPS)
# Headers set per answer here, never stored.
PER_ANSWER_HEADERS = frozenset({"etag", "cache-control", HEADER.lower()})


def generation_etag(generation: int, digest: str) -> str:
    return f'W/"{generation}-{digest[:16]}"'


def etag_generation(etag: str) -> int | None:
    """The generation a response-cache ETag was made at; None for any other ETag."""
    value = etag.strip().removeprefix("W/")
    if not (value.startswith('"') and value.endswith('"')):
        return None
    generation, _, digest = value[1:-1].partition("-")
    if not generation.isdigit() or len(digest) != 16:
        return None
    return int(generation)


class LocalResponses:
    """The answers this process served or stored last, in front of the shared cache, up to
    ``max_bytes`` of bodies (least recently used first out).

    A key holds the catalog generation, so what it maps to never changes: a process may keep
    its own copy without any invalidation, and a hit then costs the generation read alone
    (no round trip to Redis, nothing to unpickle).
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple | None:
        with self.lock:
            stored = self.entries.get(key)
            if stored is not None:
                self.entries.move_to_end(key)
            return stored

    def put(self, key: str, stored: tuple) -> None:
        size = len(stored[2])
        if size > self.max_bytes:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = stored
            self.size += size
            while self.size > self.max_bytes:
                _key, oldest = self.entries.popitem(last=False)
                self.size -= len(oldest[2])


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    etag: str
    cache_control: str
    is_api: bool


class ResponseCacheMiddleware:
    """Serve and store cacheable responses (see the module's docstring).

    Place it right after ``AuthenticationMiddleware`` (it needs the session's user and the
    language) and before everything a hit need not run. It reads the generation itself, so a
    database outage there is let through to ``DatabaseUnavailableMiddleware`` below.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.excluded = EXCLUDED_PREFIXES + tuple(
            f"/{code}/admin/" for code, _name in settings.LANGUAGES
        )
        self.token_authentication = HashedTokenAuthentication()
        self.local = LocalResponses(settings.REGISTRY_RESPONSE_CACHE_LOCAL_MB * 2**20)

    def __call__(self, request):
        timeout = settings.REGISTRY_PAGE_CACHE_SECONDS
        if (
            not timeout
            or request.method not in ("GET", "HEAD")
            or request.path.startswith(self.excluded)
        ):
            return self.get_response(request)
        try:
            entry = self._entry(request)
        except DatabaseError:  # the view answers, or DatabaseUnavailableMiddleware does
            logger.warning("response cache: database unavailable", exc_info=True)
            return self.get_response(request)
        if entry is None:
            return self.get_response(request)
        if self._not_modified(request, entry):
            response = HttpResponseNotModified()
            self._decorate(response, entry, None)
            if entry.is_api:
                response["Vary"] = "Accept"
            return response
        cache = caches["default"]
        stored = self.local.get(entry.key)
        if stored is None:
            try:
                stored = cache.get(entry.key)
            except Exception:  # the cache is an optimisation: never fail a request for it
                logger.warning("response cache unavailable", exc_info=True)
                return self.get_response(request)
            if stored is not None:
                self.local.put(entry.key, stored)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            self._decorate(response, entry, "hit")
            return response
        response = self.get_response(request)
        if request.method == "GET" and self._storable(request, response, entry):
            headers = {
                name: value
                for name, value in response.items()
                if name.lower() not in PER_ANSWER_HEADERS
            }
            stored = (response.status_code, headers, response.content)
            self.local.put(entry.key, stored)
            try:
                cache.set(entry.key, stored, timeout)
            except Exception:
                logger.warning("response cache unavailable", exc_info=True)
            self._decorate(response, entry, "miss")
        return response

    def _entry(self, request) -> Entry | None:
        """The cache entry this request maps to; None when it must not be cached."""
        is_api = request.path.startswith(API_PREFIX)
        if is_api:
            if "format" not in request.GET and "text/html" in request.headers.get("Accept", ""):
                return None  # the browsable API: per user, never cached
            try:
                authenticated = self.token_authentication.authenticate(request)
            except AuthenticationFailed:
                return None  # DRF answers 401
            user = authenticated[0] if authenticated else request.user
        else:
            user = request.user
            if user.is_authenticated:
                return None
        signed_in = user.is_authenticated
        if not signed_in and not settings.REGISTRY_PUBLIC_READ:
            return None  # the sign-in redirect or the API's 401, every time
        audience = _audience(user) if signed_in else "public"
        if is_api:
            variant = ",".join(request.headers.get("Accept", "*/*").lower().split()) or "*/*"
        elif (
            request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true"
        ):
            variant = "fragment"  # as django-htmx reads them
        else:
            variant = "page"
        generation = current_generation()
        address = "\n".join(
            (
                audience,
                request.scheme,
                request.get_host(),
                getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
                variant,
                request.path,
                _normalised_query(request),
            )
        )
        digest = hashlib.sha256(address.encode()).hexdigest()
        return Entry(
            key=f"response:{generation}:{digest}",
            etag=generation_etag(generation, digest),
            cache_control="private, no-cache" if _sent_credentials(request) else "no-cache",
            is_api=is_api,
        )

    @staticmethod
    def _not_modified(request, entry: Entry) -> bool:
        header = request.headers.get("If-None-Match")
        if not header:
            return False
        ours = entry.etag.removeprefix("W/")
        return any(tag.removeprefix("W/") == ours for tag in parse_etags(header))

    @staticmethod
    def _decorate(response, entry: Entry, marker: str | None) -> None:
        response["ETag"] = entry.etag
        response["Cache-Control"] = entry.cache_control
        if marker:
            response[HEADER] = marker

    @staticmethod
    def _storable(request, response, entry: Entry) -> bool:
        is_html = response.get("Content-Type", "").startswith("text/html")
        cache_control = response.get("Cache-Control", "")
        session = getattr(request, "session", None)
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            # Pages are HTML; from the API, JSON and CSV, never the browsable API's HTML.
            and (not is_html if entry.is_api else is_html)
            # A page with a form carries this visitor's CSRF token.
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.META.get("CSRF_COOKIE_USED")
            and not (session is not None and session.modified)
            and "private" not in cache_control
            and "no-store" not in cache_control
        )


def _audience(user) -> str:
    """``public`` for a user who sees what anonymous visitors see, else a name for the set of
    catalog view permissions they hold (two queries, none for a superuser's own check)."""
    if user.is_superuser and user.is_active:
        return "superuser"
    held = sorted(
        permission
        for permission in user.get_all_permissions()
        if permission.startswith(VIEW_PERMISSION_PREFIXES)
    )
    if not held:
        return "public"
    return "view:" + hashlib.sha256(",".join(held).encode()).hexdigest()[:16]


def _sent_credentials(request) -> bool:
    return bool(
        request.META.get("HTTP_AUTHORIZATION") or settings.SESSION_COOKIE_NAME in request.COOKIES
    )


def _normalised_query(request) -> str:
    """The query with parameters sorted by name; a name's values keep their order, blank
    values stay. ``?a=1&b=2`` and ``?b=2&a=1`` are one entry."""
    if not request.META.get("QUERY_STRING"):
        return ""
    pairs = sorted(request.GET.lists(), key=lambda pair: pair[0])
    return urlencode([(name, value) for name, values in pairs for value in values])
