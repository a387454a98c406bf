"""One network-wide version number for "which host is which site", in Redis.

Each process keeps its own host → site answers (``tenants.middleware``). Any change to sites or
domains (a removed custom domain, a suspended site) bumps this version; every process reads it
at most every ``TENANT_HOST_VERSION_CHECK_SECONDS`` (0.25 s: one Redis GET, where a GET on every
request cost a tenth of a search's CPU) and drops its answers when it moved. So a removed domain
stops being served by every process within that quarter second (by the process that removed it
at once), not after the cache's TTL.
"""

from __future__ import annotations

import logging
from functools import cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)


@cache
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)


def _key() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'cr')}:tenants:host-version"


def host_version() -> int | None:
    """The current version, or None when Redis can't be asked (callers then trust only their
    TTL)."""
    try:
        value = _client().get(_key())
    except redis.RedisError:
        logger.warning("host version unavailable", exc_info=True)
        return None
    return int(value) if value else 0


def host_version_bump() -> None:
    try:
        _client().incr(_key())
    except redis.RedisError:
        logger.warning("host version not bumped; other processes follow within their TTL", exc_info=True)
