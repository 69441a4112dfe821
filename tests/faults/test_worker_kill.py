"""A real Celery worker killed (SIGKILL) in the middle of the full recommendation recompute:
the task, acknowledged late, goes back to the queue and a new worker completes it, leaving
exactly the rows a clean run leaves. Two recomputes at once (a periodic run duplicated) also
leave exactly those rows.

Workers are separate processes on the test database, fed through a private Redis whose
visibility timeout is one second (production: an hour, CELERY_VISIBILITY_TIMEOUT_SECONDS).
"""

import hashlib
import json
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from hardware.models import Recommendation, RecomputeRun
from hardware.services import PROGRESS_EVERY, recommendations_recompute, recompute_run_start
from hardware.tasks import recompute_recommendations
from tests import factories
from tests.faults.servers import start_celery_worker

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT_SECONDS = 1
WAIT_SECONDS = 120
# Enough variants that the run is still computing when its first progress shows.
VARIANTS = 80
FINISHED = (RecomputeRun.Status.SUCCEEDED, RecomputeRun.Status.FAILED)


@pytest.fixture
def catalog_to_recompute():
    """Published variants of many sizes and a range of hardware profiles."""
    for memory_gib, counts in ((24, (1, 2)), (80, (1, 8))):
        accelerator = factories.AcceleratorFactory(
            memory=memory_gib, memory_bandwidth_gbps=1000 + 20 * memory_gib
        )
        for count in counts:
            factories.ProfileFactory(accelerator=accelerator, count=count)
    version = factories.VersionFactory(max_context_tokens=131072)
    for n in range(VARIANTS):
        factories.VariantFactory(
            version=version,
            num_layers=16 + n % 64,
            hidden_size=2048 + 256 * (n % 24),
            intermediate_size=8192 + 512 * (n % 32),
            num_kv_heads=8,
            total_parameters=None,
        )


def _rows_digest() -> tuple[int, str]:
    """How many recommendation rows there are and a digest of everything in them but their
    ids and computation times."""
    rows = Recommendation.objects.order_by(
        "variant_id", "workload", "precision", "context_tokens", "batch"
    ).values_list(
        "variant_id",
        "workload",
        "precision",
        "context_tokens",
        "batch",
        "total_bytes",
        "weights_bytes",
        "kv_cache_bytes",
        "breakdown",
        "fitting_profiles",
        "smallest_profile_id",
        "decode_tokens_per_s",
        "estimator_version",
        "input_digest",
    )
    payload = json.dumps(list(rows), sort_keys=True, default=str)
    return len(rows), hashlib.sha256(payload.encode()).hexdigest()


def _clean_run_then_empty() -> tuple[int, str]:
    """The rows a clean recompute leaves (computed here, in this process), then none."""
    recommendations_recompute()
    clean = _rows_digest()
    Recommendation.objects.all().delete()
    assert clean[0] > VARIANTS
    return clean


@pytest.fixture
def workers(private_redis, celery_on, tmp_path):
    """Start real worker processes (``start(name)``); all are stopped at the end."""
    started: list[tuple[subprocess.Popen, Path]] = []

    def start(name: str) -> subprocess.Popen:
        worker = start_celery_worker(
            broker_url=private_redis.url(0),
            database=connection.settings_dict,
            log_path=tmp_path / f"{name}.log",
            name=name,
            env={"CELERY_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_TIMEOUT_SECONDS)},
        )
        started.append((worker, worker.log))
        return worker

    try:
        yield start
    finally:
        for worker, _log in started:
            if worker.poll() is None:
                worker.terminate()
        for worker, log in started:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            print(f"--- {log.name} (exit {worker.returncode})")
            print(log.read_text(errors="replace")[-4000:])


def _wait_for(condition, what: str, *processes: subprocess.Popen):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"A worker exited ({process.returncode}) before {what}.")
        time.sleep(0.02)
    pytest.fail(f"Timed out after {WAIT_SECONDS} s waiting for {what}.")


def _ready(worker: subprocess.Popen) -> bool:
    return b" ready." in worker.log.read_bytes()


def test_a_task_whose_worker_is_killed_is_redelivered_and_completes_the_same(
    catalog_to_recompute, workers, private_redis
):
    clean = _clean_run_then_empty()
    run = recompute_run_start(variant_ids=None)  # as an admin's "Recompute all" button
    first = workers("first")

    _wait_for(
        lambda: RecomputeRun.objects.filter(pk=run.pk, variants_done__gte=PROGRESS_EVERY).exists(),
        "the recompute showed progress",
        first,
    )
    delivered_at = time.monotonic()
    first.kill()
    first.wait()

    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.RUNNING, (
        f"the run was {run.status} when its worker was killed: raise VARIANTS"
    )
    assert run.variants_done < run.variants_total
    assert not Recommendation.objects.exists()  # rows are written in one transaction, last
    broker = redis.Redis.from_url(private_redis.url(0))
    assert broker.hlen("unacked") == 1  # held for redelivery, not lost

    time.sleep(max(0.0, delivered_at + VISIBILITY_TIMEOUT_SECONDS - time.monotonic()))
    second = workers("second")
    _wait_for(
        lambda: RecomputeRun.objects.filter(pk=run.pk, status__in=FINISHED).exists(),
        "the redelivered recompute finished",
        second,
    )

    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.SUCCEEDED, run.error
    assert run.variants_done == run.variants_total == VARIANTS
    assert _rows_digest() == clean
    assert RecomputeRun.objects.count() == 1
    _wait_for(lambda: broker.hlen("unacked") == 0, "the redelivered task was acknowledged")
    assert broker.llen("celery") == 0


def test_two_recomputes_at_once_leave_the_rows_of_one(catalog_to_recompute, workers):
    clean = _clean_run_then_empty()
    pair = [workers("one"), workers("two")]
    _wait_for(lambda: all(_ready(worker) for worker in pair), "the workers were ready", *pair)

    # The nightly task scheduled twice (two beats, or a manual run during the nightly one).
    recompute_recommendations.delay()
    recompute_recommendations.delay()
    _wait_for(
        lambda: RecomputeRun.objects.filter(status__in=FINISHED).count() == 2,
        "both recomputes finished",
        *pair,
    )

    first, second = RecomputeRun.objects.order_by("started_at")
    assert (first.status, second.status) == (RecomputeRun.Status.SUCCEEDED,) * 2, (
        first.error or second.error
    )
    assert second.started_at < first.finished_at, "the two runs did not overlap"
    assert _rows_digest() == clean
