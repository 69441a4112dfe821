"""A release date as precisely as its sources give it: a day, a month or a year, in the API
and on the pages (a month-precise date is never shown as its first day)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.models import ModelVersion
from core.dates import released, released_iso, released_short
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "precision", "prose", "short", "iso"),
    [
        (datetime.date(2025, 3, 13), "day", "March 13, 2025", "2025-03-13", "2025-03-13"),
        (datetime.date(2025, 3, 1), "month", "March 2025", "2025-03", "2025-03"),
        (datetime.date(2025, 1, 1), "year", "2025", "2025", "2025"),
    ],
)
def test_a_date_is_shown_as_precisely_as_it_is_known(day, precision, prose, short, iso):
    assert released(day, precision) == prose
    assert released_short(day, precision) == short
    assert released_iso(day, precision) == iso


def test_the_model_and_the_database_refuse_a_month_that_is_not_its_first_day():
    version = factories.VersionFactory(release_date=datetime.date(2025, 3, 13))
    version.release_date_precision = "month"
    with pytest.raises(ValidationError) as caught:
        version.full_clean()
    assert "release_date_precision" in caught.value.message_dict
    with transaction.atomic(), pytest.raises(IntegrityError):
        ModelVersion.objects.filter(pk=version.pk).update(release_date_precision="year")


def test_pages_and_api_say_only_the_month(client):
    version = factories.VersionFactory(
        release_date=datetime.date(2025, 3, 1), release_date_precision="month"
    )
    variant = factories.VariantFactory(version=version)
    family = version.family
    page = client.get(
        reverse("catalog:version_detail", kwargs={"family": family.slug, "version": version.slug})
    ).content.decode()
    assert "March 2025" in page
    assert 'datetime="2025-03"' in page
    assert "March 1, 2025" not in page
    api = client.get(f"/api/v1/versions/{family.slug}/{version.slug}/").json()
    assert api["release_date_precision"] == "month"
    variants = client.get("/api/v1/variants/", {"q": variant.name}).json()
    row = next(v for v in variants["results"] if v["slug"] == variant.slug)
    assert row["effective_release_date_precision"] == "month"
    exact = client.get("/api/v1/versions/", {"release_date_precision": "day"}).json()
    assert version.slug not in [v["slug"] for v in exact["results"]]
    monthly = client.get("/api/v1/versions/", {"release_date_precision": "month"}).json()
    assert [v["slug"] for v in monthly["results"]] == [version.slug]
