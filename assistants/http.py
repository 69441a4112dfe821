"""``/mcp/``: the MCP server over Streamable HTTP, inside the registry's WSGI app.

The endpoint is stateless and answers JSON (no server-sent event stream): each POST carries one
JSON-RPC message and gets its answer, so a synchronous worker serves it like any API request.
The view is a DRF view, so MCP has the API's access rules: its authentication (a token, or the
session with its CSRF check), its permission (anonymous callers only while public read is on)
and its anonymous rate limit. The SDK's ASGI handler runs per request in an event loop of its
own (``async_to_sync``); the tools come back to this thread for the database
(assistants/server.py).
"""

import json
from urllib.parse import urlsplit

import anyio
from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp_types import INTERNAL_ERROR, INVALID_REQUEST
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.views import APIView

from assistants.common import acting_as
from assistants.server import registry_server
from core.api.permissions import PublicReadComputation

# A tool call is a few hundred bytes; a pasted config.json is the largest argument (the
# estimator's page accepts 256 KB of it).
MAX_BODY_BYTES = 512 * 1024
TOO_LARGE = _("The message is larger than %(limit)s KB.")
NOT_ACCEPTABLE = _(
    "Not acceptable: this endpoint answers JSON (send Accept: application/json, "
    "text/event-stream) and holds no event stream, so it does not serve subscriptions/listen."
)
REFUSED = _("The MCP server refused the request.")
NO_ANSWER = _("The MCP server gave no answer to this request.")
FOREIGN_ORIGIN = _("Requests from another site's pages are refused (Origin: %(origin)s).")


class MessageTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"

    def __init__(self):
        super().__init__(TOO_LARGE % {"limit": MAX_BODY_BYTES // 1024})


class JSONOnly(BaseContentNegotiation):
    """Errors of the view itself are JSON whatever the client accepts (an SSE-only GET gets
    its 405, not a 406); the SDK sets the MCP answers' own content type."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RawBodyParser(BaseParser):
    """Leaves the body to the SDK, which parses and validates JSON-RPC itself."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return None


def _allowed_origin(request) -> bool:
    """No Origin (an assistant, a command-line client), this host's own, or a trusted one: the
    MCP specification's guard against DNS rebinding, on top of ALLOWED_HOSTS."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin)
    return parts.netloc == request.get_host() and parts.scheme == request.scheme


async def _serve(scope: dict, body: bytes) -> tuple[int, list, bytes]:
    manager = StreamableHTTPSessionManager(
        app=registry_server._lowlevel_server,
        json_response=True,
        stateless=True,
        max_request_body_size=MAX_BODY_BYTES,
    )
    answer = {"status": None, "headers": [], "body": []}
    delivered = False
    answered = anyio.Event()

    async def receive():
        # The body, then (as a server sees it) a client that stays until its answer is
        # complete. A disconnect at once cancelled the SDK's streamed paths before they
        # answered (subscriptions/listen came back as a 500 with no body).
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body":
            answer["body"].append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    async with manager.run():
        await manager.handle_request(scope, receive, send)
    return answer["status"], answer["headers"], b"".join(answer["body"])


def _request_id(body: bytes) -> str | int | None:
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        return None
    request_id = message.get("id") if isinstance(message, dict) else None
    return request_id if isinstance(request_id, str | int) else None


def _json_rpc_error(status: int | None, headers: list, content: bytes, body: bytes):
    """A refusal the SDK left without a JSON body (its 406 has none, its transport checks
    answer plain text), or no answer at all, as a JSON-RPC error: a client always gets a
    message it can parse and show. ``None`` when the SDK's answer is fine as it is."""
    content_type = dict(headers).get(b"content-type", b"").decode("latin-1")
    if status is not None and (status < 400 or content_type.startswith("application/json")):
        return None
    if status == 406:
        code, message = INVALID_REQUEST, str(NOT_ACCEPTABLE)
    elif status is not None and status < 500:
        code, message = INVALID_REQUEST, content.decode("utf-8", "replace") or str(REFUSED)
    else:
        status, code, message = 500, INTERNAL_ERROR, str(NO_ANSWER)
    error = {"jsonrpc": "2.0", "id": _request_id(body), "error": {"code": code, "message": message}}
    return JsonResponse(error, status=status)


class MCPView(APIView):
    """The MCP endpoint (Streamable HTTP, stateless, JSON answers). POST only: there is no
    stream to open with GET (405, as the transport allows) and no session to DELETE."""

    permission_classes = [PublicReadComputation]
    parser_classes = [RawBodyParser]
    content_negotiation_class = JSONOnly
    http_method_names = ["post", "options"]

    @extend_schema(exclude=True)  # JSON-RPC, described by docs/mcp.md, not by OpenAPI
    def post(self, request):
        if not _allowed_origin(request):
            raise exceptions.PermissionDenied(
                FOREIGN_ORIGIN % {"origin": request.headers.get("Origin")}
            )
        body = request.body
        if len(body) > MAX_BODY_BYTES:
            raise MessageTooLarge
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": request.scheme,
            "path": request.path,
            "raw_path": request.path.encode(),
            "root_path": "",
            "query_string": request.META.get("QUERY_STRING", "").encode("latin-1"),
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in request.headers.items()
            ],
            "server": (request.get_host(), int(request.get_port())),
            "client": (request.META.get("REMOTE_ADDR", ""), 0),
        }
        # Unprefixed paths are English for LocaleMiddleware (the pages' default language); an
        # assistant says what its user reads with Accept-Language.
        language = translation.get_language_from_request(request)
        with (
            translation.override(language),
            acting_as(request.user, base_url=request.build_absolute_uri("/")),
        ):
            status, headers, content = async_to_sync(_serve)(scope, body)
            refusal = _json_rpc_error(status, headers, content, body)
        if refusal is not None:
            return refusal
        response = HttpResponse(content, status=status)
        for name, value in headers:
            if name.lower() not in (b"content-length",):
                response[name.decode("latin-1")] = value.decode("latin-1")
        return response
