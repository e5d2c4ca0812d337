"""A rate limit per API token (or per logged-in session), kept in Django's cache: 429 past the limit.

Fixed one-window counters (``cache.add`` + ``cache.incr``) hold no per-request state on the throttle
object, so one instance serves concurrent requests. The rate is read from
``settings.JSIKA_API_RATE_LIMIT`` (``"600/minute"`` by default) on every request, so tests and
deployments can change it without a restart of the code that imported this module.
"""

import hashlib
import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

DEFAULT_RATE = "600/minute"
PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/minute"`` → (600, 60)."""
    count, _sep, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()]


class TokenRateThrottle(BaseThrottle):
    """Counts requests per bearer token (its SHA-256), else per session user, else per address."""

    def __init__(self, scope: str = "api"):
        self.scope = scope
        self._local = threading.local()

    def identity(self, request) -> str:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header[:7].lower() == "bearer ":
            return "t:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"u:{user.pk}"
        return "a:" + (self.get_ident(request) or "-")

    def allow_request(self, request) -> bool:
        limit, period = parse_rate(getattr(settings, "JSIKA_API_RATE_LIMIT", DEFAULT_RATE))
        now = time.time()
        window = int(now // period)
        key = f"rate:{self.scope}:{self.identity(request)}:{window}"
        cache.add(key, 0, period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, period + 1)
            count = 1
        self._local.wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
