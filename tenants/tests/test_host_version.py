"""How often a process reads the network's host version (``tenants.middleware``,
``core.netversion``): at most once per ``TENANT_HOST_VERSION_CHECK_SECONDS``, so routing costs
no Redis round trip on most requests, while another process's change to sites or domains still
empties this process's host answers within that bound (and this process's own change at once).
The end-to-end check with two processes is ``tests/test_custom_domains.py``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from core import netversion
from tenants import middleware


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[None]:
    def reset() -> None:
        middleware._hosts.clear()
        middleware._answers_version[0] = None
        netversion.HOSTS._seen = (None, float("-inf"))

    reset()
    yield
    reset()


def _cached(host: str) -> None:
    middleware._hosts[host] = (time.monotonic() + 60, object())


def test_the_version_is_read_once_per_interval_and_a_change_is_seen_after_it(settings: Any) -> None:
    settings.TENANT_HOST_VERSION_CHECK_SECONDS = 0.3
    seen = middleware.host_version_follow()
    assert seen is not None and seen == netversion.HOSTS.read()
    _cached("gone.example")
    netversion._client().incr(netversion.HOSTS._key())  # another process removed a domain
    assert middleware.host_version_follow() == seen  # within the interval: Redis was not asked
    assert "gone.example" in middleware._hosts
    time.sleep(0.3)
    assert middleware.host_version_follow() == seen + 1
    assert "gone.example" not in middleware._hosts


def test_with_no_interval_every_request_reads_the_version(settings: Any) -> None:
    settings.TENANT_HOST_VERSION_CHECK_SECONDS = 0
    seen = middleware.host_version_follow()
    assert seen is not None
    _cached("gone.example")
    netversion.HOSTS.bump()
    assert middleware.host_version_follow() == seen + 1
    assert "gone.example" not in middleware._hosts


def test_a_change_committed_here_is_followed_at_once(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TENANT_HOST_VERSION_CHECK_SECONDS = 60
    seen = middleware.host_version_follow()
    assert seen is not None
    with django_capture_on_commit_callbacks(execute=True):
        middleware.tenant_host_cache_clear()
        _cached("gone.example")  # read by a request between the save and the commit
    assert "gone.example" not in middleware._hosts
    assert middleware.host_version_follow() == seen + 1


def test_while_redis_is_away_nothing_is_cached_and_it_is_asked_once_per_interval(
    settings: Any, monkeypatch: Any
) -> None:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    settings.TENANT_HOST_VERSION_CHECK_SECONDS = 0.3
    assert middleware.host_version_follow() is not None
    _cached("kept.example")
    calls: list[str] = []

    class Away(redis.Redis):
        def get(self, name: Any) -> Any:
            calls.append(name)
            time.sleep(0.35)  # a Redis that hangs: the attempt outlasts the interval
            return super().get(name)

    # nothing listens there; one attempt, as core.netversion's client (from_url) makes
    away = Away(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    monkeypatch.setattr(netversion, "_client", lambda: away)
    time.sleep(0.3)
    assert middleware.host_version_follow() is None
    assert middleware._hosts == {}  # an answer can't be trusted when changes can't be seen
    for _ in range(20):  # requests within the interval don't wait on Redis again
        assert middleware.host_version_follow() is None
    assert len(calls) == 1
    monkeypatch.undo()
    time.sleep(0.3)
    assert middleware.host_version_follow() == netversion.HOSTS.read()
    assert len(calls) == 1
