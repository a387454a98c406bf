"""One network-wide version number for "which host is which site", in Redis.

Each process keeps its own host → site answers (``tenants.middleware``). Any change to sites or
domains (a removed custom domain, a suspended site) bumps this version; every process reads it
at most every ``TENANT_HOST_VERSION_CHECK_SECONDS`` (0.25 s: one Redis GET, where a GET on every
request cost a tenth of a search's CPU) and drops its answers when it moved. So a removed domain
stops being served by every process within that quarter second (by the process that removed it
at once), not after the cache's TTL.
"""

from __future__ import annotations

from core.netversion import HOSTS


def host_version() -> int | None:
    """The current version, or None when Redis can't be asked (callers then trust only their
    TTL)."""
    return HOSTS.read()


def host_version_bump() -> None:
    HOSTS.bump()
