"""How often a process reads the network's host version (``tenants.middleware``,
``tenants.hostcache``): at most once per ``TENANT_HOST_VERSION_CHECK_SECONDS``, so routing costs
no Redis round trip on most requests, while another process's change to sites or domains still
empties this process's host answers within that bound (and this process's own change at once).
The end-to-end check with two processes is ``tests/test_custom_domains.py``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tenants import middleware
from tenants.hostcache import host_version, host_version_bump


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    def reset() -> None:
        middleware._hosts.clear()
        middleware._seen_version[0] = None
        middleware._checked_at[0] = float("-inf")

    reset()
    yield
    reset()


def _cached(host: str) -> None:
    middleware._hosts[host] = (time.monotonic() + 60, object())


def test_the_version_is_read_once_per_interval_and_a_change_is_seen_after_it(settings: Any) -> None:
    settings.TENANT_HOST_VERSION_CHECK_SECONDS = 0.3
    assert middleware._follow_host_version()
    seen = middleware._seen_version[0]
    assert seen is not None and seen == host_version()
    _cached("gone.example")
    host_version_bump()  # another process removed a domain
    assert middleware._follow_host_version()
    assert middleware._seen_version[0] == seen  # within the interval: Redis was not asked
    assert "gone.example" in middleware._hosts
    time.sleep(0.3)
    assert middleware._follow_host_version()
    assert middleware._seen_version[0] == seen + 1
    assert "gone.example" not in middleware._hosts


def test_with_no_interval_every_request_reads_the_version(settings: Any) -> None:
    settings.TENANT_HOST_VERSION_CHECK_SECONDS = 0
    assert middleware._follow_host_version()
    seen = middleware._seen_version[0]
    assert seen is not None
    _cached("gone.example")
    host_version_bump()
    assert middleware._follow_host_version()
    assert middleware._seen_version[0] == seen + 1
    assert "gone.example" not in middleware._hosts


def test_a_change_committed_here_is_followed_at_once(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TENANT_HOST_VERSION_CHECK_SECONDS = 60
    assert middleware._follow_host_version()
    seen = middleware._seen_version[0]
    assert seen is not None
    with django_capture_on_commit_callbacks(execute=True):
        middleware.tenant_host_cache_clear()
        _cached("gone.example")  # read by a request between the save and the commit
    assert "gone.example" not in middleware._hosts
    assert middleware._follow_host_version()
    assert middleware._seen_version[0] == seen + 1
