"""A deployment's API key: the health check sends it to an endpoint started with ``--api-key``
(and only there), editors write it in the admin and the API, and nobody reads it back: not the
admin's pages, not the API's answers, not the history."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_httpserver import HTTPServer

from adoption.admin.operations import API_KEY_CLEAR_AND_NEW
from adoption.choices import Health
from adoption.models import Deployment, DeploymentEvent
from adoption.services import health
from catalog.keys import variant_key
from tests import factories
from tests.factories import DeploymentFactory, token_client

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
KEY = "sk-internal-0123456789"
MODELS = {"object": "list", "data": [{"id": "served-model", "object": "model"}]}


def english(message, **params) -> str:
    with translation.override("en"):
        return str(message % params)


@pytest.fixture
def endpoint(httpserver):
    """An endpoint started with ``--api-key KEY``: 401 without the key, as vLLM answers."""
    httpserver.expect_request(
        "/v1/models", headers={"Authorization": f"Bearer {KEY}"}
    ).respond_with_json(MODELS)
    httpserver.expect_request("/v1/models").respond_with_json({"error": "Unauthorized"}, status=401)
    return httpserver.url_for("/").rstrip("/")


# -- the health check


def test_the_check_sends_the_key_as_a_bearer_token_and_the_endpoint_is_up(httpserver, endpoint):
    deployment = DeploymentFactory(endpoint_url=endpoint, api_key=KEY)

    health.deployment_check(deployment, now=NOW)

    assert deployment.health == Health.UP
    assert deployment.served_models == ["served-model"]
    request, _response = httpserver.log[0]
    assert request.headers["Authorization"] == f"Bearer {KEY}"


def test_without_a_key_a_401_says_the_endpoint_wants_one(endpoint):
    deployment = DeploymentFactory(endpoint_url=endpoint)

    health.deployment_check(deployment, now=NOW)

    assert deployment.health == Health.DOWN
    assert deployment.last_error == english(health.KEY_WANTED, status=401)


def test_a_wrong_key_is_named_as_refused(endpoint):
    deployment = DeploymentFactory(endpoint_url=endpoint, api_key="sk-the-old-key")

    health.deployment_check(deployment, now=NOW)

    assert deployment.health == Health.DOWN
    assert deployment.last_error == english(health.KEY_REFUSED, status=401)
    assert "sk-the-old-key" not in deployment.last_error


def test_checking_all_sends_each_deployment_its_own_key(endpoint):
    with_key = DeploymentFactory(endpoint_url=endpoint, api_key=KEY)
    without = DeploymentFactory(endpoint_url=endpoint)

    counts = health.deployments_check_all(now=NOW)

    assert counts == {"checked": 2, "up": 1, "down": 1}
    healths = dict(Deployment.objects.values_list("pk", "health"))
    assert healths == {with_key.pk: Health.UP, without.pk: Health.DOWN}


def test_the_key_follows_a_redirect_on_the_same_host_and_never_another_host(httpserver):
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("/v1/models").respond_with_json(MODELS)
        httpserver.expect_request("/v1/models").respond_with_data(
            "", status=302, headers={"Location": "/serving/v1/models"}
        )
        httpserver.expect_request("/serving/v1/models").respond_with_data(
            "", status=307, headers={"Location": other.url_for("/v1/models")}
        )
        deployment = DeploymentFactory(endpoint_url=httpserver.url_for("/"), api_key=KEY)

        health.deployment_check(deployment, now=NOW)

        assert [r.headers["Authorization"] for r, _ in httpserver.log] == [f"Bearer {KEY}"] * 2
        assert other.log == []
        assert deployment.health == Health.DOWN
    finally:
        other.clear()
        other.stop()


# -- the admin


@pytest.fixture
def editor_client(client):
    client.force_login(factories.make_editor())
    return client


def _form(deployment, **changes) -> dict:
    return {
        "name": deployment.name,
        "variant": deployment.variant.pk,
        "environment": deployment.environment,
        "status": deployment.status,
        "endpoint_url": deployment.endpoint_url,
        "api_key": "",
        "engine": deployment.engine,
        "engine_version": "",
        "profile": "",
        "precision": "",
        "max_context_tokens": "",
        "owner_team": deployment.owner_team,
        "owner_contact": "",
        **changes,
    }


def _change_url(deployment) -> str:
    return reverse("admin:adoption_deployment_change", args=[deployment.pk])


def test_the_admin_never_shows_the_key_and_an_empty_field_keeps_it(editor_client):
    deployment = DeploymentFactory(api_key=KEY)

    page = editor_client.get(_change_url(deployment)).content.decode()
    assert KEY not in page
    assert 'type="password" name="api_key"' in page
    assert 'name="api_key_clear"' in page

    saved = editor_client.post(_change_url(deployment), _form(deployment, owner_team="ML"))
    assert saved.status_code == 302
    deployment.refresh_from_db()
    assert (deployment.owner_team, deployment.api_key) == ("ML", KEY)


def test_the_admin_replaces_or_removes_the_key_but_not_both_at_once(editor_client):
    deployment = DeploymentFactory(api_key=KEY)
    url = _change_url(deployment)

    assert editor_client.post(url, _form(deployment, api_key="sk-new")).status_code == 302
    assert Deployment.objects.get().api_key == "sk-new"

    both = editor_client.post(url, _form(deployment, api_key="sk-third", api_key_clear="on"))
    assert both.status_code == 200
    assert both.context["adminform"].form.errors == {"api_key_clear": [str(API_KEY_CLEAR_AND_NEW)]}
    assert Deployment.objects.get().api_key == "sk-new"

    assert editor_client.post(url, _form(deployment, api_key_clear="on")).status_code == 302
    assert Deployment.objects.get().api_key == ""


def test_a_key_with_a_space_or_a_line_break_is_refused_naming_the_field(editor_client):
    deployment = DeploymentFactory(api_key=KEY)

    response = editor_client.post(_change_url(deployment), _form(deployment, api_key="sk a\nb"))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["api_key"]
    assert Deployment.objects.get().api_key == KEY


def test_a_viewer_sees_only_that_a_key_is_held(client):
    deployment = DeploymentFactory(api_key=KEY)
    client.force_login(factories.make_staff("deployment-viewer", "viewer"))

    page = client.get(_change_url(deployment)).content.decode()

    assert KEY not in page
    assert "••••" in page
    assert 'name="api_key' not in page


def test_the_history_never_holds_the_key(editor_client):
    deployment = DeploymentFactory(api_key=KEY)
    editor_client.post(_change_url(deployment), _form(deployment, api_key="sk-new", name="b"))

    events = DeploymentEvent.objects.filter(pgh_obj_id=deployment.pk)
    assert events.count() == 2
    assert not hasattr(events.first(), "api_key")
    assert KEY not in str(list(events.values()))


# -- the API


def test_the_api_takes_the_key_and_answers_only_whether_one_is_held():
    editor = token_client(factories.make_editor())
    body = {
        "name": "chat-prod",
        "variant": variant_key(factories.VariantFactory()),
        "environment": "production",
        "engine": "vllm",
        "owner_team": "Platform",
        "api_key": KEY,
    }

    created = editor.post(reverse("deployment-list"), body, format="json")
    assert created.status_code == 201, created.json()
    assert "api_key" not in created.json()
    assert created.json()["api_key_set"] is True
    detail = reverse("deployment-detail", args=[created.json()["id"]])
    assert KEY not in editor.get(detail).content.decode()
    assert KEY not in editor.get(reverse("deployment-list"), {"format": "csv"}).content.decode()

    kept = editor.patch(detail, {"owner_team": "ML"}, format="json")
    assert kept.json()["api_key_set"] is True
    bad = editor.patch(detail, {"api_key": "two words"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()) == ["api_key"]
    removed = editor.patch(detail, {"api_key": ""}, format="json")
    assert removed.json()["api_key_set"] is False
    assert Deployment.objects.get().api_key == ""


def test_an_empty_csv_has_no_column_for_the_key():
    viewer = token_client(factories.make_staff("csv-viewer", "viewer"))

    response = viewer.get(reverse("deployment-list"), {"format": "csv"})

    header = response.content.decode().splitlines()[0].split(",")
    assert "api_key_set" in header
    assert "api_key" not in header
