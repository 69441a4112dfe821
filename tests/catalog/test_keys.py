"""Keys and page addresses of catalog records: one home (catalog.keys), used by the models,
the API, the pages and the effective context the lists, pages, API and estimator share."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import selectors
from catalog.effective import effective_context_tokens
from catalog.keys import variant_key, variant_url, version_key, version_url
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant():
    family = factories.FamilyFactory(slug="qwen")
    version = factories.VersionFactory(family=family, slug="qwen2-5")
    return factories.VariantFactory(version=version, slug="qwen2-5-7b")


def test_keys_are_the_slugs_joined_by_slashes(variant):
    assert version_key(variant.version) == "qwen/qwen2-5"
    assert variant_key(variant) == "qwen/qwen2-5/qwen2-5-7b"


def test_absolute_urls_are_the_catalog_pages(variant):
    version = variant.version
    assert version.family.get_absolute_url() == reverse(
        "catalog:family_detail", kwargs={"family": "qwen"}
    )
    assert version.get_absolute_url() == version_url(version) == "/families/qwen/qwen2-5/"
    assert variant.get_absolute_url() == variant_url(variant)
    assert variant.get_absolute_url() == reverse(
        "catalog:variant_detail",
        kwargs={"family": "qwen", "version": "qwen2-5", "variant": "qwen2-5-7b"},
    )


def test_a_listed_variant_gives_its_key_and_url_without_a_query(variant):
    listed = selectors.variant_list(user=None).get(pk=variant.pk)
    with CaptureQueriesContext(connection) as queries:
        variant_key(listed)
        listed.get_absolute_url()
        listed.version.get_absolute_url()
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_effective_context_is_the_versions_maximum_else_the_variants_own():
    version = factories.VersionFactory(max_context_tokens=131072)
    own = factories.VariantFactory(version=version, max_position_embeddings=32768)
    assert effective_context_tokens(own) == 131072
    version.max_context_tokens = None
    assert effective_context_tokens(own) == 32768
    own.max_position_embeddings = None
    assert effective_context_tokens(own) is None


@pytest.mark.parametrize(
    ("version_max", "variant_max"), [(131072, 32768), (None, 32768), (None, None)]
)
def test_the_listed_effective_context_is_the_python_rule(version_max, variant_max):
    version = factories.VersionFactory(max_context_tokens=version_max, default_context_tokens=None)
    variant = factories.VariantFactory(version=version, max_position_embeddings=variant_max)
    listed = selectors.variant_list(user=None).get(pk=variant.pk)
    assert listed.effective_context == effective_context_tokens(listed)
