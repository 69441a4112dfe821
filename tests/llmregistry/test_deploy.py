"""Production hardening: `check --deploy` passes with the production settings, every kind of
response carries the security headers, a foreign Host header is refused and an error page
leaks nothing."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import path, reverse

from catalog.models import Organization

ROOT = Path(__file__).resolve().parents[2]
SECRET_MARKER = "not-a-real-secret-but-recognisable-7f3a9c"


def _production_environment(**overrides: str) -> dict[str, str]:
    """The environment of a compose deployment: .env.example as shipped, with the values it
    asks the operator to fill in (a long secret key, the database)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "REGISTRY_", "CELERY_", "REDIS_", "INGEST_", "OIDC_"))
    }
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip()
    database = django_settings.DATABASES["default"]
    env["DATABASE_URL"] = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env.update(overrides)
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_example_is_a_production_configuration():
    env = _production_environment()
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DJANGO_SECURE_COOKIES"] == "1"
    assert env["DJANGO_ALLOWED_HOSTS"]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="tls-at-the-proxy"),
        pytest.param(
            {
                "DJANGO_BEHIND_TLS_PROXY": "1",
                "DJANGO_SECURE_SSL_REDIRECT": "1",
                "DJANGO_HSTS_SECONDS": "31536000",
            },
            id="redirect-and-hsts-in-the-app",
        ),
        pytest.param(
            {
                "OIDC_RP_CLIENT_ID": "llm-registry",
                "OIDC_RP_CLIENT_SECRET": "a-secret",
                **{
                    f"OIDC_OP_{name}_ENDPOINT": f"https://sso.intranet/{name.lower()}"
                    for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS")
                },
                "OIDC_EDITOR_GROUPS": "registry-editors",
            },
            id="single-sign-on",
        ),
    ],
)
def test_check_deploy_passes_with_the_production_settings(overrides):
    result = _check_deploy(_production_environment(**overrides))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_single_sign_on_without_its_endpoints_is_refused_by_name():
    result = _check_deploy(
        _production_environment(
            OIDC_RP_CLIENT_ID="llm-registry",
            OIDC_RP_CLIENT_SECRET="a-secret",
            OIDC_OP_AUTHORIZATION_ENDPOINT="https://sso.intranet/authorize",
        )
    )
    assert result.returncode != 0
    assert (
        "single sign-on needs OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT, "
        "OIDC_OP_JWKS_ENDPOINT" in result.stderr
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"DJANGO_SECURE_COOKIES": "0"}, "security.W012"),
        ({"DJANGO_DEBUG": "1"}, "security.W018"),
        ({"DJANGO_SECRET_KEY": "short"}, "security.W009"),
    ],
)
def test_check_deploy_fails_on_an_insecure_setting(overrides, check_id):
    """The check is really run, and nothing it should report is silenced."""
    result = _check_deploy(_production_environment(**overrides))
    assert result.returncode != 0
    assert check_id in result.stderr


def test_only_checks_with_a_stated_reason_are_silenced():
    source = (ROOT / "llmregistry" / "settings.py").read_text(encoding="utf-8")
    block = source[source.index("SILENCED_SYSTEM_CHECKS = [") :]
    block = block[: block.index("]\n")]
    lines = [line.strip() for line in block.splitlines()[1:]]
    for silenced in django_settings.SILENCED_SYSTEM_CHECKS:
        index = lines.index(f'"{silenced}",')
        assert any(line.startswith("#") for line in lines[:index]), silenced
    assert set(django_settings.SILENCED_SYSTEM_CHECKS) <= {
        "security.W004",
        "security.W008",
        "security.W021",
    }


# --- Security headers ---------------------------------------------------------------------------

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _assert_security_headers(response, what: str):
    for header, value in SECURITY_HEADERS.items():
        assert response.get(header) == value, (what, header, response.get(header))
    policy = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy, (what, policy)
    assert "frame-ancestors 'none'" in policy, (what, policy)


@pytest.mark.django_db
def test_html_admin_api_and_error_responses_carry_the_security_headers(settings):
    settings.DEBUG = False
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    Organization.objects.create(slug="acme", name="Acme")
    editor = get_user_model().objects.create_superuser("chief", password="a long passphrase 7")
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(editor)
    answers = {
        "public page": (anonymous, reverse("catalog:home"), 200),
        "admin login": (anonymous, reverse("admin:login"), 200),
        "admin changelist": (signed_in, reverse("admin:catalog_organization_changelist"), 200),
        "API list": (anonymous, "/api/v1/organizations/", 200),
        "API list (signed in)": (signed_in, "/api/v1/organizations/", 200),
        "404 page": (anonymous, "/no/such/page/", 404),
        "API 404": (anonymous, "/api/v1/organizations/no-such-one/", 404),
        "health": (anonymous, reverse("healthz"), 200),
        "readiness": (anonymous, reverse("readyz"), 200),
    }
    for what, (client, url, status) in answers.items():
        response = client.get(url)
        assert response.status_code == status, (what, response.status_code)
        _assert_security_headers(response, what)


@pytest.mark.django_db
def test_a_foreign_host_header_is_refused(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["registry.intranet.example"]
    client = Client()
    for url in (reverse("catalog:home"), "/api/v1/organizations/", reverse("admin:login")):
        response = client.get(url, HTTP_HOST="evil.example")
        assert response.status_code == 400, url
        assert b"evil.example" not in response.content
        # Refused in CommonMiddleware, inside SecurityMiddleware and outside the frame and CSP
        # middleware: a static "Bad Request" with nothing to frame or run.
        for header in ("X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"):
            assert response.get(header) == SECURITY_HEADERS[header], (url, header)
    assert (
        client.get(reverse("catalog:home"), HTTP_HOST="registry.intranet.example").status_code
        == 200
    )


# --- The error page -----------------------------------------------------------------------------


def _raises(request):
    raise RuntimeError(f"database password {SECRET_MARKER} in {django_settings.BASE_DIR}")


urlpatterns = [path("raises/", _raises)]


@pytest.mark.django_db
def test_a_server_error_shows_the_generic_page_and_leaks_nothing(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    settings.SECRET_KEY = SECRET_MARKER
    client = Client(raise_request_exception=False)
    response = client.get("/raises/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "The registry could not answer this request." in page
    for leak in (
        SECRET_MARKER,
        "RuntimeError",
        "Traceback",
        "database password",
        str(django_settings.BASE_DIR),
        "DATABASES",
        "SECRET_KEY",
        "raises/",
        "_raises",
    ):
        assert leak not in page, leak
    _assert_security_headers(response, "500 page")


@pytest.mark.django_db
def test_probes_are_answered_over_plain_http_when_the_app_redirects_to_https(settings):
    """With DJANGO_SECURE_SSL_REDIRECT on, pages redirect to HTTPS but the compose health checks
    (plain HTTP inside the container) still reach /healthz and /readyz."""
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client = Client()
    home = client.get(reverse("catalog:home"))
    assert home.status_code == 301
    assert home["Location"].startswith("https://")
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("readyz")).status_code == 200


def test_the_wsgi_application_loads_every_view_and_freezes_the_heap():
    """gunicorn's workers import llmregistry.wsgi: every view (MCP included) is imported then,
    not at the first request, and what is loaded is out of the collector's reach (the full
    collections that made the MCP p99, bench/mcp_bench.py)."""
    probe = (
        "import gc, sys; import llmregistry.wsgi; "
        "print(gc.get_freeze_count() > 100_000, 'assistants.http' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**_production_environment(), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
