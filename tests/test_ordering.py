"""Sorting puts empty values last in both directions, on every surface that shares the
FilterSets' ``ordering``: the API, the list pages and MCP (issue 16, item 2)."""

import datetime
import re

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from mcp import Client
from rest_framework.test import APIClient

from adoption.api.views import AdoptionPermission
from assistants.common import acting_as
from assistants.server import registry_server
from core.filtering import NullsLastOrderingFilter
from llmregistry.api_urls import router
from tests import factories

pytestmark = pytest.mark.django_db

SORTED_RESOURCES = [
    (basename, viewset)
    for _prefix, viewset, basename in router.registry
    if viewset.filterset_class and "ordering" in viewset.filterset_class.base_filters
]
# The page's sort key, the first term after ORDER BY, with its empty values last.
FIRST_KEY_NULLS_LAST = r" ORDER BY (COALESCE\([^)]*\)|[^,(]+) (ASC|DESC) NULLS LAST"
ORDERINGS = [
    pytest.param(basename, value, id=f"{basename}:{value}")
    for basename, viewset in SORTED_RESOURCES
    for value, _label in viewset.filterset_class.base_filters["ordering"].extra["choices"]
]


@pytest.fixture
def sized():
    """Three variants: 8B released in 2024, 70B released in 2023, and one whose size and
    release date nobody knows."""
    known = factories.VersionFactory(release_date=datetime.date(2024, 1, 1))
    older = factories.VersionFactory(family=known.family, release_date=datetime.date(2023, 1, 1))
    unknown = factories.VersionFactory(family=known.family, release_date=None)
    return {
        "small": factories.VariantFactory(version=known, total_parameters=8 * 10**9),
        "large": factories.VariantFactory(version=older, total_parameters=70 * 10**9),
        "unknown": factories.VariantFactory(version=unknown, total_parameters=None),
    }


def _api_names(ordering: str) -> list[str]:
    response = APIClient().get(reverse("variant-list"), {"ordering": ordering})
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def _names(sized, *keys) -> list[str]:
    return [sized[key].name for key in keys]


@pytest.fixture
def one_of_each():
    """A row of every sorted resource (a recommendation brings its variant, version, family,
    organisation, licence, profile and accelerator; an approval its use case)."""
    factories.RecommendationFactory()
    factories.FeatureFactory()
    factories.SizeTierFactory()
    factories.ResultFactory()
    factories.ApprovalFactory()
    factories.DeploymentFactory()
    factories.ArtifactFactory()


def _reader(basename: str) -> APIClient:
    """Anonymous, or a signed-in viewer for the company's own records (never anonymous)."""
    client = APIClient()
    viewset = {name: viewset for _prefix, viewset, name in router.registry}[basename]
    if AdoptionPermission in viewset.permission_classes:
        client.force_login(factories.make_staff("ordering-viewer", "viewer"))
    return client


@pytest.mark.parametrize(("basename", "ordering"), ORDERINGS)
def test_every_ordering_of_every_resource_puts_empty_values_last(one_of_each, basename, ordering):
    client = _reader(basename)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"{basename}-list"), {"ordering": ordering})
    assert response.status_code == 200, response.content
    assert response.json()["results"], basename
    sorted_by_it = [
        q["sql"] for q in queries.captured_queries if re.search(FIRST_KEY_NULLS_LAST, q["sql"])
    ]
    assert sorted_by_it, [q["sql"] for q in queries.captured_queries]


def test_every_filterset_sorts_with_empty_values_last():
    for basename, viewset in SORTED_RESOURCES:
        ordering = viewset.filterset_class.base_filters["ordering"]
        assert isinstance(ordering, NullsLastOrderingFilter), basename


def test_largest_first_and_smallest_first_both_end_with_unknown_sizes(sized):
    assert _api_names("-total_parameters") == _names(sized, "large", "small", "unknown")
    assert _api_names("total_parameters") == _names(sized, "small", "large", "unknown")
    assert _api_names("-active_parameters") == _names(sized, "large", "small", "unknown")


def test_newest_first_and_oldest_first_both_end_with_unknown_dates(sized):
    assert _api_names("-release_date") == _names(sized, "small", "large", "unknown")
    assert _api_names("release_date") == _names(sized, "large", "small", "unknown")
    versions = APIClient().get(reverse("version-list"), {"ordering": "-release_date"}).json()
    assert [row["release_date"] for row in versions["results"]] == [
        "2024-01-01",
        "2023-01-01",
        None,
    ]


def test_the_model_list_page_sorts_unknown_sizes_last(client, sized):
    for ordering, expected in [
        ("-total_parameters", ("large", "small", "unknown")),
        ("total_parameters", ("small", "large", "unknown")),
        ("-release_date", ("small", "large", "unknown")),
    ]:
        response = client.get(reverse("catalog:variant_list"), {"ordering": ordering})
        assert response.status_code == 200
        assert [row.name for row in response.context["rows"]] == _names(sized, *expected)


def test_search_models_over_mcp_sorts_unknown_sizes_last(sized):
    async def run():
        async with Client(registry_server) as client:
            return await client.call_tool("search_models", {"ordering": "-total_parameters"})

    with acting_as(AnonymousUser()):
        result = async_to_sync(run)()
    assert not result.is_error, result.content[0].text
    names = [row["name"] for row in result.structured_content["results"]]
    assert names == _names(sized, "large", "small", "unknown")
