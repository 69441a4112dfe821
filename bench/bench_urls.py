"""The bench urlconf: two reference views per request of bench/read_bench.py in front of the
real urls, served by the same gunicorn, settings and middleware as the application.

- ``/bench/floor/<name>/``: the bytes our server answered for that request, read once from
  ``$BENCH_FLOOR_DIR/<name>`` (the framework's floor: routing and middleware, no work).
- ``/bench/handwritten/...``: the same page built by hand, ``.values()`` and orjson, the same
  filters, ordering and page; the columns of the API's list, flat instead of nested.
"""

import os
from pathlib import Path

import orjson
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.urls import path

from catalog.effective import effective_context_expression
from catalog.filters import variant_search_matches
from catalog.ingest.parse.common import ARCHITECTURE_FIELDS
from catalog.models import ModelVariant
from llmregistry import urls as registry_urls

PAGE_SIZE = 50
CONTENT_TYPES = {".json": "application/json", ".html": "text/html; charset=utf-8"}
_FLOOR: dict[str, bytes] = {}

# The list's columns (VariantSerializer's fields), each join spelled out once.
LIST_COLUMNS = (
    "slug",
    "name",
    "kind",
    "release_date",
    "total_parameters",
    "active_parameters",
    "hf_repo_id",
    "modelscope_repo_id",
    "description",
    "description_zh",
    *ARCHITECTURE_FIELDS,
    "version__slug",
    "version__name",
    "version__name_zh",
    "version__release_date",
    "version__family__slug",
    "version__family__name",
    "version__family__name_zh",
    "version__family__organization__slug",
    "version__family__organization__name",
    "version__family__organization__name_zh",
    "version__family__organization__country",
    "license__slug",
)
EFFECTIVE_LICENSE = ("slug", "name", "spdx_id", "kind", "commercial_use", "mau_threshold")
# The API's default order (ModelVariant.Meta.ordering, the version's own ordering expanded).
ORDERING = (
    "version__family__name",
    "version__family_id",
    "version__release_date",
    "version__slug",
    "version_id",
    "total_parameters",
    "slug",
    "pk",
)


def _visible():
    return ModelVariant.objects.filter(
        status="published", version__status="published", version__family__status="published"
    )


def _rows(queryset, start: int = 0, stop: int = PAGE_SIZE, extra=()) -> list[dict]:
    """Rows ``start:stop`` of ``queryset`` in the API's order, with the list's columns."""
    return list(
        queryset.annotate(
            context_tokens=effective_context_expression(),
            effective_release_date=Coalesce("release_date", "version__release_date"),
            **{
                f"effective_license_{name}": Coalesce(
                    f"license__{name}", f"version__license__{name}"
                )
                for name in EFFECTIVE_LICENSE
            },
        )
        .order_by(*ORDERING)
        .values(
            *LIST_COLUMNS,
            "context_tokens",
            "effective_release_date",
            *(f"effective_license_{name}" for name in EFFECTIVE_LICENSE),
            *extra,
        )[start:stop]
    )


def handwritten_list(request):
    """``?kind=<kind>&total_parameters__gte=<count>&page=<n>``."""
    queryset = _visible().filter(
        kind=request.GET["kind"], total_parameters__gte=int(request.GET["total_parameters__gte"])
    )
    return _paged(request, queryset)


def handwritten_search(request):
    """``?q=<text>``: the API's ``q`` match (the same indexed subquery), by hand around it."""
    return _paged(request, _visible().filter(pk__in=variant_search_matches(request.GET["q"])))


def _paged(request, queryset) -> HttpResponse:
    page = int(request.GET.get("page", "1"))
    start = (page - 1) * PAGE_SIZE
    count = queryset.count()
    rows = _rows(queryset, start, start + PAGE_SIZE)
    return HttpResponse(
        orjson.dumps({"count": count, "results": rows}), content_type="application/json"
    )


def handwritten_detail(request, family, version, variant):
    """One row with every column but the raw config, its version's features and its sources:
    three queries, as the API's detail."""
    from catalog.models import ArchitectureFeature, Citation

    found = _rows(
        _visible()
        .filter(version__family__slug=family, version__slug=version, slug=variant)
        .annotate(variant_id=F("pk"), variant_config=F("config")),
        0,
        1,
        extra=("variant_id", "version_id", "variant_config"),
    )
    if not found:
        raise Http404
    row = found[0]
    row["features"] = list(
        ArchitectureFeature.objects.filter(version_features__version_id=row["version_id"])
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    row["sources"] = list(
        Citation.objects.filter(
            content_type__app_label="catalog",
            content_type__model=ModelVariant._meta.model_name,
            object_id=row["variant_id"],
        ).values("source__url", "source__title", "quote", "note")
    )
    return HttpResponse(orjson.dumps(row), content_type="application/json")


def floor(request, name):
    """The stored bytes of request ``name``, with its content type."""
    if name not in _FLOOR:
        try:
            _FLOOR[name] = (Path(os.environ["BENCH_FLOOR_DIR"]) / name).read_bytes()
        except (KeyError, OSError) as error:
            raise Http404 from error
    return HttpResponse(_FLOOR[name], content_type=CONTENT_TYPES[Path(name).suffix])


urlpatterns = [
    path("bench/floor/<str:name>/", floor),
    path("bench/handwritten/variants/", handwritten_list),
    path("bench/handwritten/search/", handwritten_search),
    path(
        "bench/handwritten/variants/<slug:family>/<slug:version>/<slug:variant>/",
        handwritten_detail,
    ),
    *registry_urls.urlpatterns,
]
