"""`manage.py backup` and `manage.py restore` against real PostgreSQL databases.

The source is a database of its own (migrated, curated catalog loaded and recommendations
computed, committed); the backup is restored into a freshly created, empty database; the API
then gives the same bytes from both.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from ops.backups import (
    ERROR_ARCHIVE_FORMAT,
    ERROR_ARCHIVE_MISSING,
    ERROR_ARCHIVE_NOT_FILE,
    ERROR_DATABASE_NOT_EMPTY,
    ERROR_OUTPUT_EXISTS,
    ERROR_OUTPUT_IS_DIRECTORY,
    ERROR_OUTPUT_NO_FOLDER,
    PgTarget,
)

ROOT = Path(settings.BASE_DIR)

# Every API resource, all pages, plus the export and a row count of every table.
ANSWERS_SCRIPT = """
import json, sys
import django
django.setup()
from django.apps import apps
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
answers = {}
root = client.get("/api/v1/").json()
for name, url in sorted(root.items()):
    page = url.replace("http://testserver", "") + "?page_size=500"
    while page:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        answers[page] = response.content.decode()
        page = (response.json().get("next") or "").replace("http://testserver", "")
answers["/api/v1/export/"] = client.get("/api/v1/export/").content.decode()
answers["rows"] = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
json.dump(answers, open(sys.argv[1], "w"))
"""


def _server():
    database = settings.DATABASES["default"]
    return {
        "host": database["HOST"] or None,
        "port": database["PORT"] or None,
        "user": database["USER"] or None,
        "password": database["PASSWORD"] or None,
    }


def _database_url(name: str) -> str:
    server = _server()
    password = f":{server['password']}" if server["password"] else ""
    return f"postgres://{server['user']}{password}@{server['host']}:{server['port'] or 5432}/{name}"


def _create_database() -> str:
    name = f"registry_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_database(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(database: str, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(database),
        "DJANGO_SECRET_KEY": "backup-restore-test",
        "DJANGO_SETTINGS_MODULE": "llmregistry.settings",
        "REGISTRY_PUBLIC_READ": "1",
        "REGISTRY_PAGE_CACHE_SECONDS": "0",
    }
    # Each process keeps its cache to itself and runs tasks in place: no Redis shared.
    environment.pop("REDIS_URL", None)
    environment.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def _answers(database: str, path: Path) -> dict:
    _manage(database, "-c", ANSWERS_SCRIPT, str(path))
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def source_database():
    """A committed registry: migrated, curated catalog loaded, recommendations computed."""
    name = _create_database()
    try:
        _manage(name, "manage.py", "migrate", "--noinput", "-v0")
        _manage(name, "manage.py", "load_catalog", "--no-progress", "-v0")
        yield name
    finally:
        _drop_database(name)


@pytest.fixture
def empty_database():
    name = _create_database()
    yield name
    _drop_database(name)


@pytest.mark.slow  # the whole registry through pg_dump and pg_restore: `make test` runs it
def test_a_backup_restored_into_an_empty_database_serves_identical_api_answers(
    source_database, empty_database, tmp_path
):
    archive = tmp_path / "registry.dump"
    backup = _manage(source_database, "manage.py", "backup", "--output", str(archive))
    assert f"Backup written: {archive}" in backup.stdout
    assert archive.read_bytes().startswith(b"PGDMP")

    _manage(empty_database, "manage.py", "restore", str(archive))

    before = _answers(source_database, tmp_path / "before.json")
    after = _answers(empty_database, tmp_path / "after.json")
    assert before["rows"]["catalog.ModelVariant"] >= 50
    assert before["rows"]["hardware.Recommendation"] > 500
    assert before["rows"]["catalog.ModelVariantEvent"] >= 50  # the history came along
    assert set(after) == set(before)
    for key in before:
        assert after[key] == before[key], key

    # The restored database holds data now: a second restore is refused, nothing changed...
    refused = _manage(empty_database, "manage.py", "restore", str(archive), check=False)
    assert refused.returncode == 1
    assert str(ERROR_DATABASE_NOT_EMPTY).split("%(count)d")[0] % {
        "database": empty_database
    } in refused.stderr.replace("\n", " ")
    # ... unless forced: then it replaces what the backup holds, and answers the same.
    _manage(empty_database, "manage.py", "restore", "--force", str(archive))
    assert _answers(empty_database, tmp_path / "forced.json") == before


def test_a_failed_backup_leaves_no_file(tmp_path):
    archive = tmp_path / "never.dump"
    result = _manage(
        f"no_such_database_{uuid.uuid4().hex[:8]}",
        "manage.py",
        "backup",
        "--output",
        str(archive),
        check=False,
    )
    assert result.returncode == 1
    assert "Backup not made. pg_dump failed" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", ERROR_OUTPUT_IS_DIRECTORY),
        ("missing/registry.dump", ERROR_OUTPUT_NO_FOLDER),
        ("existing.dump", ERROR_OUTPUT_EXISTS),
    ],
)
def test_backup_refuses_a_folder_a_missing_folder_and_an_existing_file(tmp_path, name, message):
    (tmp_path / "existing.dump").write_bytes(b"keep me")
    output = tmp_path / name
    with pytest.raises(CommandError) as error:
        call_command("backup", "--output", str(output))
    expected = message % {"path": output, "folder": output.parent}
    assert str(error.value) == f"Backup not made. {expected}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.dump"]
    assert (tmp_path / "existing.dump").read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.dump", ERROR_ARCHIVE_MISSING),
        ("folder", ERROR_ARCHIVE_NOT_FILE),
        ("notes.txt", ERROR_ARCHIVE_FORMAT),
        ("../" * 12 + "etc/passwd", ERROR_ARCHIVE_FORMAT),
    ],
)
def test_restore_refuses_what_is_not_a_backup_before_touching_the_database(tmp_path, name, message):
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.txt").write_text("SELECT 1;")
    path = tmp_path / name
    with pytest.raises(CommandError) as error:
        call_command("restore", str(path))
    assert str(error.value) == f"Nothing restored. {message % {'path': path}}"


def test_the_password_goes_in_the_environment_never_on_the_command_line():
    target = PgTarget(
        name="registry", user="registry", password="s3cret", host="db", port="5432", sslmode=""
    )
    assert "s3cret" not in " ".join(target.arguments())
    assert target.environment()["PGPASSWORD"] == "s3cret"
