"""Outgoing webhooks against fake receivers (pytest-httpserver): signed bodies in three formats,
retries with backoff and Retry-After, failing webhooks, bounded timeouts, no redirects, the
"send test" button, a real Celery worker delivering through Redis, and the catch-up after the
queue was down."""

import hmac
import json
import os
import subprocess
import time
from datetime import timedelta

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Response

from adoption.choices import DeliveryStatus, EventKind, WebhookFormat
from adoption.models import Delivery
from adoption.services import events, webhook_bodies, webhooks
from llmregistry.celery import app as celery_app
from tests import factories
from tests.faults.servers import start_celery_worker

SECRET = "a-shared-secret"
WORKER_TIMEOUT_SECONDS = 60


def verified(request, secret: str = SECRET) -> bool:
    """The receiver's side, as the module docstring of adoption/services/webhooks.py gives it."""
    timestamp = request.headers["X-Registry-Timestamp"]
    assert abs(time.time() - int(timestamp)) < 300
    body = request.get_data()
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, "sha256").hexdigest()
    return hmac.compare_digest(f"sha256={expected}", request.headers["X-Registry-Signature"])


def _pending_delivery(httpserver, **webhook_fields):
    webhook = factories.WebhookFactory(url=httpserver.url_for("/hook"), **webhook_fields)
    return factories.DeliveryFactory(webhook=webhook, next_attempt_at=timezone.now())


def _make_due(delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def _reset_connections():
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_at():
    """Point the Celery app at a broker (not eager) for one test; put it back afterwards."""
    # The app reads Django's settings under the CELERY_ namespace: override those keys.
    previous = {
        "CELERY_TASK_ALWAYS_EAGER": celery_app.conf.task_always_eager,
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
    }

    def point(url: str | None) -> None:
        """``url``: the broker; None runs tasks in this process (eager)."""
        celery_app.conf.update(
            CELERY_TASK_ALWAYS_EAGER=url is None, CELERY_BROKER_URL=url or "memory://"
        )
        _reset_connections()

    yield point
    # Drop the overrides (not re-set them): the app reads Django's settings again, which
    # other tests change through the settings fixture.
    for key in previous:
        celery_app.conf.changes.pop(key, None)
    _reset_connections()


# --- Bodies and signature ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_delivery_is_signed_so_the_documented_recipe_verifies_it(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    family = factories.FamilyFactory(slug="qwen")
    event = factories.EventFactory(
        kind=EventKind.NEW_RELEASE,
        title="New in the registry: Qwen3",
        summary="A new version.",
        path="/families/qwen/qwen3/",
        family=family,
        payload={"version": "qwen3"},
    )
    webhook = factories.WebhookFactory(url=httpserver.url_for("/hook"), secret=SECRET)
    delivery = factories.DeliveryFactory(webhook=webhook, event=event)

    assert webhooks.delivery_attempt(delivery.pk) is None

    (request, _response), *others = httpserver.log
    assert others == []
    assert verified(request)
    assert not verified(request, secret="another-secret")
    assert request.headers["X-Registry-Event"] == "new_release"
    assert request.headers["X-Registry-Delivery"] == str(delivery.pk)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "LLM-Registry-Webhook/1"
    body = json.loads(request.get_data())
    assert body == {
        "id": event.pk,
        "kind": "new_release",
        "title": "New in the registry: Qwen3",
        "summary": "A new version.",
        "url": "/families/qwen/qwen3/",
        "occurred_at": event.occurred_at.isoformat(),
        "subjects": {"family": {"id": family.pk, "slug": "qwen"}},
        "payload": {"version": "qwen3"},
    }
    delivery.refresh_from_db()
    webhook.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.delivered_at is not None
    assert delivery.attempts == 1
    assert [entry["status_code"] for entry in delivery.log] == [200]
    assert webhook.last_delivered_at is not None


def test_sign_is_hmac_sha256_of_the_timestamp_a_dot_and_the_body():
    expected = hmac.new(b"k", b"1700000000.{}", "sha256").hexdigest()
    assert webhooks.sign("k", b"{}", 1700000000) == expected


@pytest.mark.django_db
def test_a_slack_body_has_a_fallback_text_and_blocks_with_slack_escaping(settings):
    settings.REGISTRY_SITE_URL = "https://registry.example"
    event = factories.EventFactory(
        kind=EventKind.ENDPOINT_DOWN, title="chat <prod> & co", summary="No answer.", path="/d/1/"
    )
    webhook = factories.WebhookFactory(format=WebhookFormat.SLACK)

    body = json.loads(webhook_bodies.webhook_body(webhook, event))

    assert body["text"] == "endpoint down: chat &lt;prod&gt; &amp; co"
    section, context = body["blocks"]
    assert section["type"] == "section"
    assert section["text"] == {
        "type": "mrkdwn",
        "text": "*<https://registry.example/d/1/|chat &lt;prod&gt; &amp; co>*\nNo answer.",
    }
    assert context["type"] == "context"
    assert context["elements"][0]["type"] == "mrkdwn"


@pytest.mark.django_db
def test_a_teams_body_is_an_adaptive_card_in_a_message(settings):
    settings.REGISTRY_SITE_URL = "https://registry.example"
    event = factories.EventFactory(kind=EventKind.APPROVAL_CHANGED, title="Approved", path="/a/")
    webhook = factories.WebhookFactory(format=WebhookFormat.TEAMS)

    body = json.loads(webhook_bodies.webhook_body(webhook, event))

    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["body"][0] == {
        "type": "TextBlock",
        "text": "Approved",
        "weight": "Bolder",
        "size": "Medium",
        "wrap": True,
    }
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in the registry",
            "url": "https://registry.example/a/",
        }
    ]


@pytest.mark.django_db
def test_slack_and_teams_bodies_link_nothing_without_an_absolute_address():
    event = factories.EventFactory(title="Down", path="/d/1/")
    slack = json.loads(webhook_bodies.webhook_body(factories.WebhookFactory(format="slack"), event))
    teams = json.loads(webhook_bodies.webhook_body(factories.WebhookFactory(format="teams"), event))
    assert slack["blocks"][0]["text"]["text"] == "*Down*"
    assert "actions" not in teams["attachments"][0]["content"]


# --- Retries, failing, timeouts, redirects -----------------------------------------------------


@pytest.mark.django_db
def test_a_receiver_answering_500_then_200_is_retried_after_a_backoff_and_delivered(
    httpserver, settings
):
    settings.ADOPTION_WEBHOOK_BACKOFF_SECONDS = 30
    httpserver.expect_oneshot_request("/hook").respond_with_data("broken", status=500)
    httpserver.expect_request("/hook").respond_with_data("ok")
    delivery = _pending_delivery(httpserver)

    delay = webhooks.delivery_attempt(delivery.pk)

    assert 30 <= delay <= 30 * (1 + webhooks.JITTER_FRACTION)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.last_error == "The receiver answered 500: broken"
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=25)
    (entry,) = delivery.log
    assert entry["attempt"] == 1
    assert entry["status_code"] == 500
    assert entry["error"] == delivery.last_error
    assert entry["duration_ms"] >= 0
    # Not due yet: the sweep leaves it alone.
    assert webhooks.deliveries_sweep() == 0

    _make_due(delivery)
    assert webhooks.deliveries_sweep() == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [entry["status_code"] for entry in delivery.log] == [500, 200]
    assert len(httpserver.log) == 2


@pytest.mark.django_db
def test_a_receiver_that_always_fails_fails_the_delivery_and_marks_the_webhook_failing(
    httpserver, settings
):
    settings.ADOPTION_WEBHOOK_MAX_ATTEMPTS = 2
    httpserver.expect_request("/hook").respond_with_data("no", status=502)
    delivery = _pending_delivery(httpserver)

    assert webhooks.delivery_attempt(delivery.pk) is not None
    delivery.webhook.refresh_from_db()
    assert delivery.webhook.failing_since is None
    _make_due(delivery)
    assert webhooks.delivery_attempt(delivery.pk) is None

    delivery.refresh_from_db()
    delivery.webhook.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 2
    assert delivery.next_attempt_at is None
    assert len(delivery.log) == 2
    assert delivery.webhook.failing_since is not None
    # Failed for good: neither the task nor the sweep tries it again.
    assert webhooks.delivery_attempt(delivery.pk) is None
    assert len(httpserver.log) == 2


@pytest.mark.django_db
def test_a_later_success_clears_the_webhooks_failing_mark(httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    delivery = _pending_delivery(httpserver)
    delivery.webhook.failing_since = timezone.now()
    delivery.webhook.save()

    webhooks.delivery_attempt(delivery.pk)

    delivery.webhook.refresh_from_db()
    assert delivery.webhook.failing_since is None


@pytest.fixture
def threaded_server():
    """A receiver that answers requests in threads (one may sleep past the timeout)."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.mark.django_db
def test_a_slow_receiver_is_recorded_as_a_timeout_within_the_timeout(threaded_server, settings):
    settings.ADOPTION_WEBHOOK_TIMEOUT_SECONDS = 1

    def slow(request):
        time.sleep(2)
        return Response("late")

    threaded_server.expect_request("/hook").respond_with_handler(slow)
    delivery = _pending_delivery(threaded_server)

    started = time.monotonic()
    delay = webhooks.delivery_attempt(delivery.pk)
    elapsed = time.monotonic() - started

    assert elapsed < 1.8
    assert delay is not None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error == "No complete answer within 1 s."
    assert delivery.log[0]["status_code"] is None


@pytest.mark.django_db
def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(httpserver):
    httpserver.expect_request("/hook").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/elsewhere")}
    )
    httpserver.expect_request("/elsewhere").respond_with_data("ok")
    delivery = _pending_delivery(httpserver)

    assert webhooks.delivery_attempt(delivery.pk) is not None

    assert [request.path for request, _response in httpserver.log] == ["/hook"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code == 302
    assert delivery.last_error == (
        f"The receiver answered 302, a redirect to {httpserver.url_for('/elsewhere')}; "
        "redirects are not followed."
    )


@pytest.mark.django_db
def test_retry_after_in_seconds_sets_the_next_attempt(httpserver):
    httpserver.expect_request("/hook").respond_with_data(
        "busy", status=503, headers={"Retry-After": "120"}
    )
    delivery = _pending_delivery(httpserver)

    assert webhooks.delivery_attempt(delivery.pk) == 120

    delivery.refresh_from_db()
    remaining = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 110 < remaining <= 120


@pytest.mark.django_db
def test_retry_after_is_capped_at_an_hour(httpserver):
    httpserver.expect_request("/hook").respond_with_data(
        "busy", status=429, headers={"Retry-After": "86400"}
    )
    delivery = _pending_delivery(httpserver)

    assert webhooks.delivery_attempt(delivery.pk) == webhooks.MAX_BACKOFF_SECONDS


def test_backoff_doubles_and_stops_at_an_hour(settings):
    settings.ADOPTION_WEBHOOK_BACKOFF_SECONDS = 30
    assert 30 <= webhooks.backoff_seconds(1) <= 33
    assert 60 <= webhooks.backoff_seconds(2) <= 66
    assert 240 <= webhooks.backoff_seconds(4) <= 264
    assert webhooks.backoff_seconds(20) == webhooks.MAX_BACKOFF_SECONDS


@pytest.mark.django_db
def test_a_refused_connection_is_logged_never_raised():
    webhook = factories.WebhookFactory(url="http://127.0.0.1:1/hook")
    delivery = factories.DeliveryFactory(webhook=webhook)

    assert webhooks.delivery_attempt(delivery.pk) is not None

    delivery.refresh_from_db()
    assert delivery.last_error.startswith("The request failed: ")
    assert delivery.attempts == 1


@pytest.mark.django_db
def test_a_switched_off_webhook_fails_its_delivery_without_sending(httpserver):
    delivery = _pending_delivery(httpserver, active=False)

    assert webhooks.delivery_attempt(delivery.pk) is None

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == str(webhooks.WEBHOOK_INACTIVE)
    assert httpserver.log == []


@pytest.mark.django_db
def test_the_sweep_is_bounded_by_its_limit_and_tries_a_failing_webhook_once(httpserver):
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    webhook = factories.WebhookFactory(url=httpserver.url_for("/hook"))
    for _ in range(3):
        factories.DeliveryFactory(webhook=webhook, next_attempt_at=timezone.now())
    healthy = factories.WebhookFactory(url=httpserver.url_for("/ok"))
    httpserver.expect_request("/ok").respond_with_data("ok")
    for _ in range(3):
        factories.DeliveryFactory(webhook=healthy, next_attempt_at=timezone.now())

    assert webhooks.deliveries_sweep(limit=5) == 3  # one failing, then two healthy

    assert Delivery.objects.filter(webhook=healthy, status=DeliveryStatus.DELIVERED).count() == 2


# --- Send test -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_test_delivers_to_that_webhook_only(
    httpserver, broker_at, django_capture_on_commit_callbacks
):
    broker_at(None)  # the task runs here, after commit
    httpserver.expect_request("/hook").respond_with_data("ok")
    webhook = factories.WebhookFactory(url=httpserver.url_for("/hook"), secret=SECRET)
    factories.SubscriptionFactory(webhook__url=httpserver.url_for("/other"))  # follows all
    user = factories.make_staff("editor-1", "editor")

    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhooks.webhook_send_test(webhook=webhook, user=user)

    assert Delivery.objects.filter(event=delivery.event).count() == 1
    assert delivery.event.kind == EventKind.TEST
    assert delivery.event.payload == {"webhook": webhook.pk, "requested_by": "editor-1"}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    ((request, _response),) = httpserver.log
    assert request.path == "/hook"
    assert request.headers["X-Registry-Event"] == "test"
    assert verified(request)


# --- Through the queue, and without it ---------------------------------------------------------


@pytest.mark.django_db
def test_with_redis_down_the_event_commits_and_the_sweep_catches_up(
    httpserver, broker_at, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    broker_at("redis://127.0.0.1:1/0")  # nothing listens there
    assert not celery_app.conf.task_always_eager
    subscription = factories.SubscriptionFactory(webhook__url=httpserver.url_for("/hook"))

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        event = events.event_record(kind=EventKind.APPROVAL_CHANGED, title="Approved")
    assert time.monotonic() - started < 10

    delivery = Delivery.objects.get(event=event)
    assert delivery.webhook == subscription.webhook
    assert delivery.status == DeliveryStatus.PENDING
    assert httpserver.log == []

    assert webhooks.deliveries_sweep() == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    ((request, _response),) = httpserver.log
    assert verified(request)


@pytest.fixture
def celery_worker(transactional_db, broker_at, tmp_path):
    """A real Celery worker process on the test database, fed through the test Redis."""
    url = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    broker = redis.Redis.from_url(url)
    broker.flushdb()
    broker_at(url)
    log = tmp_path / "worker.log"
    worker = start_celery_worker(
        broker_url=url, database=settings.DATABASES["default"], log_path=log, name="hooks"
    )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        broker.flushdb()
        if worker.returncode not in (0, -15):
            print(log.read_text(errors="replace"))


def test_a_real_worker_delivers_a_recorded_event_signed(celery_worker, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    factories.SubscriptionFactory(
        webhook__url=httpserver.url_for("/hook"),
        webhook__secret=SECRET,
        kinds=[EventKind.APPROVAL_CHANGED],
    )

    event = events.event_record(kind=EventKind.APPROVAL_CHANGED, title="Approved for chat")

    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    delivery = Delivery.objects.get(event=event)
    while delivery.status != DeliveryStatus.DELIVERED:
        if celery_worker.poll() is not None:
            pytest.fail(f"The worker exited ({celery_worker.returncode}) before delivering.")
        if time.monotonic() > deadline:
            pytest.fail(f"No delivery within {WORKER_TIMEOUT_SECONDS} s.")
        time.sleep(0.2)
        delivery.refresh_from_db()
    ((request, _response),) = httpserver.log
    assert verified(request)
    assert json.loads(request.get_data())["title"] == "Approved for chat"
