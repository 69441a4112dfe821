"""/healthz and /readyz against the real services: PostgreSQL (and a private cluster that a test
restarts), a private Redis server that the tests freeze and kill, and a real Celery worker."""

import functools
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse

from ops import health
from tests.faults.servers import (
    PrivatePostgres,
    PrivateRedis,
    free_port,
    postgres_bindir,
    start_celery_worker,
)

ROOT = Path(__file__).resolve().parents[2]
WORKER_START_SECONDS = 60
# The answer waits for the deadline at most; the rest is the request around it.
ANSWER_BOUND_SECONDS = health.READINESS_DEADLINE_SECONDS + 1.5


@pytest.fixture
def private_redis():
    """A redis-server of this test's own, which it may stop or freeze; started."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def no_redis_no_broker(settings):
    """Tasks run in-process and the cache is local memory (`make run`), whatever the
    environment running the tests says."""
    settings.REDIS_URL = ""
    # Celery reads the Django settings at each look-up (``conf.update`` would not win over them).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"


def _readyz(query: str = "", client: Client | None = None):
    started = time.monotonic()
    response = (client or Client()).get(reverse("readyz") + query)
    return response, time.monotonic() - started


@pytest.mark.django_db
def test_healthz_answers_while_the_process_is_up():
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.usefixtures("no_redis_no_broker")
def test_readyz_checks_database_and_migrations_and_skips_what_is_not_configured():
    response, _seconds = _readyz()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["migrations"]["status"] == "ok"
    assert body["checks"]["cache"] == {"status": "skipped", "detail": health.REDIS_NOT_CONFIGURED}
    assert body["checks"]["worker"] == {"status": "skipped", "detail": health.BROKER_NOT_CONFIGURED}
    assert "failing" not in body


@pytest.mark.django_db
@pytest.mark.usefixtures("no_redis_no_broker")
def test_readyz_is_open_to_anonymous_callers_when_the_registry_is_not_public(settings):
    settings.REGISTRY_PUBLIC_READ = False
    assert Client().get(reverse("catalog:home")).status_code == 302
    assert Client().get(reverse("healthz")).status_code == 200
    response, _seconds = _readyz()
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("no_redis_no_broker")
def test_readyz_runs_no_query_on_the_requests_own_connection(settings, django_assert_num_queries):
    """Nothing on the way to the view reads the database (session, user, page cache), and the
    checks use connections of their own: during an outage the probe still answers its JSON."""
    for public_read in (True, False):
        settings.REGISTRY_PUBLIC_READ = public_read
        with django_assert_num_queries(0):
            response, _seconds = _readyz()
        assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("no_redis_no_broker")
def test_readyz_is_never_cached(settings):
    settings.REGISTRY_PAGE_CACHE_SECONDS = 3600
    for _ in range(2):
        response, _seconds = _readyz()
        assert "X-Page-Cache" not in response
        assert "no-cache" in response["Cache-Control"]
        assert "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.usefixtures("no_redis_no_broker")
def test_readyz_leaves_out_excluded_checks_and_refuses_unknown_ones():
    response, _seconds = _readyz("?exclude=cache,worker")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "migrations"}
    response, _seconds = _readyz("?exclude=cache,nosuch")
    assert response.status_code == 400
    assert response.json()["unknown_checks"] == ["nosuch"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_redis_no_broker")
def test_readyz_answers_503_while_a_migration_is_not_applied():
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="catalog").order_by("-id").first()
    recorder.record_unapplied(latest.app, latest.name)
    try:
        response, _seconds = _readyz()
    finally:
        recorder.record_applied(latest.app, latest.name)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"]["detail"] == health.MIGRATIONS_PENDING.format(count=1)
    assert body["checks"]["database"]["status"] == "ok"
    assert _readyz()[0].status_code == 200


def _database_at(port: int) -> dict:
    return {**connections.settings["default"], "HOST": "127.0.0.1", "PORT": port}


@pytest.mark.django_db
def test_database_check_fails_fast_when_nothing_listens():
    started = time.monotonic()
    results = health.check_database(_database_at(free_port()))
    assert time.monotonic() - started < 2
    assert results["database"].status == "fail"
    assert results["database"].detail == health.DATABASE_UNREACHABLE
    assert results["migrations"].status == "fail"


@pytest.fixture
def private_postgres():
    """A PostgreSQL cluster of this test's own holding a copy of the test database."""
    bindir = postgres_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, postgres) are not installed.")
    server = PrivatePostgres(bindir)
    try:
        server.init()
        server.start()
        server.copy_database(source=connection.settings_dict, name="registry")
        yield server
    finally:
        server.remove()


@pytest.mark.django_db
def test_database_check_follows_a_real_postgresql_restart(private_postgres):
    database = {**_database_at(private_postgres.port), "NAME": "registry", "PASSWORD": ""}
    assert {name: r.status for name, r in health.check_database(database).items()} == {
        "database": "ok",
        "migrations": "ok",
    }
    private_postgres.stop()
    started = time.monotonic()
    results = health.check_database(database)
    assert time.monotonic() - started < health.DATABASE_CONNECT_TIMEOUT_SECONDS
    assert results["database"].detail == health.DATABASE_UNREACHABLE
    private_postgres.start()
    assert health.check_database(database)["database"].status == "ok"


@pytest.fixture
def silent_server():
    """Accepts TCP connections and never answers: a hung database host."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.mark.django_db
def test_database_check_gives_up_on_a_server_that_never_answers(silent_server):
    started = time.monotonic()
    results = health.check_database(_database_at(silent_server))
    elapsed = time.monotonic() - started
    assert results["database"].detail == health.DATABASE_UNREACHABLE
    assert elapsed < health.DATABASE_CONNECT_TIMEOUT_SECONDS + 1


@pytest.mark.django_db
@pytest.mark.usefixtures("no_redis_no_broker")
def test_readyz_answers_by_its_deadline_whatever_a_check_waits_for(monkeypatch, silent_server):
    monkeypatch.setattr(health, "READINESS_DEADLINE_SECONDS", 0.5)
    hung = functools.partial(health.check_database, _database_at(silent_server))
    monkeypatch.setattr(health, "CHECKS", ((("database", "migrations"), hung),))
    response, seconds = _readyz()
    assert seconds < 1.5
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database", "migrations"]
    assert body["checks"]["database"]["detail"] == health.TIMED_OUT.format(seconds=0.5)
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("no_redis_no_broker")
def test_readyz_checks_the_redis_cache_and_answers_503_in_bounded_time_when_it_stops(
    settings, private_redis
):
    settings.REDIS_URL = private_redis.url(1)
    response, _seconds = _readyz()
    assert response.status_code == 200
    assert response.json()["checks"]["cache"]["status"] == "ok"
    # One key per process, overwritten by each probe and expiring by itself.
    assert len(redis.Redis.from_url(settings.REDIS_URL).keys("*readyz:*")) == 1

    private_redis.freeze()  # hung: accepts connections, never answers
    response, seconds = _readyz()
    assert seconds < ANSWER_BOUND_SECONDS
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["detail"] == health.CACHE_UNREACHABLE

    private_redis.kill()  # gone: connections refused
    response, seconds = _readyz()
    assert seconds < ANSWER_BOUND_SECONDS
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"]["detail"] == health.CACHE_UNREACHABLE
    assert body["checks"]["database"]["status"] == "ok"
    assert str(private_redis.port) not in response.content.decode()
    # The web container's health check leaves Redis out: pages keep working without it.
    assert _readyz("?exclude=cache,worker")[0].status_code == 200


@pytest.fixture
def broker(private_redis, settings) -> str:
    """Tasks go through the private Redis (as in compose) instead of running in-process."""
    settings.REDIS_URL = ""
    broker_url = private_redis.url(0)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = broker_url
    return broker_url


def _start_worker(broker_url: str) -> subprocess.Popen:
    return start_celery_worker(
        broker_url=broker_url,
        database=connections.settings["default"],
        name="readyz",
        loglevel="WARNING",
    )


@pytest.mark.django_db
def test_readyz_sees_a_real_worker_then_its_death_then_the_broker_going_down(private_redis, broker):
    response, seconds = _readyz()
    assert response.status_code == 503, response.json()
    assert response.json()["failing"] == ["worker"]
    detail = health.NO_WORKER_ANSWERED.format(seconds=health.WORKER_PING_TIMEOUT_SECONDS)
    assert response.json()["checks"]["worker"]["detail"] == detail
    assert seconds < ANSWER_BOUND_SECONDS

    worker = _start_worker(broker)
    try:
        deadline = time.monotonic() + WORKER_START_SECONDS
        while _readyz()[0].status_code != 200:
            assert worker.poll() is None, "the worker exited"
            assert time.monotonic() < deadline, "the worker never answered"
        response, seconds = _readyz()
        assert response.json()["checks"]["worker"]["status"] == "ok"
        # The first answer ends the wait.
        assert response.json()["checks"]["worker"]["ms"] < 1000
    finally:
        worker.kill()
        worker.wait(timeout=30)

    response, seconds = _readyz()
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["detail"] == detail
    assert seconds < ANSWER_BOUND_SECONDS

    keys = redis.Redis.from_url(broker).keys("*")
    assert not [key for key in keys if b"reply" in key], keys

    private_redis.kill()
    response, seconds = _readyz()
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["detail"] == health.BROKER_UNREACHABLE
    assert seconds < ANSWER_BOUND_SECONDS
