"""Rate limits with the `limits` library: moving windows in Redis (shared by every web worker) when
REDIS_URL is set, in process memory otherwise.

If the limit store itself is down the request is let through and the failure logged: an outage of the
limiter must not become an outage of the API.
"""

from __future__ import annotations

import logging
import math
import time
from functools import lru_cache

from django.conf import settings
from limits import RateLimitItem, parse_many, storage, strategies

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _limiter(uri: str) -> strategies.MovingWindowRateLimiter:
    return strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))


@lru_cache(maxsize=64)
def _rates(spec: str) -> list[RateLimitItem]:
    return parse_many(spec)


def hit(spec: str, *identifiers: str) -> int | None:
    """Count one hit against every rate in `spec` ("20/second;600/minute") for `identifiers`.

    Returns None when allowed, else the seconds to wait (Retry-After) until the tightest window has room.
    A refused hit is not counted, so a client that backs off as told gets through.
    """
    limiter = _limiter(settings.RATELIMIT_STORAGE_URI)
    try:
        rates = _rates(spec)
        for rate in rates:
            if not limiter.test(rate, *identifiers):
                reset_at = limiter.get_window_stats(rate, *identifiers).reset_time
                return max(1, math.ceil(reset_at - time.time()))
        for rate in rates:
            limiter.hit(rate, *identifiers)
    except Exception:  # the store is down (Redis): let the request through rather than fail the API
        logger.warning("rate limit store unavailable; request allowed", exc_info=True)
    return None


def retry_after(spec: str, *identifiers: str) -> int | None:
    """Seconds until `identifiers` are under every rate in `spec` again; None when they are now. Counts nothing."""
    limiter = _limiter(settings.RATELIMIT_STORAGE_URI)
    try:
        for rate in _rates(spec):
            if not limiter.test(rate, *identifiers):
                return max(1, math.ceil(limiter.get_window_stats(rate, *identifiers).reset_time - time.time()))
    except Exception:  # the store is down: nothing is refused for it
        logger.warning("rate limit store unavailable; request allowed", exc_info=True)
    return None


def count(spec: str, *identifiers: str) -> None:
    """Count one hit (e.g. a failed login) against every rate in `spec`, whether or not it is over."""
    limiter = _limiter(settings.RATELIMIT_STORAGE_URI)
    try:
        for rate in _rates(spec):
            limiter.hit(rate, *identifiers)
    except Exception:
        logger.warning("rate limit store unavailable; hit not counted", exc_info=True)


def clear(spec: str, *identifiers: str) -> None:
    """Forget the hits for `identifiers` (a successful login clears its failures)."""
    limiter = _limiter(settings.RATELIMIT_STORAGE_URI)
    try:
        for rate in _rates(spec):
            limiter.clear(rate, *identifiers)
    except Exception:
        logger.warning("rate limit store unavailable; not cleared", exc_info=True)
