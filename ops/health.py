"""Readiness checks behind ``/readyz``: can this deployment do its work right now?

Each check talks to the real service on a connection of its own, with short socket and
statement timeouts, so it never disturbs (or waits behind) the connections that serve
requests. All checks run at once in worker threads and the answer waits at most
``READINESS_DEADLINE_SECONDS``: a check still running then is reported as timed out (its
thread ends by its own timeouts). Results carry fixed messages only; the exception behind a
failure goes to the log, never to the anonymous caller.
"""

import copy
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import kombu
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend

logger = logging.getLogger(__name__)

# The compose health check gives the probe 5 s; this leaves room for the interpreter to start.
READINESS_DEADLINE_SECONDS = 3.0
DATABASE_CONNECT_TIMEOUT_SECONDS = 2
DATABASE_STATEMENT_TIMEOUT_MS = 2000
REDIS_SOCKET_TIMEOUT_SECONDS = 1.0
WORKER_PING_TIMEOUT_SECONDS = 1.0

OK = "ok"
FAIL = "fail"
SKIPPED = "skipped"

# What a caller reads (constants: monitoring may match on them).
DATABASE_UNREACHABLE = "database unreachable"
MIGRATIONS_PENDING = "migrations not applied: {count}"
CACHE_UNREACHABLE = "cache unreachable"
CACHE_READ_BACK_WRONG = "cache did not return what was stored"
BROKER_UNREACHABLE = "broker unreachable"
NO_WORKER_ANSWERED = "no worker answered within {seconds:g} s"
TIMED_OUT = "timed out after {seconds:g} s"
CHECK_FAILED = "check failed"
REDIS_NOT_CONFIGURED = "REDIS_URL not set"
BROKER_NOT_CONFIGURED = "no broker: tasks run in the web process"

# The cache the readiness probe uses, by Redis URL (not the requests' one: its timeouts differ).
_probe_caches: dict[str, RedisCache] = {}


@dataclass(frozen=True)
class CheckResult:
    status: str
    detail: str = ""
    elapsed_ms: int = 0

    def as_json(self) -> dict:
        answer = {"status": self.status}
        if self.detail:
            answer["detail"] = self.detail
        if self.status != SKIPPED:
            answer["ms"] = self.elapsed_ms
        return answer


def check_database(database: dict | None = None) -> dict[str, CheckResult]:
    """Run a query and compare the migrations on disk with those applied, on a connection of
    its own (closed afterwards) with a connect timeout and a statement timeout.

    Parameters: ``database``, a ``DATABASES`` entry (default: the default database's).
    Returns ``database`` and ``migrations`` results; both fail when PostgreSQL cannot be
    reached.
    """
    started = time.monotonic()
    wrapper = _private_database_connection(database or connections.settings["default"])
    try:
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:
            logger.warning("readiness: database check failed", exc_info=True)
            failed = CheckResult(FAIL, DATABASE_UNREACHABLE, _ms_since(started))
            return {"database": failed, "migrations": failed}
        reachable = CheckResult(OK, elapsed_ms=_ms_since(started))
        started = time.monotonic()
        try:
            executor = MigrationExecutor(wrapper)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception:
            logger.warning("readiness: migrations check failed", exc_info=True)
            return {
                "database": reachable,
                "migrations": CheckResult(FAIL, DATABASE_UNREACHABLE, _ms_since(started)),
            }
        if plan:
            migrations = CheckResult(
                FAIL, MIGRATIONS_PENDING.format(count=len(plan)), _ms_since(started)
            )
        else:
            migrations = CheckResult(OK, elapsed_ms=_ms_since(started))
        return {"database": reachable, "migrations": migrations}
    finally:
        wrapper.close()


def check_cache() -> dict[str, CheckResult]:
    """Store a value in the Redis cache and read it back (skipped without ``REDIS_URL``)."""
    if not settings.REDIS_URL:
        return {"cache": CheckResult(SKIPPED, REDIS_NOT_CONFIGURED)}
    started = time.monotonic()
    cache = _probe_caches.get(settings.REDIS_URL)
    if cache is None:
        params = copy.deepcopy(settings.CACHES["default"])
        params["OPTIONS"] = {
            **params.get("OPTIONS", {}),
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
        }
        # Kept for the process: its connection pool is reused by the next probe.
        cache = _probe_caches.setdefault(settings.REDIS_URL, RedisCache(settings.REDIS_URL, params))
    # One key per process, overwritten by each probe and expiring by itself: no litter.
    key = f"readyz:{socket.gethostname()}:{os.getpid()}"
    token = uuid.uuid4().hex
    try:
        cache.set(key, token, timeout=30)
        read_back = cache.get(key)
    except Exception:
        logger.warning("readiness: cache check failed", exc_info=True)
        return {"cache": CheckResult(FAIL, CACHE_UNREACHABLE, _ms_since(started))}
    if read_back != token:
        return {"cache": CheckResult(FAIL, CACHE_READ_BACK_WRONG, _ms_since(started))}
    return {"cache": CheckResult(OK, elapsed_ms=_ms_since(started))}


class _BoundedConnection(kombu.Connection):
    """A broker connection whose operations give up after one retry.

    kombu's control messages are published with ``retry=True`` and no retry policy, which
    retries for ever while the broker is down; a probe must end.
    """

    def ensure(self, obj, fun, errback=None, max_retries=None, **kwargs):
        kwargs.setdefault("interval_start", 0)
        max_retries = 1 if max_retries is None else max_retries
        return super().ensure(obj, fun, errback, max_retries, **kwargs)


def check_worker() -> dict[str, CheckResult]:
    """Ask the Celery workers to answer a ping over the broker (Celery's remote control).

    A worker answers from its consumer loop, so an answer proves a worker is connected to the
    broker and taking messages, whatever its pool is busy with. Nothing is written and
    nothing can go stale; the first answer ends the wait. Skipped when tasks run eagerly
    (no broker configured).
    """
    # The project's app: llmregistry/__init__.py makes it current when Django starts.
    from celery import current_app as celery_app

    if celery_app.conf.task_always_eager:
        return {"worker": CheckResult(SKIPPED, BROKER_NOT_CONFIGURED)}
    started = time.monotonic()
    transport_options = {
        **(celery_app.conf.broker_transport_options or {}),
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
        "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
    }
    connection = _BoundedConnection(
        celery_app.conf.broker_url,
        connect_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        transport_options=transport_options,
    )
    try:
        try:
            connection.ensure_connection(max_retries=1, interval_start=0)
        except Exception:
            logger.warning("readiness: broker unreachable", exc_info=True)
            return {"worker": CheckResult(FAIL, BROKER_UNREACHABLE, _ms_since(started))}
        mailbox = celery_app.control.mailbox(connection)
        # Publish on this connection, not through the application's producer pool (whose
        # connections retry for ever).
        mailbox.producer_pool = None
        try:
            replies = mailbox.multi_call("ping", timeout=WORKER_PING_TIMEOUT_SECONDS, limit=1)
        except Exception:
            logger.warning("readiness: worker ping failed", exc_info=True)
            return {"worker": CheckResult(FAIL, BROKER_UNREACHABLE, _ms_since(started))}
    finally:
        connection.release()
    if not replies:
        detail = NO_WORKER_ANSWERED.format(seconds=WORKER_PING_TIMEOUT_SECONDS)
        return {"worker": CheckResult(FAIL, detail, _ms_since(started))}
    return {"worker": CheckResult(OK, elapsed_ms=_ms_since(started))}


# Each entry: the names it reports, and the function that checks them.
CHECKS: tuple[tuple[tuple[str, ...], Callable[[], dict[str, CheckResult]]], ...] = (
    (("database", "migrations"), check_database),
    (("cache",), check_cache),
    (("worker",), check_worker),
)
CHECK_NAMES = tuple(name for names, _check in CHECKS for name in names)


def run_checks(*, exclude: frozenset[str] = frozenset()) -> dict[str, CheckResult]:
    """Run every check not excluded, at once, and wait at most the readiness deadline.

    Parameters: ``exclude``, names from ``CHECK_NAMES`` not to run (a function whose names are
    all excluded does not run). Returns the results by name, in ``CHECK_NAMES`` order.
    """
    selected = [(names, check) for names, check in CHECKS if not set(names) <= exclude]
    executor = ThreadPoolExecutor(max_workers=len(selected) or 1, thread_name_prefix="readyz")
    futures = {executor.submit(_closing_connections, check): names for names, check in selected}
    wait(futures, timeout=READINESS_DEADLINE_SECONDS)
    # Never wait for a stuck check: its thread ends by its own timeouts.
    executor.shutdown(wait=False, cancel_futures=True)
    results: dict[str, CheckResult] = {}
    for future, names in futures.items():
        if future.done() and future.exception() is None:
            results.update(future.result())
            continue
        if future.done():
            logger.error("readiness check raised", exc_info=future.exception())
            detail = CHECK_FAILED
        else:
            detail = TIMED_OUT.format(seconds=READINESS_DEADLINE_SECONDS)
        elapsed = int(READINESS_DEADLINE_SECONDS * 1000) if not future.done() else 0
        for name in names:
            results[name] = CheckResult(FAIL, detail, elapsed)
    return {name: results[name] for name in CHECK_NAMES if name in results and name not in exclude}


def _closing_connections(check: Callable[[], dict[str, CheckResult]]) -> dict[str, CheckResult]:
    """Run a check in a worker thread, then close the thread's own database connections
    (django.contrib.postgres opens the thread's default connection when the private one
    connects first in a process)."""
    try:
        return check()
    finally:
        connections.close_all()


def _private_database_connection(database: dict):
    """A connection to ``database`` apart from the request's own, with a connect timeout and a
    statement timeout of its own."""
    settings_dict = copy.deepcopy(database)
    options = settings_dict.setdefault("OPTIONS", {})
    options.pop("pool", None)
    options["connect_timeout"] = DATABASE_CONNECT_TIMEOUT_SECONDS
    statement_timeout = f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    options["options"] = f"{options.get('options', '')} {statement_timeout}".strip()
    settings_dict["CONN_MAX_AGE"] = 0
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
