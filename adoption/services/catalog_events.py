"""Events for the catalog's changes people follow: a version published in the registry.

One NEW_RELEASE event per version, linked to the version and its family. A subscription to
the family matches it through ``events.subscriptions_for`` (it follows the event's family), so
"a new version of a family I follow" needs no second event: recording a NEW_VERSION beside it
would send a follower of the family (or of everything) the same release twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from adoption.choices import EventKind
from adoption.models import Event
from adoption.services.events import event_record
from catalog.models import ModelVersion
from core.choices import PublicationStatus

# The kinds the scan records; the newest of them is its watermark.
RELEASE_KINDS = (EventKind.NEW_RELEASE, EventKind.NEW_VERSION)
# The first scan, and a draft published later, reach back this far and no further: a fresh
# registry (or one loaded from the curated catalog) must not announce its whole history.
LOOKBACK = timedelta(days=30)
# A version saved in a transaction that committed after the last scan ran can be older than
# the watermark by the transaction's length; the dedupe key keeps the overlap from repeating.
OVERLAP = timedelta(minutes=10)

NEW_RELEASE_TITLE = _("New in the registry: %(version)s")
NEW_RELEASE_SUMMARY = _("%(version)s, of the %(family)s family, released %(date)s.")
NEW_RELEASE_SUMMARY_UNDATED = _("%(version)s, of the %(family)s family.")


def dedupe_key(version: ModelVersion) -> str:
    return f"version:{version.pk}:{EventKind.NEW_RELEASE}"


def catalog_events_scan(*, now: datetime | None = None) -> int:
    """Record a NEW_RELEASE event, with its deliveries, for each published version that is new
    since the last scan: created since the newest release event (less OVERLAP), or created
    within LOOKBACK as a draft and published since. The very first scan records versions
    created, and released, within LOOKBACK only. Each version is recorded once (its dedupe key).

    ``now``: the scan's time (the events' ``occurred_at``), default the current time.
    Returns how many events were recorded.
    """
    now = now or timezone.now()
    horizon = now - LOOKBACK
    recently_released = Q(release_date__isnull=True) | Q(release_date__gte=horizon.date())
    watermark = Event.objects.filter(kind__in=RELEASE_KINDS).aggregate(newest=Max("occurred_at"))[
        "newest"
    ]
    if watermark is None:
        new = Q(created_at__gte=horizon) & recently_released
    else:
        since = watermark - OVERLAP
        new = Q(created_at__gte=since) | (
            Q(updated_at__gte=since, created_at__gte=horizon) & recently_released
        )
    versions = list(
        ModelVersion.objects.filter(new, status=PublicationStatus.PUBLISHED, created_at__lte=now)
        .select_related("family")
        .order_by("created_at", "pk")
    )
    recorded = set(
        Event.objects.filter(dedupe_key__in=[dedupe_key(v) for v in versions]).values_list(
            "dedupe_key", flat=True
        )
    )
    count = 0
    # Stored titles and paths are in the site's language (no /zh-hans/ prefix), whoever runs it.
    with translation.override(settings.LANGUAGE_CODE):
        for version in versions:
            if dedupe_key(version) in recorded:
                continue
            names = {"version": version.name, "family": version.family.name}
            if version.release_date:
                summary = str(NEW_RELEASE_SUMMARY) % {
                    **names,
                    "date": version.release_date.isoformat(),
                }
            else:
                summary = str(NEW_RELEASE_SUMMARY_UNDATED) % names
            event = event_record(
                kind=EventKind.NEW_RELEASE,
                title=str(NEW_RELEASE_TITLE) % names,
                summary=summary,
                path=version.get_absolute_url(),
                payload={
                    "family": version.family.slug,
                    "version": version.slug,
                    "release_date": version.release_date.isoformat()
                    if version.release_date
                    else None,
                },
                dedupe_key=dedupe_key(version),
                occurred_at=now,
                family=version.family,
                version=version,
            )
            count += event is not None
    return count
