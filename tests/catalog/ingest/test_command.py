"""`manage.py ingest`: its summary, its argument errors, and the daily schedule."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command

from catalog.models import ReleaseCandidate
from llmregistry.celery import app as celery_app

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
FEEDS = ROOT / "tests/fixtures/ingest/feed"


def _ingest(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_ingesting_a_feed_file_prints_a_summary_per_source(tmp_path):
    feed = next(FEEDS.glob("*new-family*.json"))

    out, _err = _ingest("--source", "feed", "--file", str(feed))

    created = ReleaseCandidate.objects.count()
    assert created > 0
    assert f"{created} created, 0 updated" in out
    assert f"{created} candidates created, 0 updated" in out or created == 1
    assert "Review them in the admin" in out


def test_a_broken_entry_is_listed_with_its_field(tmp_path):
    document = json.loads(next(FEEDS.glob("*new-family*.json")).read_text(encoding="utf-8"))
    document["variants"][0]["total_parameters"] = -5
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    out, err = _ingest("--source", "feed", "--file", str(path))

    assert "1 failed" in out
    assert "field 'variant.total_parameters'" in err


def test_a_file_that_cannot_be_read_is_a_command_error_naming_it(tmp_path):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(CommandError, match=r"nowhere\.json"):
        _ingest("--source", "feed", "--file", str(missing))


def test_file_with_another_source_is_refused():
    with pytest.raises(CommandError, match="--file reads a registry export"):
        _ingest("--source", "hf", "--file", "export.json")


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01"])
def test_since_must_be_a_date(value):
    with pytest.raises(CommandError, match="--since"):
        _ingest("--since", value)


def test_without_watched_publishers_there_is_nothing_to_do():
    out, _err = _ingest()
    assert "No active watched publisher matches" in out


def test_the_daily_schedule_runs_the_registered_ingest_task():
    entry = settings.CELERY_BEAT_SCHEDULE["ingest-releases"]
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == crontab(minute="15", hour="3")


def test_the_schedule_can_be_turned_off():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print('ingest-releases' in settings.CELERY_BEAT_SCHEDULE)",
        ],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "llmregistry.settings",
            "DJANGO_SECRET_KEY": "x",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:5432/none",
            "INGEST_SCHEDULE": "off",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_the_default_publishers_are_created_once_and_mapped(curated_catalog):
    out = io.StringIO()
    call_command("watch_publishers", stdout=out)
    call_command("watch_publishers", stdout=out)

    from catalog.models import WatchedPublisher

    qwen = WatchedPublisher.objects.get(source="hf", author="Qwen")
    assert (qwen.organization.slug, qwen.default_family.slug) == ("alibaba-qwen", "qwen")
    kimi = WatchedPublisher.objects.get(source="hf", author="moonshotai")
    assert (kimi.organization.slug, kimi.default_family.slug) == ("moonshot-ai", "kimi")
    unmapped = WatchedPublisher.objects.filter(source="hf", organization__isnull=True)
    assert not unmapped.exists()  # every publisher of the issue-19 releases has its organisation
    assert "*-GGUF" in qwen.exclude_patterns
    assert qwen.wants("Qwen3-8B")
    assert not qwen.wants("Qwen3-8B-GGUF")
    assert "28 watched publishers created, 0 kept." in out.getvalue()
    assert "0 watched publishers created, 28 kept." in out.getvalue()


def test_a_bad_publishers_file_names_the_entry_and_field(tmp_path):
    path = tmp_path / "publishers.yaml"
    path.write_text("publishers:\n  - {source: nowhere, author: x}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="publisher 1: field 'source'"):
        call_command("watch_publishers", "--file", str(path))
