"""What's new: catalog changes by date from the history, and ``changed_since`` on the API."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import ModelFamily, ModelVariant
from catalog.selectors.whats_new import catalog_changes
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db


def _today():
    """Read at test time, not import time: a run that crosses midnight must not see two days."""
    return timezone.now().date()


def _yesterday():
    return _today() - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.activate("en")


def _page(client, **params):
    return client.get(reverse("catalog:whats_new"), params)


def test_a_loaded_catalog_lists_its_records_as_added_today(client, loaded_catalog):
    html = _page(client).content.decode()
    assert f'<time datetime="{_today():%Y-%m-%d}">' in html
    variant = ModelVariant.objects.get(slug="gpt-oss-20b")
    assert f'<a href="{variant.get_absolute_url()}">' in html
    assert 'class="change change-added" data-kind="variant"' in html


def test_a_change_names_the_fields_that_changed(client):
    variant = factories.VariantFactory(name="Before")
    ModelVariant.objects.filter(pk=variant.pk).update(name="After", total_parameters=7 * 10**9)
    changes, _ = catalog_changes(since=_yesterday())
    (changed,) = [c for c in changes if c.action == "changed" and c.kind == "variant"]
    assert changed.name == "After"
    assert set(changed.fields) == {"name", "total parameters"}
    html = _page(client).content.decode()
    assert "(name, total parameters)" in html


def test_drafts_and_removals_are_for_editors_only(client):
    family = factories.FamilyFactory(status="draft", name="Secret family")
    gone = factories.FamilyFactory(name="Gone family")
    ModelFamily.objects.filter(pk=gone.pk).delete()
    html = _page(client).content.decode()
    assert "Secret family" not in html
    assert "Gone family" not in html
    client.force_login(factories.make_editor())
    html = _page(client).content.decode()
    assert "Secret family" in html
    assert 'class="change change-removed" data-kind="family"' in html
    assert family.get_absolute_url() in html


def test_the_period_is_chosen_and_bad_dates_are_a_400(client):
    factories.FamilyFactory(name="Fresh family")
    old = _page(client, since="2020-01-01", until="2020-12-31")
    assert old.status_code == 200
    assert "No changes in this period." in old.content.decode()
    bad = _page(client, since="someday")
    assert bad.status_code == 400
    assert 'id="whats-new-errors"' in bad.content.decode()
    backwards = _page(client, since="2026-02-01", until="2026-01-01")
    assert backwards.status_code == 400
    assert "must not be after" in backwards.content.decode()


def test_api_changed_since_lists_records_written_since_then():
    variant = factories.VariantFactory()
    api = Client()
    rows = api.get("/api/v1/variants/", {"changed_since": _yesterday().isoformat()}).json()
    assert variant.slug in {row["slug"] for row in rows["results"]}
    tomorrow = (_today() + datetime.timedelta(days=1)).isoformat()
    assert api.get("/api/v1/variants/", {"changed_since": tomorrow}).json()["count"] == 0
    for path in ("/api/v1/families/", "/api/v1/licenses/", "/api/v1/accelerators/"):
        assert api.get(path, {"changed_since": f"{_today()}T00:00:00Z"}).status_code == 200
    # Offsets PostgreSQL would refuse (beyond ±15:59) are converted to UTC first.
    far = api.get("/api/v1/variants/", {"changed_since": "2026-11-08T11:09:04-19:50"})
    assert far.status_code == 200
    off_the_calendar = api.get("/api/v1/variants/", {"changed_since": "9999-12-31T23:00:00-05:00"})
    assert off_the_calendar.status_code == 400
    bad = api.get("/api/v1/versions/", {"changed_since": "last week"})
    assert bad.status_code == 400
    assert "changed_since" in bad.json()


def test_page_queries_do_not_grow_with_changes(client):
    family = factories.FamilyFactory()
    factories.VariantFactory(version__family=family)
    one = count_queries(lambda: _page(client))
    factories.VariantFactory.create_batch(4, version__family=family)
    factories.FamilyFactory.create_batch(2)
    many = count_queries(lambda: _page(client))
    assert_same_query_count(one, many, "what's new")
