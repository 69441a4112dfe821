"""The base of every curated resource's viewset."""

import hashlib

import pghistory
from django.http import HttpResponse
from django.utils.cache import parse_etags, quote_etag
from django.utils.translation import gettext as _
from drf_orjson_renderer.renderers import ORJSONRenderer
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from core.api.readplan import PlannedReadMixin
from core.api.renderers import ListCSVRenderer
from core.curated_writes import curated_writes
from core.generation import current_generation
from core.response_cache import etag_generation


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record changed since you read it (If-Match does not match).")
    default_code = "precondition_failed"


def representation_etag(data) -> str:
    """The ETag a GET of ``data`` carries (ConditionalGetMiddleware: MD5 of the JSON body)."""
    body = ORJSONRenderer().render(data)
    return quote_etag(hashlib.md5(body, usedforsecurity=False).hexdigest())


class CuratedViewSet(PlannedReadMixin, viewsets.ModelViewSet):
    """List, detail and (for editors) writes of a curated resource.

    ``list_selector``/``detail_selector`` build the queryset (joins live in selectors);
    writes go through the services via the serializers; deletes of referenced records answer
    409; a stale ``If-Match`` answers 412; writes are in the history with the acting user.
    """

    lookup_field = "slug"
    list_selector = None
    detail_selector = None
    detail_serializer_class = None
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_renderers(self):
        renderers = [r() for r in api_settings.DEFAULT_RENDERER_CLASSES]
        if self.action != "list":
            renderers = [r for r in renderers if not isinstance(r, ListCSVRenderer)]
        return renderers

    def get_queryset(self):
        selector = self.list_selector if self.action == "list" else self.detail_selector
        return selector(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class:
            return self.detail_serializer_class
        return self.serializer_class

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.user.is_authenticated:
            # Token-authenticated users are only known here, after the middleware ran.
            pghistory.context(user=request.user.pk, url=request.path)

    def _check_if_match(self, instance) -> None:
        """Accept the ETag of a cached GET (``W/"<generation>-…"``, core/
        response_cache.py) while no committed write moved the catalog generation since, or
        the ETag of the record's current JSON (the uncached GET's); else 412."""
        expected = self.request.headers.get("If-Match")
        if not expected or expected.strip() == "*":
            return
        tags = set(parse_etags(expected))
        generations = {etag_generation(tag) for tag in tags} - {None}
        if generations and current_generation() in generations:
            return
        serializer_class = self.detail_serializer_class or self.serializer_class
        current = representation_etag(
            serializer_class(instance, context=self.get_serializer_context()).data
        )
        # Compression weakens the GET's ETag (W/"…"): it still names this very JSON.
        if current not in {tag.removeprefix("W/") for tag in tags}:
            raise PreconditionFailed

    def perform_update(self, serializer):
        self._check_if_match(serializer.instance)
        serializer.save()

    def perform_destroy(self, instance):
        self._check_if_match(instance)
        curated_writes().delete(record=instance)


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI (its page and its script) from the installed sidecar package."""

    def options(self, request, *args, **kwargs):
        # DRF's OPTIONS describes the view in its negotiated format, here an HTML template
        # that needs a template name only GET gives: every OPTIONS was a 500. The page has
        # nothing to describe: say which methods it takes, as Django's own views do.
        response = HttpResponse()
        response.headers["Allow"] = ", ".join(self.allowed_methods)
        response.headers["Content-Length"] = "0"
        return response
