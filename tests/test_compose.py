"""docker-compose.yml cannot run here (no Docker engine); check what can be checked."""

from pathlib import Path

import pytest
import yaml

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
