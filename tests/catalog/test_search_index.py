"""Search at 100,000 variants: ``q`` is answered from the variants' word and name indexes
(EXPLAIN), finds words inside names and names typed without their separators, and stays a
fixed number of queries."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client

from catalog import selectors
from catalog.filters import VariantFilterSet
from catalog.models import ModelVariant
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

SCALE = 100_000


@pytest.fixture(scope="module")
def large_catalog(django_db_setup, django_db_blocker):
    """Two published Qwen variants among 100,000 others, cloned in SQL (history triggers off
    for the bulk copy, as a restore would), with fresh planner statistics; made once for the
    module and rolled back after it."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield _large_catalog()
            transaction.set_rollback(True)
        # The rollback leaves 100,000 dead rows in the table and its indexes, and a stale row
        # estimate (ANALYZE writes pg_class in place): a later test of this database scanned
        # them for minutes. VACUUM (outside any transaction) clears both.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalog_modelvariant")


def _large_catalog():
    qwen = factories.VersionFactory(name="Qwen2.5", slug="qwen2-5", status="published")
    qwen.family.status = "published"
    qwen.family.save()
    factories.VariantFactory(
        version=qwen, name="Qwen2.5-7B-Instruct", slug="qwen2-5-7b-instruct", status="published"
    )
    factories.VariantFactory(
        version=qwen, name="Qwen2.5-72B", slug="qwen2-5-72b", status="published"
    )
    other = factories.VariantFactory(name="Bench-Base", slug="bench-base", status="published")
    other.version.status = "published"
    other.version.save()
    other.version.family.status = "published"
    other.version.family.save()
    columns = [
        field.column
        for field in ModelVariant._meta.concrete_fields
        if field.column not in ("id", "slug", "name")
    ]
    copied = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"INSERT INTO catalog_modelvariant ({copied}, slug, name) "  # noqa: S608
            f"SELECT {copied}, 'bench-' || n, 'Bench-Model-' || n || '-8B' "
            "FROM catalog_modelvariant, generate_series(1, %s) AS n WHERE id = %s",
            [SCALE, other.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("ANALYZE catalog_modelvariant")
    assert ModelVariant.objects.count() > SCALE
    return qwen


def _search_sql(text: str) -> tuple[str, list]:
    queryset = selectors.variant_list_page(user=AnonymousUser())
    filterset = VariantFilterSet(QueryDict(f"q={text}"), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.values_list("pk", flat=True)[:50].query.sql_with_params()


def _plan(text: str) -> str:
    sql, params = _search_sql(text)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("text", ["qwen", "qwen 7b inst", "Qwen2.5-7B-Instruct", "instruct"])
def test_search_reads_the_word_index_at_a_hundred_thousand_variants(large_catalog, text):
    plan = _plan(text)
    assert "Bitmap Index Scan on catalog_variant_words_idx" in plan, plan
    assert "Seq Scan on catalog_modelvariant u0" not in plan, plan


@pytest.mark.parametrize("text", ["qwen 2.5", "qwen 2.5 7b", "benchmodel7"])
def test_names_typed_without_separators_read_the_name_index_at_a_hundred_thousand(
    large_catalog, text
):
    plan = _plan(text)
    assert "Bitmap Index Scan on catalog_variant_names_idx" in plan, plan
    assert "Bitmap Index Scan on catalog_variant_words_idx" in plan, plan
    assert "Seq Scan on catalog_modelvariant u0" not in plan, plan


def test_search_finds_words_inside_names_among_a_hundred_thousand(large_catalog):
    client = Client()
    found = client.get("/api/v1/variants/", {"q": "qwen 7b inst"}).json()
    assert [row["name"] for row in found["results"]] == ["Qwen2.5-7B-Instruct"]
    found = client.get("/api/v1/variants/", {"q": "qwen2.5"}).json()
    assert {row["name"] for row in found["results"]} == {"Qwen2.5-7B-Instruct", "Qwen2.5-72B"}
    found = client.get("/api/v1/variants/", {"q": "72b"}).json()
    assert [row["name"] for row in found["results"]] == ["Qwen2.5-72B"]


def test_search_finds_names_typed_without_separators_among_a_hundred_thousand(large_catalog):
    client = Client()
    found = client.get("/api/v1/variants/", {"q": "qwen 2.5 7b"}).json()
    assert [row["name"] for row in found["results"]] == ["Qwen2.5-7B-Instruct"]
    found = client.get("/api/v1/variants/", {"q": "benchmodel7"}).json()
    assert found["count"] == 1, found["count"]  # Bench-Model-7-8B, not -70- nor -700-


def test_search_takes_the_same_queries_at_any_size(large_catalog):
    """Two matches or a hundred thousand: the same queries."""
    client = Client()
    few = count_queries(lambda: client.get("/api/v1/variants/", {"q": "qwen"}))
    every = count_queries(lambda: client.get("/api/v1/variants/", {"q": "bench model"}))
    assert few[0] == every[0], (few, every)
