"""Failed admin sign-ins lock a username from an address, in the database (django-axes): the
lockout holds for every client and worker, refuses even the right password, spares other
users and addresses, and lifts when an admin unlocks it."""

import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LOCKED = 429


@pytest.fixture
def editor():
    return factories.make_editor()


def _sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def _fail_until_locked(username: str, address: str = "10.0.0.1") -> None:
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in(client, username, "wrong-password", address)
        assert response.status_code in {200, LOCKED}


def test_a_correct_password_signs_in(editor):
    assert _signed_in(_sign_in(Client(), editor.username, PASSWORD))


def test_failures_below_the_limit_do_not_lock(editor):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, editor.username, "wrong-password").status_code == 200
    assert _signed_in(_sign_in(client, editor.username, PASSWORD))


def test_the_limit_locks_the_username_from_that_address_for_every_client(editor):
    _fail_until_locked(editor.username)
    # The count lives in PostgreSQL, shared by every worker, not in a per-process cache.
    assert AccessAttempt.objects.filter(username=editor.username).exists()
    cache.clear()
    other_client = Client()
    response = _sign_in(other_client, editor.username, PASSWORD)
    assert response.status_code == LOCKED
    assert str(settings.AXES_COOLOFF_MESSAGE) in response.content.decode()
    assert "_auth_user_id" not in other_client.session


def test_a_lockout_spares_other_users_and_other_addresses(editor):
    _fail_until_locked(editor.username)
    colleague = factories.make_editor("colleague")
    assert _signed_in(_sign_in(Client(), colleague.username, PASSWORD))
    assert _signed_in(_sign_in(Client(), editor.username, PASSWORD, address="10.0.0.2"))


def test_an_admin_unlocks_a_locked_user_from_the_admin(editor, admin_client):
    _fail_until_locked(editor.username)
    attempt = AccessAttempt.objects.get(username=editor.username)
    assert admin_client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert _signed_in(_sign_in(Client(), editor.username, PASSWORD))


def test_axes_reset_command_unlocks_a_user(editor):
    from django.core.management import call_command

    _fail_until_locked(editor.username)
    call_command("axes_reset_username", editor.username)
    assert _signed_in(_sign_in(Client(), editor.username, PASSWORD))


def test_behind_a_proxy_the_client_is_the_address_the_proxy_appended(editor, monkeypatch):
    from llmregistry import settings as registry_settings

    monkeypatch.setattr(registry_settings, "_axes_proxy_count", 1)
    proxy = "10.9.9.9"
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # Entries the client sends itself (left of the proxy's) cannot shift its address.
        Client().post(
            reverse("admin:login"),
            {"username": editor.username, "password": "wrong-password"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}, 10.0.0.7",
        )
    assert AccessAttempt.objects.get(username=editor.username).ip_address == "10.0.0.7"
    locked = Client().post(
        reverse("admin:login"),
        {"username": editor.username, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="10.0.0.7",
    )
    assert locked.status_code == LOCKED
    colleague_behind_same_proxy = Client().post(
        reverse("admin:login"),
        {"username": editor.username, "password": PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="10.0.0.8",
    )
    assert _signed_in(colleague_behind_same_proxy)


def test_api_tokens_are_not_subject_to_the_sign_in_lockout(editor):
    _fail_until_locked(editor.username)
    _token, plaintext = ApiToken.issue(user=editor, name="ci")
    response = Client().get(
        "/api/v1/organizations/", HTTP_AUTHORIZATION=f"Token {plaintext}", REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 200


def test_the_failure_limit_and_cool_off_come_from_the_environment():
    code = (
        "from django.conf import settings; "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "llmregistry.settings",
        "AXES_FAILURE_LIMIT": "7",
        "AXES_COOLOFF_MINUTES": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["7", "None"]
