"""The default cache when ``REDIS_URL`` is set: Redis, and local memory while Redis is not there.

Every call goes to Redis first. When one fails (refused, reset, timed out, any ``RedisError``)
the call is answered from a per-process local-memory cache instead and a circuit breaker opens
for ``CIRCUIT_OPEN_SECONDS``: until then every call goes straight to local memory, so a dead
or hung Redis costs one failed call (at most the client's socket timeout) per process and
period, not one per request. After the period, one call tries Redis again; when it answers,
everything goes back to Redis.

What lives in the cache survives this: cached responses are keyed by the catalog generation
(a process holding its own copies serves nothing stale) and the API throttle counts per
process while Redis is down. Nothing is copied between the two stores.

Configuration (``CACHES``): the keys of ``RedisCache``, plus the optional top-level
``CIRCUIT_OPEN_SECONDS`` (seconds, default :data:`CIRCUIT_OPEN_SECONDS`). It is not in
``OPTIONS``, which go to the Redis client unchanged.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long calls skip Redis after one failed: long enough that a dead Redis costs little,
# short enough that a restarted one is used again within seconds.
CIRCUIT_OPEN_SECONDS = 5.0
# Entries the local-memory fallback holds per process (it culls a third when full).
LOCAL_MAX_ENTRIES = 1000


class _Circuit:
    """Whether Redis is worth trying, shared by every thread of the process (Django builds a
    cache backend per thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open_until = 0.0  # monotonic seconds; 0: closed, Redis is used

    def allows_a_try(self, open_seconds: float) -> bool:
        if not self.open_until:
            return True
        with self.lock:
            now = time.monotonic()
            if not self.open_until or now >= self.open_until:
                # This caller tries Redis; the others keep to local memory meanwhile.
                if self.open_until:
                    self.open_until = now + open_seconds
                return True
            return False

    def trip(self, open_seconds: float) -> bool:
        """Open the circuit; True when it was closed (the caller logs the outage once)."""
        with self.lock:
            was_closed = not self.open_until
            self.open_until = time.monotonic() + open_seconds
        return was_closed

    def close(self) -> None:
        if self.open_until:
            with self.lock:
                self.open_until = 0.0
            logger.warning("Redis cache answers again; local-memory fallback left")


_circuits: dict[str, _Circuit] = {}
_circuits_lock = threading.Lock()


def _circuit_for(location: str) -> _Circuit:
    with _circuits_lock:
        return _circuits.setdefault(location, _Circuit())


class FailoverRedisCache(BaseCache):
    """Redis with a per-process local-memory fallback behind a circuit breaker (see the
    module's docstring)."""

    def __init__(self, server, params):
        super().__init__(params)
        self.location = server if isinstance(server, str) else ",".join(server)
        self.open_seconds = float(params.get("CIRCUIT_OPEN_SECONDS", CIRCUIT_OPEN_SECONDS))
        self.redis = RedisCache(server, params)
        local_params = {
            key: params[key]
            for key in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")
            if key in params
        }
        local_params["OPTIONS"] = {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}
        # LocMemCache instances of one name share their store: one per process and Redis.
        self.local = LocMemCache(f"failover:{self.location}", local_params)
        self.circuit = _circuit_for(self.location)

    def _call(self, method: str, *args, **kwargs):
        if self.circuit.allows_a_try(self.open_seconds):
            try:
                result = getattr(self.redis, method)(*args, **kwargs)
            except RedisError as error:
                if self.circuit.trip(self.open_seconds):
                    logger.warning(
                        "Redis cache unavailable (%s); local memory for %.0f s",
                        error,
                        self.open_seconds,
                    )
            else:
                self.circuit.close()
                return result
        return getattr(self.local, method)(*args, **kwargs)

    @property
    def using_redis(self) -> bool:
        """False while the circuit is open (calls go to local memory)."""
        return not self.circuit.open_until

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        self.local.clear()
        return self._call("clear")

    def close(self, **kwargs):
        self.redis.close(**kwargs)
