"""Whole public pages are cached for anonymous visitors, keyed by the catalog generation, which
every committed write bumps: a save shows at once and nothing stale is served."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from catalog.models import ModelFamily
from llmregistry.generation import TRIGGER_NAME, current_generation, tracked_tables
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.REGISTRY_PAGE_CACHE_SECONDS = 60
    # The bump runs at commit; a test never commits, so run it at each statement instead.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _as_if_a_new_transaction():
    # The bump happens once per transaction; a test is one transaction, a request is another.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE llmregistry_cataloggeneration SET last_transaction = 0")


def test_a_second_visit_is_served_from_the_cache_with_one_query(page_cache):
    factories.FamilyFactory.create_batch(3)
    client = Client()
    url = reverse("catalog:family_list")
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    queries, sql = count_queries(lambda: client.get(url))
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert queries == 1, sql  # the generation
    assert "'self'" in second["Content-Security-Policy"]
    assert second["ETag"]


def test_a_committed_change_is_visible_at_once(page_cache):
    family = factories.FamilyFactory(name="Before")
    client = Client()
    url = reverse("catalog:family_detail", args=[family.slug])
    assert "Before" in client.get(url).content.decode()
    _as_if_a_new_transaction()
    before = current_generation()
    ModelFamily.objects.filter(pk=family.pk).update(name="After")  # any write path bumps
    assert current_generation() == before + 1
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "After" in response.content.decode()


def test_languages_and_htmx_fragments_are_cached_apart(page_cache):
    factories.VariantFactory()
    client = Client()
    url = reverse("catalog:variant_list")
    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    chinese = client.get("/zh-hans" + url)
    assert b"<html" in page.content
    assert b"<html" not in fragment.content
    assert b'lang="zh-hans"' in chinese.content
    assert client.get(url, headers={"HX-Request": "true"}).content == fragment.content


def test_editors_are_never_served_a_cached_page(page_cache, client):
    factories.FamilyFactory()
    url = reverse("catalog:family_list")
    Client().get(url)
    client.force_login(factories.make_editor())
    response = client.get(url)
    assert "X-Page-Cache" not in response


def test_pages_with_a_form_token_are_not_cached(page_cache):
    client = Client()
    url = reverse("hardware:fit_config")
    client.get(url)
    assert "X-Page-Cache" not in client.get(url)


def test_a_broken_cache_only_costs_rendering(page_cache, settings):
    # Nothing listens on port 1.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    factories.FamilyFactory()
    response = Client().get(reverse("catalog:family_list"))
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_every_catalog_table_bumps_the_generation():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [TRIGGER_NAME],
        )
        triggered = {row[0] for row in cursor.fetchall()}
    missing = set(tracked_tables()) - triggered
    # A new catalog model needs `RunPython(install_triggers)` in its migration.
    assert missing == set()


@pytest.mark.django_db(transaction=True)
def test_the_generation_moves_once_per_committed_transaction():
    before = current_generation()
    with transaction.atomic():
        factories.FamilyFactory.create_batch(3)
        assert current_generation() == before  # not before commit
    assert current_generation() == before + 1
