import pytest


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
    # generation moves at commit: cached pages would look stale. tests/llmregistry/
    # test_response_cache.py turns the cache on where it tests it.
    settings.REGISTRY_PAGE_CACHE_SECONDS = 0


@pytest.fixture(scope="module")
def curated_catalog(django_db_setup, django_db_blocker):
    """The repository's curated catalog, loaded once for a test module and rolled back after."""
    from django.conf import settings
    from django.db import transaction

    from catalog.services import catalog_load

    with django_db_blocker.unblock(), transaction.atomic():
        report = catalog_load(root=settings.BASE_DIR)
        yield report
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty local cache (throttle counters, cached values)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
