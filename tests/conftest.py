"""Fixtures and settings every test shares; docs/testing.md describes the suite.

Markers by folder: tests under tests/browser/ are ``browser``, under tests/faults/ ``faults``
(tests/fuzz/ marks itself ``fuzz``); a whole-registry round trip is marked ``slow`` where it is
defined. ``make test-fast`` leaves those four out.
"""

import os
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# Folder under tests/ -> the marker its tests carry.
FOLDER_MARKERS = {"browser": "browser", "faults": "faults", "fuzz": "fuzz"}
# The Redis database the end-to-end Celery test uses when TEST_REDIS_URL is not set; an xdist
# worker adds its index (gw1: 15).
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/14"


def _xdist_worker(config) -> str | None:
    """``gw0``, ``gw1``... in a pytest-xdist worker, else None."""
    return getattr(config, "workerinput", {}).get("workerid")


def worker_redis_url(base: str, worker: str | None) -> str:
    """``base`` with its database number moved up by the xdist worker's index, so workers
    never share a Redis database (``redis://host:6379/11`` on gw1: ``.../12``)."""
    if not worker:
        return base
    match = re.fullmatch(r"(rediss?://[^/]+)(?:/(\d+))?/?", base)
    if not match:
        raise pytest.UsageError(f"TEST_REDIS_URL must look like redis://host:port/db: {base}")
    database = int(match[2] or 0) + int(worker.removeprefix("gw"))
    return f"{match[1]}/{database}"


def pytest_configure(config):
    worker = _xdist_worker(config)
    if not worker and getattr(config.option, "dist", "no") != "no":
        return  # the xdist controller runs no test; its workers inherit its environment
    # Read at import by the tests that talk to a real Redis (the end-to-end Celery worker).
    base = os.environ.get("TEST_REDIS_URL") or DEFAULT_TEST_REDIS_URL
    os.environ.setdefault("TEST_CELERY_BROKER_URL", worker_redis_url(base, worker))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(item.path)
        if TESTS in path.parents:
            folder = path.relative_to(TESTS).parts[0]
            if folder in FOLDER_MARKERS:
                item.add_marker(FOLDER_MARKERS[folder])


def _flushes(item) -> bool:
    """Whether pytest-django runs ``item`` as a transactional test (flushed at its end)."""
    from pytest_django.plugin import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    names = getattr(item, "fixturenames", ())
    return any(name in names for name in ("transactional_db", "live_server"))


MIGRATED_STATE = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """pytest-django's test database, and a copy of the rows its migrations left."""
    from tests import catalog_snapshot

    with django_db_blocker.unblock():
        request.config.stash[MIGRATED_STATE] = catalog_snapshot.migrated_state()
    yield
    # The test database goes next: nothing is put back into it any more.
    del request.config.stash[MIGRATED_STATE]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        state = item.config.stash.get(MIGRATED_STATE, None)
        if state is not None and nextitem is not None and _flushes(item):
            from pytest_django.plugin import blocking_manager_key

            from tests import catalog_snapshot

            with item.config.stash[blocking_manager_key].unblock():
                catalog_snapshot.restore_migrated_state(state)


# A test's users need a password hash, not a slow one: PBKDF2's million rounds take 0.3 s per
# user made or signed in (an admin client, an editor, a login), about two CPU-minutes over
# `make test-fast`. No test is about the algorithm; subprocesses keep the real settings.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Every test process hashes passwords with ``FAST_PASSWORD_HASHERS`` (live servers
    included: they run in the process)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render admin pages without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request under /zh-hans/ leaves Chinese active in the thread (LocaleMiddleware does not
    reset it); each test starts, and leaves, in the default language."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Tests hold their writes in one transaction that never commits, and the catalog
    # generation moves at commit: cached pages would look stale. tests/core/
    # test_response_cache.py turns the cache on where it tests it.
    settings.REGISTRY_PAGE_CACHE_SECONDS = 0


@pytest.fixture(scope="session")
def curated_catalog_snapshot(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The curated catalog's rows, loaded once per session (once per run under xdist: the
    workers share the build through the run's temporary directory). tests/catalog_snapshot.py."""
    from django.db import connection

    from tests import catalog_snapshot

    shared = tmp_path_factory.getbasetemp().parent if _xdist_worker(request.config) else None
    with django_db_blocker.unblock():
        return catalog_snapshot.shared_build(shared, catalog_snapshot.database_key(connection))


@pytest.fixture(scope="module")
def curated_catalog(curated_catalog_snapshot, django_db_blocker):
    """The repository's curated catalog in a transaction held for a test module and rolled back
    after: the rows a load of the catalog files writes (restored from the session's snapshot in
    milliseconds), and the load's report."""
    from django.db import transaction

    from tests import catalog_snapshot

    with django_db_blocker.unblock(), transaction.atomic():
        yield catalog_snapshot.restore(curated_catalog_snapshot)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def curated_catalog_recommended(curated_catalog, curated_catalog_snapshot, django_db_blocker):
    """``curated_catalog`` with the recommendations of every published variant, as
    ``recommendations_recompute()`` would leave them: restored from the snapshot (the state
    after the load's commit hooks) into the module's transaction, where a recompute of the whole
    catalog took 5-30 s per module. A module that tests the recompute itself calls it."""
    from tests import catalog_snapshot

    with django_db_blocker.unblock():
        catalog_snapshot.restore_recommendations(curated_catalog_snapshot)
    return curated_catalog


@pytest.fixture
def loaded_catalog(curated_catalog_snapshot, db):
    """The curated catalog restored into the test's own transaction: what
    ``catalog_load(root=BASE_DIR)`` at the start of the test leaves (rows, history, the load's
    report) in milliseconds, for tests of what happens to a loaded catalog (a second load, an
    edit, an export). A test of the load itself calls ``catalog_load``."""
    from tests import catalog_snapshot

    return catalog_snapshot.restore(curated_catalog_snapshot)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty local cache (throttle counters, cached values)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
