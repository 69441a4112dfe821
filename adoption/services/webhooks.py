"""Outgoing webhooks: the signature of their bodies (built by
``adoption.services.webhook_bodies``), one delivery attempt with its log, backoff and failing
state, the sweep that catches up, and the "send test" button.

Every body is signed, whatever its format. A receiver verifies it like this:

1. Take the raw request body (bytes, before any JSON parsing) and the ``X-Registry-Timestamp``
   header (Unix seconds, a string of digits).
2. Refuse a timestamp more than five minutes from your clock (a replayed request).
3. Compute ``HMAC-SHA256(secret, timestamp + "." + body)`` as lowercase hex, where ``secret``
   is the webhook's signing secret (UTF-8) and ``timestamp + "."`` is ASCII.
4. Compare ``"sha256=" + hex`` with the ``X-Registry-Signature`` header in constant time
   (Python: ``hmac.compare_digest``).

In Python::

    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, "sha256").hexdigest()
    ok = hmac.compare_digest(f"sha256={expected}", request.headers["X-Registry-Signature"])

``X-Registry-Event`` names the event's kind and ``X-Registry-Delivery`` the delivery's id, the
same on every retry of one delivery (a receiver can drop repeats by it: a delivery is sent at
least once, twice when a worker dies between the POST and writing its outcome).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adoption.choices import DeliveryStatus, EventKind
from adoption.models import Delivery, Event, Webhook
from adoption.services.events import deliveries_enqueue, pending_deliveries
from adoption.services.webhook_bodies import SUBJECT_NAMES, webhook_body

logger = logging.getLogger(__name__)

USER_AGENT = "LLM-Registry-Webhook/1"
SIGNATURE_HEADER = "X-Registry-Signature"
TIMESTAMP_HEADER = "X-Registry-Timestamp"
EVENT_HEADER = "X-Registry-Event"
DELIVERY_HEADER = "X-Registry-Delivery"
# Of a receiver's answer only this much is read (its first bytes go into the error message).
MAX_RESPONSE_BYTES = 64 * 1024
# The longest wait between two attempts, Retry-After included.
MAX_BACKOFF_SECONDS = 3600
# Up to this fraction is added to each backoff, so deliveries failed together spread out.
JITTER_FRACTION = 0.1
# The sweep starts no attempt after this long: below the 60 s beat interval of
# adoption-deliver-due (llmregistry/settings.py), so sweeps do not pile up behind a dead receiver.
SWEEP_BUDGET_SECONDS = 50.0
# Delivery.last_error's max_length; the answer's first characters quoted in an error.
ERROR_CHARACTERS = 500
ANSWER_EXCERPT_CHARACTERS = 200
WEBHOOK_INACTIVE = _("The webhook is switched off: nothing was sent.")
TIMED_OUT = _("No complete answer within %(seconds)s s.")
REQUEST_FAILED = _("The request failed: %(error)s")
REDIRECT_NOT_FOLLOWED = _(
    "The receiver answered %(status)s, a redirect to %(location)s; redirects are not followed."
)
RECEIVER_ERROR = _("The receiver answered %(status)s: %(answer)s")
TEST_TITLE = _("Test message from the LLM Registry")
TEST_SUMMARY = _("Sent with “send test” for the webhook “%(name)s”. Nothing else happened.")
# --- Signature ---------------------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int | str) -> str:
    """HMAC-SHA256 of ``f"{timestamp}."`` followed by ``body``, keyed by ``secret``, as hex.
    The module's docstring gives the receiver's side."""
    message = f"{timestamp}.".encode("ascii") + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(*, webhook: Webhook, event: Event, delivery_id: int, body: bytes) -> dict:
    """The request's headers: kind, delivery, timestamp (Unix seconds) and signature."""
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        # Identity: the answer is read raw, never inflated past MAX_RESPONSE_BYTES.
        "Accept-Encoding": "identity",
        EVENT_HEADER: event.kind,
        DELIVERY_HEADER: str(delivery_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: f"sha256={sign(webhook.secret, body, timestamp)}",
    }


# --- Sending -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What one POST came to: the status code (None without one), an error, the time taken."""

    status_code: int | None
    error: str
    duration_ms: int
    retry_after_seconds: float | None = None


@dataclass(frozen=True)
class Attempt:
    """One attempt made: its webhook, whether it delivered, and when to try again."""

    webhook_id: int
    delivered: bool
    retry_in_seconds: float | None


async def _exchange(url: str, body: bytes, headers: dict, timeout_seconds: float):
    async with (
        asyncio.timeout(timeout_seconds),
        httpx.AsyncClient(
            timeout=timeout_seconds, follow_redirects=False, trust_env=False
        ) as client,
        client.stream("POST", url, content=body, headers=headers) as response,
    ):
        received = bytearray()
        async for chunk in response.aiter_raw():
            received += chunk
            if len(received) >= MAX_RESPONSE_BYTES:
                break
        return response.status_code, response.headers, bytes(received[:MAX_RESPONSE_BYTES])


def _post(url: str, body: bytes, headers: dict) -> Answer:
    """POST once, the whole exchange (connecting, sending, the answer) within the timeout;
    never raises for the network's or the receiver's faults."""
    timeout_seconds = settings.ADOPTION_WEBHOOK_TIMEOUT_SECONDS
    started = time.monotonic()

    def elapsed_ms() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        status, answer_headers, content = asyncio.run(
            _exchange(url, body, headers, timeout_seconds)
        )
    except (TimeoutError, httpx.TimeoutException):
        return Answer(None, str(TIMED_OUT) % {"seconds": timeout_seconds}, elapsed_ms())
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        error = str(exc) or type(exc).__name__
        return Answer(None, str(REQUEST_FAILED) % {"error": error}, elapsed_ms())
    if 200 <= status < 300:
        return Answer(status, "", elapsed_ms())
    if 300 <= status < 400:
        error = str(REDIRECT_NOT_FOLLOWED) % {
            "status": status,
            "location": answer_headers.get("location", "?"),
        }
    else:
        excerpt = content.decode("utf-8", errors="replace")[:ANSWER_EXCERPT_CHARACTERS]
        error = str(RECEIVER_ERROR) % {"status": status, "answer": excerpt.strip()}
    return Answer(status, error, elapsed_ms(), _retry_after(answer_headers.get("retry-after")))


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from delay-seconds or an HTTP-date
    (https://www.rfc-editor.org/rfc/rfc9110#name-retry-after); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - timezone.now()).total_seconds())


def backoff_seconds(attempts: int) -> float:
    """The wait after ``attempts`` failed attempts: ADOPTION_WEBHOOK_BACKOFF_SECONDS doubled
    each time, plus up to JITTER_FRACTION, at most MAX_BACKOFF_SECONDS."""
    base = settings.ADOPTION_WEBHOOK_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    jitter = 1 + JITTER_FRACTION * random.random()  # noqa: S311 - spreading retries, no secret
    return min(base * jitter, MAX_BACKOFF_SECONDS)


def delivery_attempt(delivery_id: int) -> float | None:
    """Try one pending delivery that is due, once, and record the outcome in its log.

    The row is locked for the attempt (``SKIP LOCKED``: a delivery another worker is sending
    is left alone), so the task and the sweep never send one delivery twice at once. A 2xx
    answer delivers it; anything else (an error status, a redirect, which is not followed, a
    timeout, a refused connection) counts an attempt and, below ADOPTION_WEBHOOK_MAX_ATTEMPTS,
    sets the next one after the backoff (or the receiver's Retry-After, at most an hour); at
    the maximum the delivery fails and the webhook is marked failing. A switched-off webhook
    fails the delivery without sending.

    Returns the seconds until the next attempt, or None: delivered, failed for good, or not
    attempted (not pending, not due, or locked). Never raises for the network's faults.
    """
    attempt = _attempt(delivery_id)
    return attempt.retry_in_seconds if attempt is not None else None


def _attempt(delivery_id: int) -> Attempt | None:
    with transaction.atomic():
        now = timezone.now()
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook", "event", *(f"event__{name}" for name in SUBJECT_NAMES))
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if delivery is None:
            return None
        webhook = delivery.webhook
        if not webhook.active:
            answer = Answer(None, str(WEBHOOK_INACTIVE), 0)
        else:
            body = webhook_body(webhook, delivery.event)
            headers = signed_headers(
                webhook=webhook, event=delivery.event, delivery_id=delivery.pk, body=body
            )
            answer = _post(webhook.url, body, headers)
        return _record(delivery, webhook, answer, active=webhook.active)


def _record(delivery: Delivery, webhook: Webhook, answer: Answer, *, active: bool) -> Attempt:
    now = timezone.now()
    delivered = answer.status_code is not None and 200 <= answer.status_code < 300
    if active:
        delivery.attempts += 1
    delivery.last_status_code = answer.status_code
    delivery.last_error = answer.error[:ERROR_CHARACTERS]
    delivery.log = [
        *delivery.log,
        {
            "at": now.isoformat(),
            "attempt": delivery.attempts,
            "status_code": answer.status_code,
            "error": delivery.last_error,
            "duration_ms": answer.duration_ms,
        },
    ]
    retry_in_seconds = None
    if delivered:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        Webhook.objects.filter(pk=webhook.pk).update(last_delivered_at=now, failing_since=None)
    elif not active or delivery.attempts >= settings.ADOPTION_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        if active:
            Webhook.objects.filter(pk=webhook.pk, failing_since__isnull=True).update(
                failing_since=now
            )
    else:
        retry_in_seconds = backoff_seconds(delivery.attempts)
        if answer.retry_after_seconds is not None:
            retry_in_seconds = min(answer.retry_after_seconds, MAX_BACKOFF_SECONDS)
        delivery.next_attempt_at = now + timedelta(seconds=retry_in_seconds)
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "log",
            "delivered_at",
        ]
    )
    if not delivered:
        logger.info("Webhook %s, delivery %s: %s", webhook.pk, delivery.pk, delivery.last_error)
    return Attempt(webhook.pk, delivered, retry_in_seconds)


def deliveries_sweep(*, limit: int = 200, budget_seconds: float = SWEEP_BUDGET_SECONDS) -> int:
    """Attempt every due delivery, oldest due first, here and now: the catch-up after the queue
    was down, and the retries whose task was lost. At most ``limit`` deliveries, and none
    started after ``budget_seconds``; a webhook that fails once is not tried again in the same
    sweep (a dead receiver costs one timeout per sweep, not one per delivery).

    Returns how many deliveries were attempted.
    """
    deadline = time.monotonic() + budget_seconds
    failing: set[int] = set()
    attempted = 0
    due = list(pending_deliveries().values_list("pk", "webhook_id")[:limit])
    for delivery_id, webhook_id in due:
        if time.monotonic() >= deadline:
            break
        if webhook_id in failing:
            continue
        attempt = _attempt(delivery_id)
        if attempt is None:
            continue
        attempted += 1
        if not attempt.delivered:
            failing.add(webhook_id)
    return attempted


def webhook_send_test(*, webhook: Webhook, user=None) -> Delivery:
    """Record a test event and one delivery of it to ``webhook`` alone (subscriptions are not
    consulted), sent after commit like any other. ``user``: who pressed the button (named in
    the payload). Returns the pending delivery; its log shows the outcome."""
    with transaction.atomic():
        now = timezone.now()
        event = Event.objects.create(
            kind=EventKind.TEST,
            title=str(TEST_TITLE),
            summary=str(TEST_SUMMARY) % {"name": webhook.name},
            occurred_at=now,
            payload={
                "webhook": webhook.pk,
                "requested_by": user.get_username() if user is not None else "",
            },
        )
        delivery = Delivery.objects.create(webhook=webhook, event=event, next_attempt_at=now)
        transaction.on_commit(lambda: deliveries_enqueue([delivery.pk]))
    return delivery
