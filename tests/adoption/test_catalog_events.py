"""The catalog scan: one NEW_RELEASE event per newly published version, once, delivered to the
webhooks that follow its family; nothing old on the first scan."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from adoption.choices import EventKind
from adoption.models import Delivery, Event
from adoption.services.catalog_events import catalog_events_scan
from catalog.models import ModelVersion
from core.choices import PublicationStatus
from tests import factories

pytestmark = pytest.mark.django_db


def _age(version, days: int) -> None:
    then = timezone.now() - timedelta(days=days)
    ModelVersion.objects.filter(pk=version.pk).update(created_at=then, updated_at=then)


def test_a_new_version_is_recorded_once_and_delivered_to_its_familys_follower():
    version = factories.VersionFactory(name="Qwen3", release_date=timezone.localdate())
    follower = factories.SubscriptionFactory(family=version.family)
    factories.SubscriptionFactory(family=factories.FamilyFactory())  # follows another

    assert catalog_events_scan() == 1
    assert catalog_events_scan() == 0

    event = Event.objects.get()
    assert event.kind == EventKind.NEW_RELEASE
    assert event.family == version.family
    assert event.version == version
    assert event.title == "New in the registry: Qwen3"
    assert event.path == version.get_absolute_url()
    assert event.dedupe_key == f"version:{version.pk}:new_release"
    assert list(Delivery.objects.values_list("webhook", flat=True)) == [follower.webhook_id]


def test_the_first_scan_records_nothing_older_than_30_days():
    old = factories.VersionFactory(release_date=None)
    _age(old, 31)
    # Loaded today, released long ago: a fresh registry announces no history.
    factories.VersionFactory(release_date=timezone.localdate() - timedelta(days=400))
    recent = factories.VersionFactory(release_date=None)

    assert catalog_events_scan() == 1

    assert Event.objects.get().version == recent


def _an_hour_passes() -> None:
    """Move every version and event an hour into the past, as if the next scan ran later."""
    hour = timedelta(hours=1)
    ModelVersion.objects.update(
        created_at=F("created_at") - hour, updated_at=F("updated_at") - hour
    )
    Event.objects.update(occurred_at=F("occurred_at") - hour)


def test_a_later_scan_records_versions_created_since_and_drafts_once_published():
    factories.VersionFactory(release_date=None)
    assert catalog_events_scan() == 1
    _an_hour_passes()
    later = factories.VersionFactory(release_date=timezone.localdate() - timedelta(days=400))
    draft = factories.VersionFactory(release_date=None, status=PublicationStatus.DRAFT)

    assert catalog_events_scan() == 1
    assert Event.objects.filter(version=later).exists()
    _an_hour_passes()

    draft.status = PublicationStatus.PUBLISHED
    draft.save()
    assert catalog_events_scan() == 1
    assert Event.objects.filter(version=draft).exists()
    _an_hour_passes()
    assert catalog_events_scan() == 0
