"""API tokens never reach a log, whatever the request does; session cookies are secure."""

import io
import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.models import ApiToken, hash_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything_logged(caplog):
    """Every logger at DEBUG, SQL included (the cursor logs each query, as under DEBUG)."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


def _logged_text(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(record.exc_text or "")
        parts.append(repr(getattr(record, "request", "")))
        parts.append(repr(record.__dict__))
    return "\n".join(parts)


def test_api_requests_with_tokens_never_log_the_token(everything_logged):
    editor = factories.make_editor()
    organization = factories.OrganizationFactory()
    _token, plaintext = ApiToken.issue(user=editor, name="ci")
    _ro, read_only = ApiToken.issue(user=editor, name="ro", read_only=True)
    expired_token, expired = ApiToken.issue(
        user=editor, name="old", expires_at=timezone.now() - timedelta(days=1)
    )
    unknown = "llmr_" + "x" * 43
    detail = f"/api/v1/organizations/{organization.slug}/"

    def call(token, method="get", path="/api/v1/organizations/", **body):
        client = Client(headers={"authorization": f"Token {token}"})
        return getattr(client, method)(path, body or None, content_type="application/json")

    assert call(plaintext).status_code == 200
    assert call(plaintext, "patch", detail, name="Renamed").status_code == 200
    assert call(plaintext, "post", "/api/v1/organizations/", slug="bad slug").status_code == 400
    assert call(read_only, "patch", detail, name="Nope").status_code == 403
    assert call(expired).status_code == 401
    assert call(unknown).status_code == 401
    logged = _logged_text(everything_logged)
    # The requests were logged (the SQL, the refused ones): the check has something to read.
    assert "token_hash" in logged
    assert any(r.name == "django.request" for r in everything_logged.records)
    for secret in (plaintext, read_only, expired, unknown):
        assert secret not in logged
        # Nor a recognisable part of it (the stored prefix is public by design).
        assert secret[len(expired_token.prefix) :] not in logged


def test_issuing_a_token_prints_it_once_and_logs_nothing_of_it(everything_logged):
    factories.make_editor()
    out = io.StringIO()
    call_command("create_api_token", "editor", "--name", "ci", stdout=out)
    plaintext = out.getvalue().strip()
    assert ApiToken.objects.get(token_hash=hash_token(plaintext))
    assert plaintext not in _logged_text(everything_logged)


def test_session_and_csrf_cookies_are_http_only_same_site_and_secure():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE in {"Lax", "Strict"}
    assert settings.CSRF_COOKIE_SAMESITE in {"Lax", "Strict"}
    # The test settings run with DEBUG off: production defaults.
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True


def test_a_session_cookie_is_sent_with_its_flags(admin_user):
    client = Client()
    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": "password", "next": "/admin/"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


def test_cookies_are_only_relaxed_for_plain_http_development():
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE)"
    runs = {}
    for debug in ("0", "1"):
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECURE_COOKIES"}
        env.update(DJANGO_SETTINGS_MODULE="llmregistry.settings", DJANGO_DEBUG=debug)
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        runs[debug] = result.stdout.strip().splitlines()[-1]
    assert runs == {"0": "True", "1": "False"}
