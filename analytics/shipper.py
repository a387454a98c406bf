"""Page views reach Redis from a background thread of each process, so a page pays for an
append to an in-memory list instead of a Redis round trip (a blocking wait that, on a busy
machine, costs the worker its CPU slice: the p95 of the round trip was milliseconds).

The thread wakes on the first queued event, lingers ``LINGER`` seconds to gather more, and
pushes them in one RPUSH through the pooled django-redis connection. If Redis is down the
events stay in memory and are retried (new ones are refused once ``MAX_PENDING`` wait).
Events wait in memory at most about ``LINGER`` plus one push: a worker killed outright (not a
graceful exit: that flushes at exit) loses those few. A forked child starts its own thread and
list; events carry unique ids, so one pushed twice after a partial failure is inserted once."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque

log = logging.getLogger(__name__)

LINGER = 0.05
MAX_PENDING = 20_000
CHUNK = 1000
RETRY_AFTER = 1.0


class Shipper:
    def __init__(self) -> None:
        self._pid = 0
        self._pending: deque[str] = deque()
        self._wake = threading.Event()
        self._push_lock = threading.Lock()
        self._start_lock = threading.Lock()

    def put(self, item: str) -> None:
        if self._pid != os.getpid():
            self._start()
        if len(self._pending) >= MAX_PENDING:
            log.warning("analytics event dropped (Redis unavailable and %d events waiting)", MAX_PENDING)
            return
        self._pending.append(item)
        self._wake.set()

    def _start(self) -> None:
        with self._start_lock:
            if self._pid == os.getpid():
                return
            # In a forked child the parent's list is the parent's to send: start afresh.
            self._pending = deque()
            self._wake = threading.Event()
            self._push_lock = threading.Lock()
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="analytics-shipper", daemon=True).start()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(LINGER)
            self._wake.clear()
            if self.flush() < 0:
                time.sleep(RETRY_AFTER)
                self._wake.set()

    def flush(self) -> int:
        """Push everything waiting now; returns how many were pushed, -1 when Redis failed."""
        from analytics.recorder import queue_key, redis

        if self._pid != os.getpid():
            return 0
        with self._push_lock:
            items: list[str] = []
            while self._pending:
                items.append(self._pending.popleft())
            if not items:
                return 0
            try:
                conn = redis()
                for start in range(0, len(items), CHUNK):
                    conn.rpush(queue_key(), *items[start : start + CHUNK])
            except Exception:
                self._pending.extendleft(reversed(items))
                log.warning("analytics: Redis unavailable, %d events kept in memory", len(items), exc_info=True)
                return -1
            return len(items)

    def waiting(self) -> int:
        return len(self._pending) if self._pid == os.getpid() else 0


shipper = Shipper()
atexit.register(shipper.flush)
