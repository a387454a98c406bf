"""Network-wide version numbers in Redis, for per-process caches that must notice a change made
by another process.

Each web process keeps answers of its own (host -> site in ``tenants.middleware``, rendered pages
in ``listings.pagecache``). A change bumps a counter; every process reads it at most every
``interval`` seconds (one Redis GET, where a GET on every request cost a tenth of a search's
CPU) and drops what it kept when the number moved. Redis being away is not an error here: the
reader gets None and each cache decides what that means for it (the host cache stops caching,
the page cache trusts its TTL).
"""

from __future__ import annotations

import logging
import time
from functools import cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)


@cache
def _client() -> redis.Redis:
    # One attempt (from_url sets no retries; Redis(host=...) would retry 10 times with backoff):
    # a request thread makes this read, and a failed check is tried again next interval.
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)


class NetworkVersion:
    """One counter, ``<cache prefix>:<name>`` in Redis."""

    def __init__(self, name: str) -> None:
        self.name = name
        # The last read by this process: (value, when: time.monotonic()); a failed read too, so
        # an unreachable Redis costs one attempt per interval, not one per request.
        self._seen: tuple[int | None, float] = (None, float("-inf"))

    def _key(self) -> str:
        return f"{settings.CACHES['default'].get('KEY_PREFIX', 'cr')}:{self.name}"

    def read(self) -> int | None:
        """The current number (0 before the first bump), or None when Redis can't be asked."""
        try:
            value = _client().get(self._key())
        except redis.RedisError:
            logger.warning("%s unavailable", self.name, exc_info=True)
            return None
        return int(value) if value else 0

    def bump(self) -> None:
        """Tell every process (this one's next ``follow`` reads again at once)."""
        self._seen = (None, float("-inf"))
        try:
            _client().incr(self._key())
        except redis.RedisError:
            logger.warning("%s not bumped; other processes follow within their TTL", self.name, exc_info=True)

    def follow(self, interval: float) -> int | None:
        """The number as last read, read again when that is more than ``interval`` s old."""
        value, at = self._seen
        if time.monotonic() - at < interval:
            return value
        value = self.read()
        # Timed from the answer: a read that waited on a Redis that hangs (up to the 0.5 s socket
        # timeout) outlasts the interval, and timing it from the start made every request wait again.
        self._seen = (value, time.monotonic())
        return value


HOSTS = NetworkVersion("tenants:host-version")
# Anything a signed-out visitor's cached page shows beyond the listings: a published, unpublished
# or moved page, a site's branding (listings.pagecache).
PAGES = NetworkVersion("pages:version")
