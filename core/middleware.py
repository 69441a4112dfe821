"""Request guards that run before anything touches the database, and the answer while the
database cannot be reached."""

import logging
import sys

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)


# Machine endpoints: the API and MCP (assistants/) get their errors as JSON.
JSON_PREFIXES = ("/api/", "/mcp")


def answers_json(request) -> bool:
    return request.path.startswith(JSON_PREFIXES)


class RejectNulBytesMiddleware:
    """Answer 400 to a request with a NUL byte in its path, query or cookies.

    PostgreSQL text cannot hold NUL, so such input would otherwise fail deep inside a query
    (a session lookup, a slug) as a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = None
        if "\x00" in request.path:
            bad = "path"
        else:
            for name, values in request.GET.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    bad = name.replace("\x00", "")
                    break
            else:
                if any("\x00" in k or "\x00" in v for k, v in request.COOKIES.items()):
                    bad = "cookie"
        if bad is None:
            return self.get_response(request)
        message = _("Null characters are not allowed.")
        if answers_json(request):
            return JsonResponse({bad: [message]}, status=400)
        return HttpResponseBadRequest(message)


class CompressionMiddleware(GZipMiddleware):
    """gzip pages and API answers for clients that send ``Accept-Encoding: gzip``; off with
    ``REGISTRY_COMPRESSION=0`` (a proxy in front that compresses instead).

    Django's own middleware: it skips bodies under 200 bytes and answers that already have a
    ``Content-Encoding``, adds ``Vary: Accept-Encoding``, weakens a strong ETag (a gzipped body
    is not the same bytes) and, against BREACH, pads each gzip header with 0-99 random bytes
    ("Heal the Breach", ``max_random_bytes``, Django 4.2+), so an answer's length no longer
    tells an attacker how well their guess compressed against a secret in it.

    Left uncompressed, as BREACH needs a secret in the body beside text the attacker chooses:
    answers that carry the visitor's CSRF token (forms; Django also masks the token anew in
    every answer). Also event streams, whose events gzip would hold back until a block fills.

    Place it right below WhiteNoise (static files never reach it: WhiteNoise serves their own
    precompressed copies) and above everything that reads or writes the body: the response
    cache below stores plain bodies, so one entry serves both encodings and each answer is
    compressed on its way out.
    """

    def __init__(self, get_response):
        if not settings.REGISTRY_COMPRESSION:
            raise MiddlewareNotUsed
        super().__init__(get_response)

    def process_response(self, request, response):
        if response.status_code == 304:
            # A 304 carries the Vary its 200 would have (RFC 9110, 15.4.5).
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        if _carries_csrf_token(request, response) or response.get("Content-Type", "").startswith(
            "text/event-stream"
        ):
            return response
        return super().process_response(request, response)


def _carries_csrf_token(request, response) -> bool:
    """Whether the answer has the visitor's CSRF token in it. Rendering one (``get_token``)
    makes CsrfViewMiddleware set the cookie on the way out, the flag being cleared then."""
    return settings.CSRF_COOKIE_NAME in response.cookies or request.META.get(
        "CSRF_COOKIE_NEEDS_UPDATE", False
    )


class PublicReadMiddleware:
    """With ``REGISTRY_PUBLIC_READ`` off, the public pages ask anonymous visitors to sign in
    (the API answers 401/403 by its own permission class; the admin has its own login)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_prefixes = (
            "/api/",
            # The MCP endpoint answers 401/403 by the API's permission class, like the API.
            "/mcp",
            "/static/",
            "/robots.txt",
            "/favicon.ico",
            "/healthz",
            "/readyz",
            "/i18n/",
            # Atom feeds of the company's own layer: feed readers send a token, not a session;
            # the feed answers 404 to anyone not allowed (adoption/feeds.py).
            "/our/feeds/",
            # Signing in: the admin's form and single sign-on.
            "/oidc/",
            "/admin/",
            *(f"/{code}/admin/" for code, _name in settings.LANGUAGES),
        )

    def __call__(self, request):
        if (
            not settings.REGISTRY_PUBLIC_READ
            and not request.path.startswith(self.open_prefixes)
            and not request.user.is_authenticated
        ):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


# Errors of a database that cannot be reached or dropped the connection (a restart, a network
# cut); Django raises them for PostgreSQL's own "try again" errors too.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE_MESSAGE = gettext_lazy(
    "The registry's database cannot be reached right now. Please try again in a moment."
)
_DATABASE_ERROR_ATTRIBUTE = "_registry_database_unavailable"


def _note_database_error(sender, request=None, **kwargs):
    """Mark a request whose unhandled exception was a database outage (the exception is being
    handled while Django sends ``got_request_exception``)."""
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE_ERRORS):
        setattr(request, _DATABASE_ERROR_ATTRIBUTE, True)


class DatabaseUnavailableMiddleware:
    """Answer 503 with ``Retry-After`` while PostgreSQL cannot be reached: JSON ``{"detail"}``
    under /api/, the standalone templates/503.html elsewhere. Never a hang (the connection has
    a connect timeout) nor a 500 traceback; the next request after the database is back
    reconnects by itself (connection health checks).

    A view's error comes through ``process_exception``. An error raised in a middleware below
    this one (the public-read check loads the session user; the response cache above lets a
    failed generation read through to here) has already been turned into a 500 response when
    it gets here, so the exception is noted on the request by a ``got_request_exception``
    receiver and the 500 is replaced. Place it below the middleware that add security
    headers, so the 503 gets them.
    """

    retry_after_seconds = 30

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(
            _note_database_error, weak=False, dispatch_uid="registry-database-unavailable"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _DATABASE_ERROR_ATTRIBUTE, False):
            return self._unavailable(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            logger.warning("Database unavailable: %s %s", request.method, request.path, exc_info=1)
            return self._unavailable(request)
        return None

    def _unavailable(self, request):
        message = str(DATABASE_UNAVAILABLE_MESSAGE)
        if answers_json(request):
            response = JsonResponse({"detail": message}, status=503)
        else:
            try:
                # No request: context processors would touch the session and so the database.
                body = loader.render_to_string("503.html")
            except Exception:  # a broken page must not hide the outage behind a 500
                logger.exception("The 503 page could not be rendered")
                response = HttpResponse(message, status=503, content_type="text/plain")
            else:
                response = HttpResponse(body, status=503)
        response["Retry-After"] = str(self.retry_after_seconds)
        response["Cache-Control"] = "no-store"
        return response


REQUEST_TOO_LARGE = gettext_lazy(
    "The request body is %(size)s MB; at most %(limit)s MB is accepted."
)


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, before
    anything reads it: JSON ``{"detail"}`` under /api/, a plain-text line elsewhere.

    Django checks the limit only where ``request.body`` or ``request.POST`` is read, and then
    answers a bare 400; the API's parsers read the stream itself, with no limit at all. A body
    without ``Content-Length`` is not read by Django (WSGI gives it no length).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:  # Django reads a malformed length as an empty body
            length = 0
        if limit is None or length <= limit:
            return self.get_response(request)
        # Before LocaleMiddleware: the visitor's language from the URL prefix or the browser.
        language = translation.get_language_from_path(
            request.path_info
        ) or translation.get_language_from_request(request)
        with translation.override(language):
            message = str(REQUEST_TOO_LARGE) % {
                "size": f"{length / 1024 / 1024:.1f}",
                "limit": f"{limit / 1024 / 1024:.1f}",
            }
        if answers_json(request):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
