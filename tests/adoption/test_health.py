"""Health checks of deployments against local fake endpoints (pytest-httpserver): what a check
records, the events it records on a change of health, its time bound, the hosts it asks, and
that it runs with the queue down. No test here touches the network."""

import json
import socket
import threading
import time
from datetime import UTC, datetime

import kombu.pools
import pytest
from django.utils import translation
from pytest_httpserver import HTTPServer
from werkzeug import Response

from adoption import tasks
from adoption.choices import DeliveryStatus, EventKind, Health
from adoption.models import Delivery, Deployment, Event
from adoption.services import health
from llmregistry.celery import app as celery_app
from tests.factories import DeploymentFactory, SubscriptionFactory, WebhookFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2025, 6, 1, 12, 5, tzinfo=UTC)
MODELS = {
    "object": "list",
    "data": [
        {"id": "meta-llama/Llama-3.1-8B-Instruct", "object": "model", "owned_by": "vllm"},
        {"id": "my-lora", "object": "model", "owned_by": "vllm"},
    ],
}
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def english(message, **params) -> str:
    with translation.override("en"):
        return str(message % params if params else message)


@pytest.fixture
def other_server():
    """A second fake server: another port, so another host for the redirect rule."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def endpoint(httpserver):
    return httpserver.url_for("/").rstrip("/")


@pytest.fixture
def deployment(endpoint):
    return DeploymentFactory(name="chat-prod", endpoint_url=endpoint)


def serve_models(httpserver, models=MODELS):
    httpserver.expect_request("/v1/models", method="GET").respond_with_json(models)


def serve_error(httpserver, status=500):
    httpserver.expect_request("/v1/models").respond_with_data("oops", status=status)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_endpoint_that_lists_its_models_is_up_with_the_models_it_serves(httpserver, deployment):
    serve_models(httpserver)

    result = health.deployment_check(deployment, now=NOW)

    deployment.refresh_from_db()
    assert result.health == deployment.health == Health.UP
    assert deployment.served_models == ["meta-llama/Llama-3.1-8B-Instruct", "my-lora"]
    assert deployment.last_seen_up_at == NOW
    assert deployment.last_checked_at == NOW
    assert deployment.last_error == ""
    assert deployment.consecutive_failures == 0
    request, _response = httpserver.log[0]
    assert request.path == "/v1/models"


@pytest.mark.parametrize("suffix", ["/v1", "/v1/", "/"])
def test_an_endpoint_given_with_its_v1_or_a_slash_is_asked_once_for_v1_models(
    httpserver, endpoint, suffix
):
    serve_models(httpserver)
    deployment = DeploymentFactory(endpoint_url=endpoint + suffix)

    health.deployment_check(deployment, now=NOW)

    assert deployment.health == Health.UP
    assert [request.path for request, _response in httpserver.log] == ["/v1/models"]


def test_an_endpoint_under_a_path_is_asked_under_that_path(httpserver, endpoint):
    httpserver.expect_request("/gateway/chat/v1/models").respond_with_json(MODELS)
    deployment = DeploymentFactory(endpoint_url=f"{endpoint}/gateway/chat")

    health.deployment_check(deployment, now=NOW)

    assert deployment.health == Health.UP


def test_the_models_kept_are_capped_in_number_and_length(httpserver, deployment):
    serve_models(httpserver, {"data": [{"id": f"{n:03d}" + "x" * 300} for n in range(80)]})

    health.deployment_check(deployment, now=NOW)

    deployment.refresh_from_db()
    assert len(deployment.served_models) == health.MAX_SERVED_MODELS
    assert {len(name) for name in deployment.served_models} == {health.MAX_MODEL_ID_CHARS}
    assert deployment.served_models[0].startswith("000")


def test_a_server_error_is_down_with_its_status(httpserver, deployment):
    serve_error(httpserver, status=500)

    result = health.deployment_check(deployment, now=NOW)

    deployment.refresh_from_db()
    assert result.health == deployment.health == Health.DOWN
    assert deployment.last_error == english(health.HTTP_STATUS, status=500)
    assert deployment.consecutive_failures == 1
    assert deployment.last_checked_at == NOW
    assert deployment.last_seen_up_at is None


def test_an_answer_that_is_not_json_is_down(httpserver, deployment):
    httpserver.expect_request("/v1/models").respond_with_data(
        "<html>Welcome to nginx</html>", content_type="text/html"
    )

    health.deployment_check(deployment, now=NOW)

    deployment.refresh_from_db()
    assert deployment.health == Health.DOWN
    assert deployment.last_error == english(health.NOT_JSON)


@pytest.mark.parametrize(
    "answer",
    [{"object": "list"}, {"data": "none"}, {"data": [{"name": "no id"}]}, [{"id": "x"}]],
)
def test_json_that_is_not_a_model_list_is_down(httpserver, deployment, answer):
    serve_models(httpserver, answer)

    health.deployment_check(deployment, now=NOW)

    assert deployment.health == Health.DOWN
    assert deployment.last_error == english(health.NOT_MODEL_LIST)


def test_an_answer_over_the_size_cap_is_down_unread(httpserver, deployment):
    huge = json.dumps({"data": [{"id": "m" * 1000}] * 2000})
    httpserver.expect_request("/v1/models").respond_with_data(huge)

    health.deployment_check(deployment, now=NOW)

    assert deployment.health == Health.DOWN
    assert deployment.last_error == english(health.TOO_LARGE, limit=health.MAX_BODY_BYTES)


def test_a_refused_connection_is_down_with_a_constant_message():
    deployment = DeploymentFactory(endpoint_url=f"http://127.0.0.1:{closed_port()}")

    health.deployment_check(deployment, now=NOW)

    assert deployment.health == Health.DOWN
    assert deployment.last_error == english(health.CANNOT_CONNECT)


def test_a_slow_endpoint_is_down_within_the_timeout(httpserver, deployment, settings):
    settings.ADOPTION_HEALTH_TIMEOUT_SECONDS = 1
    release = threading.Event()

    def stall(request):
        release.wait(10)
        return Response(json.dumps(MODELS), content_type="application/json")

    httpserver.expect_request("/v1/models").respond_with_handler(stall)
    started = time.monotonic()
    try:
        health.deployment_check(deployment, now=NOW)
        elapsed = time.monotonic() - started
    finally:
        release.set()

    assert elapsed < 1 + 2
    assert deployment.health == Health.DOWN
    assert deployment.last_error == english(health.TIMED_OUT, seconds=1)


def test_a_redirect_on_the_same_host_is_followed(httpserver, deployment):
    httpserver.expect_request("/v1/models").respond_with_data(
        "", status=302, headers={"Location": "/serving/v1/models"}
    )
    httpserver.expect_request("/serving/v1/models").respond_with_json(MODELS)

    health.deployment_check(deployment, now=NOW)

    assert deployment.health == Health.UP
    assert [request.path for request, _response in httpserver.log] == [
        "/v1/models",
        "/serving/v1/models",
    ]


def test_a_redirect_to_another_host_is_not_followed_and_is_down(
    httpserver, deployment, other_server
):
    other_server.expect_request("/v1/models").respond_with_json(MODELS)
    target = other_server.url_for("/v1/models") + "?token=secret"
    httpserver.expect_request("/v1/models").respond_with_data(
        "", status=307, headers={"Location": target}
    )

    health.deployment_check(deployment, now=NOW)

    assert other_server.log == []
    assert deployment.health == Health.DOWN
    origin = f"http://127.0.0.1:{other_server.port}"
    assert deployment.last_error == english(health.REDIRECT_ELSEWHERE, target=origin)
    assert "secret" not in deployment.last_error


def test_a_redirect_loop_on_the_same_host_stops_after_three_redirects(httpserver, deployment):
    httpserver.expect_request("/v1/models").respond_with_data(
        "", status=301, headers={"Location": "/v1/models"}
    )

    health.deployment_check(deployment, now=NOW)

    assert len(httpserver.log) == health.MAX_REDIRECTS + 1
    assert deployment.health == Health.DOWN
    assert deployment.last_error == english(health.TOO_MANY_REDIRECTS, count=health.MAX_REDIRECTS)


def test_the_environments_proxy_is_not_used(httpserver, deployment, other_server, monkeypatch):
    other_server.expect_request("/v1/models").respond_with_json(MODELS)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, other_server.url_for("/"))
    serve_models(httpserver)

    health.deployment_check(deployment, now=NOW)

    assert other_server.log == []
    assert deployment.health == Health.UP


def test_the_check_writes_only_the_health_fields(httpserver, deployment):
    serve_models(httpserver)
    Deployment.objects.filter(pk=deployment.pk).update(
        name="renamed meanwhile", owner_team="Search team"
    )
    updated_at = Deployment.objects.get(pk=deployment.pk).updated_at

    health.deployment_check(deployment, now=NOW)

    stored = Deployment.objects.get(pk=deployment.pk)
    assert (stored.name, stored.owner_team) == ("renamed meanwhile", "Search team")
    assert stored.updated_at == updated_at
    assert stored.health == Health.UP


def test_an_error_is_stored_in_english_whatever_language_is_active(httpserver, deployment):
    serve_error(httpserver, status=503)

    with translation.override("zh-hans"):
        health.deployment_check(deployment, now=NOW)

    assert deployment.last_error == english(health.HTTP_STATUS, status=503)


def test_going_down_records_one_event_and_one_delivery_per_subscribed_webhook(
    httpserver, deployment
):
    deployment.health = Health.UP
    deployment.save()
    webhook = WebhookFactory()
    SubscriptionFactory(webhook=webhook, deployment=deployment)
    SubscriptionFactory(webhook=WebhookFactory(), deployment=DeploymentFactory())
    serve_error(httpserver, status=502)

    health.deployment_check(deployment, now=NOW)

    event = Event.objects.get()
    assert event.kind == EventKind.ENDPOINT_DOWN
    assert event.title == "chat-prod is down"
    assert event.summary == english(health.HTTP_STATUS, status=502)
    assert event.deployment == deployment
    assert event.variant_id == deployment.variant_id
    assert event.occurred_at == NOW
    delivery = Delivery.objects.get()
    assert (delivery.webhook, delivery.event, delivery.status) == (
        webhook,
        event,
        DeliveryStatus.PENDING,
    )


def test_a_first_check_that_fails_records_the_endpoint_down(httpserver, deployment):
    serve_error(httpserver)

    health.deployment_check(deployment, now=NOW)

    assert list(Event.objects.values_list("kind", flat=True)) == [EventKind.ENDPOINT_DOWN]


def test_a_second_failed_check_records_no_new_event(httpserver, deployment):
    SubscriptionFactory(webhook=WebhookFactory(), deployment=deployment)
    serve_error(httpserver)

    health.deployment_check(deployment, now=NOW)
    health.deployment_check(deployment, now=LATER)

    deployment.refresh_from_db()
    assert deployment.consecutive_failures == 2
    assert deployment.last_checked_at == LATER
    assert Event.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_coming_back_up_records_the_endpoint_up_and_resets_the_failures(httpserver, deployment):
    serve_error(httpserver)
    health.deployment_check(deployment, now=NOW)
    health.deployment_check(deployment, now=NOW)
    httpserver.clear()
    serve_models(httpserver)

    health.deployment_check(deployment, now=LATER)

    deployment.refresh_from_db()
    assert deployment.health == Health.UP
    assert deployment.consecutive_failures == 0
    assert deployment.last_error == ""
    assert deployment.last_seen_up_at == LATER
    event = Event.objects.get(kind=EventKind.ENDPOINT_UP)
    assert event.title == "chat-prod is back up"
    assert event.summary == english(health.UP_SUMMARY, count=2)
    assert Event.objects.count() == 2


def test_a_first_check_that_succeeds_and_staying_up_record_no_event(httpserver, deployment):
    serve_models(httpserver)

    health.deployment_check(deployment, now=NOW)
    health.deployment_check(deployment, now=LATER)

    assert not Event.objects.exists()


def test_checking_all_asks_only_active_deployments_with_an_endpoint(httpserver, endpoint):
    serve_models(httpserver)
    active = DeploymentFactory(endpoint_url=endpoint)
    retired = DeploymentFactory(endpoint_url=endpoint, status="retired")
    planned = DeploymentFactory(endpoint_url=endpoint, status="planned")
    without_endpoint = DeploymentFactory(endpoint_url="")

    counts = health.deployments_check_all(now=NOW)

    assert counts == {"checked": 1, "up": 1, "down": 0}
    assert len(httpserver.log) == 1
    healths = dict(Deployment.objects.values_list("pk", "health"))
    assert healths[active.pk] == Health.UP
    for skipped in (retired, planned, without_endpoint):
        assert healths[skipped.pk] == Health.UNKNOWN


def test_checking_all_counts_the_up_and_the_down(httpserver, endpoint):
    serve_models(httpserver)
    httpserver.expect_request("/broken/v1/models").respond_with_data("", status=404)
    for _n in range(3):
        DeploymentFactory(endpoint_url=endpoint)
    broken = DeploymentFactory(endpoint_url=f"{endpoint}/broken")
    refused = DeploymentFactory(endpoint_url=f"http://127.0.0.1:{closed_port()}")

    counts = health.deployments_check_all(now=NOW)

    assert counts == {"checked": 5, "up": 3, "down": 2}
    errors = dict(Deployment.objects.values_list("pk", "last_error"))
    assert errors[broken.pk] == english(health.HTTP_STATUS, status=404)
    assert errors[refused.pk] == english(health.CANNOT_CONNECT)


def test_checking_all_gives_up_on_a_stalled_endpoint_within_its_budget(
    httpserver, endpoint, settings
):
    settings.ADOPTION_HEALTH_TIMEOUT_SECONDS = 1
    release = threading.Event()
    httpserver.expect_request("/v1/models").respond_with_handler(
        lambda request: release.wait(10) and Response("{}")
    )
    deployment = DeploymentFactory(endpoint_url=endpoint)
    started = time.monotonic()
    try:
        counts = health.deployments_check_all(now=NOW)
        elapsed = time.monotonic() - started
    finally:
        release.set()

    assert elapsed < health.check_budget_seconds(1, timeout_seconds=1) + 1
    assert counts == {"checked": 1, "up": 0, "down": 1}
    deployment.refresh_from_db()
    assert deployment.last_error == english(health.TIMED_OUT, seconds=1)


@pytest.fixture
def broker_down():
    """This process publishes tasks to a Redis nobody listens on, instead of running them
    eagerly; restored afterwards. (The app reads Django settings under the CELERY namespace.)"""
    previous = {
        "CELERY_TASK_ALWAYS_EAGER": celery_app.conf.task_always_eager,
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
    }
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=UNREACHABLE_BROKER)
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        # Drop the overrides (not re-set them): the app reads Django's settings again, which
        # other tests change through the settings fixture.
        for key in previous:
            celery_app.conf.changes.pop(key, None)
        kombu.pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_checking_all_works_with_the_queue_down_and_leaves_deliveries_for_the_sweep(
    httpserver, deployment, broker_down, django_capture_on_commit_callbacks
):
    webhook = WebhookFactory()
    SubscriptionFactory(webhook=webhook, deployment=deployment)
    serve_error(httpserver)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        counts = health.deployments_check_all(now=NOW)

    assert callbacks  # the enqueue ran, and its failure to reach Redis stayed inside
    assert counts == {"checked": 1, "up": 0, "down": 1}
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.event.kind == EventKind.ENDPOINT_DOWN


def test_the_celery_task_checks_the_deployments_and_returns_the_counts(httpserver, endpoint):
    serve_models(httpserver)
    DeploymentFactory(endpoint_url=endpoint)

    result = tasks.check_deployments.apply()

    assert result.successful()
    assert result.result == {"checked": 1, "up": 1, "down": 0}
