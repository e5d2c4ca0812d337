"""Rate limits per client address for the public grievance pages and API, kept in Django's cache.

Fixed windows: the first hit opens a window of ``window`` seconds; ``limit`` hits fit in it. The cache
must be shared by every worker in production (database or Redis cache), or each worker counts alone.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window: int  # seconds

    def key(self, address: str) -> str:
        return f"jsika:grievances:{self.name}:{address}"

    def exceeded(self, address: str) -> bool:
        """True when ``address`` has used up this limit in the current window."""
        return (cache.get(self.key(address)) or 0) >= self.limit

    def hit(self, address: str) -> int:
        """Count one more use; the number used so far in this window."""
        key = self.key(address)
        cache.add(key, 0, self.window)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.window)
            return 1


def _rates() -> dict:
    defaults = {"filings_per_hour": 5, "attempts_per_hour": 30, "misses_per_hour": 10}
    return {**defaults, **getattr(settings, "JSIKA_GRIEVANCE_RATES", {})}


def filings() -> Limit:
    """Grievances filed from one address (web form and API together)."""
    return Limit("filed", _rates()["filings_per_hour"], 3600)


def attempts() -> Limit:
    """Form submissions from one address, valid or not (stops guessing at the challenge)."""
    return Limit("attempt", _rates()["attempts_per_hour"], 3600)


def misses() -> Limit:
    """Lookups of tickets that do not exist: past this, every lookup from the address is refused."""
    return Limit("miss", _rates()["misses_per_hour"], 3600)


def client_address(request) -> str:
    """The address the limits count by. Behind a reverse proxy, configure it to set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or "unknown"
