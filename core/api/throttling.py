import logging

from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)


class ResilientAnonRateThrottle(AnonRateThrottle):
    """Anonymous rate limit in the shared cache (Redis in deployments). When the cache is
    unreachable the request is let through: an outage must not take the API down."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache backend's connection errors vary (redis, socket…)
            logger.warning("Throttle cache unavailable; request allowed", exc_info=True)
            return True
