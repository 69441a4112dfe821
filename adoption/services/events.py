"""Events: the one write path for "something people follow happened". An event is a row
first; the deliveries to every subscribed webhook are rows in the same transaction; sending
them is queued after commit and, if the queue is down, the periodic sweep sends them later
(adoption.tasks.deliver_due)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from adoption.choices import DeliveryStatus, EventKind
from adoption.models import Delivery, Event, Subscription, Webhook

logger = logging.getLogger(__name__)

# Which link of an event a subscription to a family, a use case or a deployment follows.
SUBJECTS = ("family", "use_case", "deployment")


def subscriptions_for(event: Event):
    """The subscriptions an event matches: of its kind (or of every kind), to one of its
    subjects or to no subject at all."""
    kinds = Q(kinds=[]) | Q(kinds__contains=[event.kind])
    if event.kind == EventKind.NEW_RELEASE and event.family_id is not None:
        # Following a family's new versions is following its releases.
        kinds |= Q(kinds__contains=[EventKind.NEW_VERSION], family_id=event.family_id)
    subject = Q(family__isnull=True, use_case__isnull=True, deployment__isnull=True)
    for name in SUBJECTS:
        value = getattr(event, f"{name}_id")
        if value is not None:
            subject |= Q(**{f"{name}_id": value})
    return Subscription.objects.filter(kinds, subject)


def event_record(
    *,
    kind: EventKind,
    title: str,
    summary: str = "",
    path: str = "",
    payload: dict | None = None,
    dedupe_key: str | None = None,
    occurred_at=None,
    **subjects,
) -> Event | None:
    """Record an event and one pending delivery per subscribed active webhook, and queue
    the sending after commit. ``subjects`` are the event's links (family, version, variant,
    use_case, approval, deployment). Returns None when ``dedupe_key`` was already recorded.
    """
    with transaction.atomic():
        if dedupe_key is not None and Event.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        event = Event.objects.create(
            kind=kind,
            title=title[:300],
            summary=summary,
            path=path,
            payload=payload or {},
            dedupe_key=dedupe_key,
            occurred_at=occurred_at or timezone.now(),
            **subjects,
        )
        webhooks = Webhook.objects.filter(
            active=True,
            pk__in=subscriptions_for(event).filter(webhook__isnull=False).values("webhook_id"),
        )
        now = timezone.now()
        deliveries = Delivery.objects.bulk_create(
            [Delivery(webhook=w, event=event, next_attempt_at=now) for w in webhooks]
        )
        if deliveries:
            ids = [d.pk for d in deliveries]
            transaction.on_commit(lambda: deliveries_enqueue(ids))
    return event


def deliveries_enqueue(delivery_ids: list[int]) -> None:
    """Queue the sending of deliveries. A queue that is down is logged, never raised: the
    periodic sweep sends every delivery that is due."""
    from adoption import tasks  # tasks import services; the import is deferred, not circular

    for delivery_id in delivery_ids:
        try:
            tasks.deliver.delay(delivery_id)
        except Exception:  # the broker's errors vary by transport
            logger.warning("Could not queue delivery %s; the sweep will send it", delivery_id)
            return


def pending_deliveries():
    """Deliveries due now: pending, with their next attempt in the past."""
    return Delivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "pk")
