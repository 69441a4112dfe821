"""End to end on PostgreSQL with Redis and a real Celery worker: an export of this registry
with one new model added is ingested by the command, exactly one candidate appears, an
editor approves it in the admin, the variant is published with its history, and the worker
computes its recommendations; the same ingest again creates nothing."""

import copy
import json
import os
import subprocess
import time
from pathlib import Path

import kombu.pools
import pghistory.models
import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from catalog.models import ModelVariant, ReleaseCandidate
from curation.services import catalog_load
from curation.services.export import catalog_export
from hardware.models import Recommendation
from llmregistry.celery import app as celery_app
from tests.faults.servers import start_celery_worker

ROOT = Path(__file__).resolve().parents[3]
# A Redis database of its own, so the test queue never meets a developer's.
BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
WORKER_TIMEOUT_SECONDS = 120
NEW_VARIANT_KEY = "qwen/qwen2-5/qwen2-5-7b-ingested"


def _with_one_new_model(document: dict) -> dict:
    """The export plus one variant copied from Qwen2.5-7B under a new slug and repository."""
    document = copy.deepcopy(document)
    base = next(v for v in document["variants"] if v["slug"] == "qwen2-5-7b")
    new = copy.deepcopy(base)
    new.update(
        slug="qwen2-5-7b-ingested",
        name="Qwen2.5-7B-Ingested",
        hf_repo_id="example-org/Qwen2.5-7B-Ingested",
        description="A fine-tune of Qwen2.5-7B, added to test ingestion.",
        description_zh="",
        seed_claim="",
    )
    document["variants"].append(new)
    document["lineage"].append(
        {
            "child": NEW_VARIANT_KEY,
            "parent": "qwen/qwen2-5/qwen2-5-7b",
            "kind": "finetune",
            "note": "",
            "sources": [],
        }
    )
    return document


def _reset_connections():
    """Drop every broker connection and producer pool (kombu keeps them in process-wide
    registries, which a closed pool must leave too) so the next publish connects to the
    current URL."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real Celery worker process on the test database, fed through Redis."""
    broker = redis.Redis.from_url(BROKER_URL)
    broker.flushdb()
    # The app reads Django's settings under the CELERY_ namespace: override those keys.
    previous = {
        "CELERY_TASK_ALWAYS_EAGER": celery_app.conf.task_always_eager,
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
    }
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=BROKER_URL)
    assert not celery_app.conf.task_always_eager
    assert celery_app.conf.broker_url == BROKER_URL
    _reset_connections()
    log = tmp_path / "worker.log"
    worker = start_celery_worker(
        broker_url=BROKER_URL, database=settings.DATABASES["default"], log_path=log
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
        celery_app.conf.update(**previous)
        _reset_connections()
        broker.flushdb()
        if worker.returncode not in (0, -15):
            print(log.read_text(errors="replace"))


def _wait_for(condition, worker, what: str):
    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"The Celery worker exited ({worker.returncode}) before {what}.")
        time.sleep(0.5)
    pytest.fail(f"Timed out after {WORKER_TIMEOUT_SECONDS} s waiting for {what}.")


def test_feed_with_one_new_model_is_ingested_approved_published_and_recommended(
    celery_worker, client, tmp_path
):
    catalog_load(root=settings.BASE_DIR)
    feed = tmp_path / "export.json"
    feed.write_text(json.dumps(_with_one_new_model(catalog_export())), encoding="utf-8")

    call_command("ingest", "--source", "feed", "--file", str(feed), "--no-progress")

    candidate = ReleaseCandidate.objects.get()
    assert candidate.upstream_id == NEW_VARIANT_KEY
    assert candidate.variant is None
    assert candidate.version.slug == "qwen2-5"
    assert candidate.status == ReleaseCandidate.Status.PENDING

    editor = get_user_model().objects.create_superuser("editor", password="a long passphrase 1")
    client.force_login(editor)
    url = reverse("admin:catalog_releasecandidate_change", args=[candidate.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"qwen2-5-7b-ingested" in page.content
    response = client.post(
        url,
        {
            "revision": candidate.revision,
            "fields": list(candidate.diff),
            "target": "existing",
            "version": candidate.version_id,
            "publish": "on",
            "note": "Looks right.",
            "action": "approve",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    variant = ModelVariant.objects.select_related("version").get(slug="qwen2-5-7b-ingested")
    assert variant.status == "published"
    assert variant.hf_repo_id == "example-org/Qwen2.5-7B-Ingested"
    assert variant.origins.filter(parent__slug="qwen2-5-7b", kind="finetune").exists()
    event = pghistory.models.Events.objects.filter(
        pgh_obj_model="catalog.ModelVariant", pgh_obj_id=str(variant.pk), pgh_label="insert"
    ).get()
    assert event.pgh_context["user"] == editor.pk
    assert event.pgh_context["release_candidate"] == candidate.pk

    _wait_for(
        lambda: Recommendation.objects.filter(variant=variant).exists(),
        celery_worker,
        "the worker to compute the new variant's recommendations",
    )
    candidate.refresh_from_db()
    assert candidate.status == ReleaseCandidate.Status.APPROVED
    # Computed by the worker process, not in this one.
    worker_log = celery_worker.log.read_text(errors="replace")
    assert "hardware.tasks.recompute_recommendations" in worker_log
    assert "succeeded" in worker_log

    call_command("ingest", "--source", "feed", "--file", str(feed), "--no-progress")
    assert ReleaseCandidate.objects.count() == 1
    connection.close()
