import kombu.pools
import pytest

from llmregistry.celery import app as celery_app
from tests.faults.servers import PrivateRedis


def reset_broker_connections() -> None:
    """Drop every broker connection and producer pool (kombu keeps them in process-wide
    registries) so the next publish connects to the broker now configured."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_redis():
    """A redis-server of this test's own, which it may kill; started."""
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def celery_on(private_redis):
    """This process publishes tasks to the private Redis (database 0) instead of running them
    eagerly; restored afterwards. (The app reads Django settings under the CELERY namespace:
    an override takes effect only under the prefixed name.)"""
    previous = {
        "CELERY_TASK_ALWAYS_EAGER": celery_app.conf.task_always_eager,
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
    }
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=private_redis.url(0))
    reset_broker_connections()
    try:
        yield celery_app
    finally:
        # Drop the overrides (not re-set them): the app reads Django's settings again, which
        # other tests change through the settings fixture.
        for key in previous:
            celery_app.conf.changes.pop(key, None)
        reset_broker_connections()
