"""docker-compose.yml cannot run here (no Docker engine); check what can be checked."""

import re
import urllib.parse
from pathlib import Path

import pytest
import yaml
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_the_services_of_the_design(compose):
    assert set(compose["services"]) == {"postgres", "redis", *APP_SERVICES}


def test_app_services_share_one_image_and_the_env_file(compose):
    services = compose["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert images == {"llmregistry:latest"}
    for name in APP_SERVICES:
        assert services[name]["env_file"] == ".env"
        assert services[name]["build"] == "."


def test_database_and_redis_publish_no_ports(compose):
    for name in ("postgres", "redis"):
        assert "ports" not in compose["services"][name]


def test_only_web_is_published(compose):
    published = [name for name, svc in compose["services"].items() if "ports" in svc]
    assert published == ["web"]


def test_long_running_services_have_health_checks(compose):
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert compose["services"][name]["healthcheck"]["test"], name
    # The one-shot migrate service serves nothing: the image's HTTP probe would only fail.
    assert compose["services"]["migrate"]["healthcheck"] == {"disable": True}


def test_exactly_one_beat(compose):
    beats = [
        name
        for name, svc in compose["services"].items()
        if "beat" in " ".join(map(str, svc.get("command", [])))
    ]
    assert beats == ["beat"]
    assert compose["services"]["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_migrate_runs_once_before_the_app(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    assert "migrate" in " ".join(services["migrate"]["command"])
    assert "load_catalog" in " ".join(services["migrate"]["command"])
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_state_lives_in_named_volumes(compose):
    assert set(compose["volumes"]) == {"postgres-data", "redis-data"}
    assert compose["services"]["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]


def test_image_runs_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users
    assert users[-1] not in {"root", "0"}


def test_every_variable_in_env_example_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line and line.lstrip("# ").split("=", 1)[0].strip().isupper()
    ]
    missing = [name for name in names if f"`{name}`" not in readme]
    assert missing == []


def _web_probe(compose) -> tuple[urllib.parse.SplitResult, float]:
    """The URL the web health check requests, and the timeout it gives urlopen."""
    command = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    match = re.search(r"urlopen\('([^']+)', timeout=([\d.]+)\)", command)
    assert match, command
    return urllib.parse.urlsplit(match.group(1)), float(match.group(2))


def _seconds(duration: str) -> float:
    assert duration.endswith("s"), duration
    return float(duration[:-1])


def test_web_health_check_asks_for_readiness_of_the_database_and_its_migrations(compose):
    from ops import health

    url, urlopen_timeout = _web_probe(compose)
    assert url.path == "/readyz"
    excluded = set(urllib.parse.parse_qs(url.query)["exclude"][0].split(","))
    assert excluded <= set(health.CHECK_NAMES)
    assert {"database", "migrations"}.isdisjoint(excluded)
    # The app answers by its deadline, before urlopen and compose give up.
    healthcheck_timeout = _seconds(compose["services"]["web"]["healthcheck"]["timeout"])
    assert health.READINESS_DEADLINE_SECONDS < urlopen_timeout < healthcheck_timeout


def _env_example_allowed_hosts() -> list[str]:
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("DJANGO_ALLOWED_HOSTS="):
            return line.split("=", 1)[1].split(",")
    raise AssertionError("DJANGO_ALLOWED_HOSTS is not in .env.example")


@pytest.mark.django_db
def test_the_web_health_probe_is_answered_by_the_app_configured_as_env_example(compose, settings):
    """The probe's Host header passes host validation, and a ready app answers 200."""
    url, _timeout = _web_probe(compose)
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = _env_example_allowed_hosts()
    response = Client().get(f"{url.path}?{url.query}", HTTP_HOST=url.netloc)
    assert response.status_code == 200, response.content
    assert set(response.json()["checks"]) == {"database", "migrations"}
