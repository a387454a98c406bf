"""Keeping a process's read models fresh.

* ``Refresher`` is a daemon thread subscribed to ``listings:changed`` (``core.events``): it
  drains every pending event, unions their keys, re-reads exactly those keys from the store and
  swaps in the next snapshot. Events published while it was away are gone (pub/sub does not
  queue): after a reconnect it compares the channel's publish count (``LISTINGS_CHANGED_COUNT``,
  incremented with every publish) with what it received, and reloads everything only when it
  missed something. A Redis restart with nothing published meanwhile costs no reload (before:
  a full rebuild from the store on the leader, seconds of both cores under load).
* ``Watcher`` polls the holders that follow a shared snapshot directory (``snapshot.py``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import redis  # at import time, in the importing thread: see Refresher.run

from core.events import LISTINGS_CHANGED as CHANNEL
from core.events import LISTINGS_CHANGED_COUNT as COUNT

if TYPE_CHECKING:
    from .loader import Holder

log = logging.getLogger(__name__)


class Watcher(threading.Thread):
    """Polls the shared holders of this process (followers remap within ``interval``)."""

    def __init__(self, holders: Callable[[], Iterable[Holder]], *, interval: float = 0.2) -> None:
        super().__init__(name="readmodel-watcher", daemon=True)
        self.holders, self.interval = holders, interval
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            for h in self.holders():
                try:
                    h.poll()
                except Exception:  # keep watching across store outages
                    log.exception("read model snapshot poll failed")


def parse_event(raw: bytes | str) -> dict[str, list[str]] | None:
    """The event payload as lists of keys, or None when it is not a valid event."""
    try:
        payload = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    out: dict[str, list[str]] = {}
    for name in ("changed", "removed", "closed"):
        values = payload.get(name) or []
        if not isinstance(values, list) or not all(isinstance(k, str) for k in values):
            return None
        out[name] = values
    return out


def apply_events(events: list[dict[str, list[str]]], *, listings: Holder, closed: Holder) -> None:
    changed = {k for e in events for k in e["changed"]}
    removed = {k for e in events for k in e["removed"]}
    moved = {k for e in events for k in e["closed"]}
    listings.refresh(upsert=changed, remove=removed | moved)
    # A closed sale appears in the closed collection; re-reading it there is an upsert.
    closed.refresh(upsert=moved, remove=())


class Refresher(threading.Thread):
    def __init__(
        self, *, redis_url: str, listings: Holder, closed: Holder, channel: str = CHANNEL, count_key: str = COUNT
    ) -> None:
        super().__init__(name="readmodel-refresher", daemon=True)
        self.redis_url, self.channel, self.count_key = redis_url, channel, count_key
        self.listings, self.closed = listings, closed
        self.stopping = threading.Event()
        self.subscribed = threading.Event()
        self.applied = 0  # events applied (tests and health checks read it)
        self.reloads = 0  # full reloads after (re)subscribing
        # Publish count this subscriber has accounted for (None: never subscribed yet).
        self.seen: int | None = None

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        # ``redis`` is imported at module level: importing it here, in this thread, while a
        # request thread imported it too (django-redis) deadlocked the import lock under load
        # (_DeadlockError on redis.auth.token), killing the warm-up and leaving followers
        # waiting 300 s for a snapshot.

        while not self.stopping.is_set():
            try:
                client = redis.Redis.from_url(self.redis_url, socket_timeout=5, socket_connect_timeout=5)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self._catch_up(client)
                self.subscribed.set()
                self._listen(pubsub)
                pubsub.close()
            except Exception:  # keep the thread alive across Redis/Mongo outages
                self.subscribed.clear()
                log.exception("read model refresher failed; retrying")
                self.stopping.wait(2.0)

    def _catch_up(self, client: Any) -> None:
        """Subscribed (again): a model loaded before may have missed events. Reload it unless
        the channel's publish count shows nothing was published since we last accounted."""
        count = int(client.get(self.count_key) or 0)
        missed = self.seen is None or count != self.seen
        self.seen = count
        if not missed:
            log.info("read model refresher reconnected; no event missed")
            return
        for h in (self.listings, self.closed):
            if h.loaded:
                h.reload()
                self.reloads += 1

    def _listen(self, pubsub: Any) -> None:
        while not self.stopping.is_set():
            msg = pubsub.get_message(timeout=1.0)
            if msg is None:
                continue
            batch = [msg]
            while (more := pubsub.get_message(timeout=0.05)) is not None:
                batch.append(more)  # a burst of syncs becomes one rebuild
            messages = [m for m in batch if m.get("type") == "message"]
            events = [e for m in messages if (e := parse_event(m["data"])) is not None]
            if events:
                started = time.perf_counter()
                apply_events(events, listings=self.listings, closed=self.closed)
                self.applied += len(events)
                log.info("read model refreshed from %d event(s) in %.3fs", len(events), time.perf_counter() - started)
            if self.seen is not None:  # accounted only once applied: a failure reloads on reconnect
                self.seen += len(messages)
