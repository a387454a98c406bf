"""Keeping a process's read models fresh.

* ``Refresher`` is a daemon thread subscribed to ``listings:changed`` (``core.events``): it
  drains every pending event, unions their keys, re-reads exactly those keys from the store and
  swaps in the next snapshot. Events published while it was away are gone (pub/sub does not
  queue): after a reconnect it compares the channel's publish count (``LISTINGS_CHANGED_COUNT``,
  incremented with every publish) with what it received, and reloads everything only when it
  missed something. A Redis restart with nothing published meanwhile costs no reload (before:
  a full rebuild from the store on the leader, seconds of both cores under load).
* ``EventLog`` keeps the newest events by sequence number, in every process (followers receive
  them too): a worker that takes over from a dead leader adopts the last published snapshot and
  replays only the events it lacks, instead of rebuilding from the store.
* ``Watcher`` polls the holders that follow a shared snapshot directory (``snapshot.py``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import redis  # at import time, in the importing thread: see Refresher.run

from core.events import LISTINGS_CHANGED as CHANNEL
from core.events import LISTINGS_CHANGED_COUNT as COUNT
from core.events import LISTINGS_CHANGED_EPOCH as EPOCH

from .model import Mark

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


Event = dict[str, list[str]]


def parse_message(raw: bytes | str) -> tuple[Event, Mark | None] | None:
    """The payload's lists of keys and its position in the channel (None for an event published
    without one), or None when it is not a valid event."""
    try:
        payload = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    out: Event = {}
    for name in ("changed", "removed", "closed"):
        values = payload.get(name) or []
        if not isinstance(values, list) or not all(isinstance(k, str) for k in values):
            return None
        out[name] = values
    seq, epoch = payload.get("seq"), payload.get("epoch")
    mark = Mark(epoch, seq) if isinstance(epoch, str) and type(seq) is int and seq > 0 else None
    return out, mark


def parse_event(raw: bytes | str) -> Event | None:
    """The event payload as lists of keys, or None when it is not a valid event."""
    parsed = parse_message(raw)
    return parsed[0] if parsed is not None else None


def event_keys(events: Iterable[Event], *, closed: bool) -> tuple[set[str], set[str]]:
    """What ``events`` ask one collection's model to re-read and to drop: a closed sale leaves
    the active listings and appears in the closed collection (re-reading it there upserts it)."""
    events = list(events)
    moved = {k for e in events for k in e["closed"]}
    if closed:
        return moved, set()
    changed = {k for e in events for k in e["changed"]}
    return changed, {k for e in events for k in e["removed"]} | moved


def apply_events(events: list[Event], *, listings: Holder, closed: Holder, marks: Iterable[Mark] = ()) -> None:
    marks = list(marks)
    for h, is_closed in ((listings, False), (closed, True)):
        upsert, remove = event_keys(events, closed=is_closed)
        h.refresh(upsert=upsert, remove=remove, marks=marks)


def mark_advance(mark: Mark | None, marks: Iterable[Mark]) -> Mark | None:
    """What a model at ``mark`` reflects once the events at ``marks`` are applied: the newest of
    them when they continue it without a gap, else unknown (None)."""
    marks = list(marks)
    if mark is None or not marks:
        return mark
    if mark == Mark("", 0):  # built before anything was ever published: any epoch continues it
        mark = Mark(marks[0].epoch, 0)
    if any(m.epoch != mark.epoch for m in marks):
        return None
    seqs = {m.seq for m in marks if m.seq > mark.seq}
    if not seqs:
        return mark
    top = max(seqs)
    return Mark(mark.epoch, top) if len(seqs) == top - mark.seq else None


def channel_position(client: Any) -> Mark:
    """The newest event's position (``seq`` 0 and no epoch yet: nothing published)."""
    count, epoch = client.mget(COUNT, EPOCH)
    return Mark(epoch.decode() if epoch else "", int(count or 0))


class EventLog:
    """The newest change events this process received, by sequence number (at most ``keys``
    keys in all: a full sync's event names every listing)."""

    def __init__(self, *, keys: int = 200_000) -> None:
        self.keys = keys
        self.epoch: str | None = None
        self._events: OrderedDict[int, Event] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def _weight(event: Event) -> int:
        return 1 + sum(len(v) for v in event.values())

    def add(self, mark: Mark, event: Event) -> None:
        with self._lock:
            if mark.epoch != self.epoch:
                self._events.clear()
                self._size, self.epoch = 0, mark.epoch
            if mark.seq in self._events:
                return
            self._events[mark.seq] = event
            self._size += self._weight(event)
            while self._size > self.keys and len(self._events) > 1:
                _, old = self._events.popitem(last=False)
                self._size -= self._weight(old)

    def after(self, mark: Mark, *, through: int) -> list[tuple[Mark, Event]] | None:
        """Every event logged after ``mark``, provided none of ``mark.seq + 1 .. through`` (the
        channel's newest) is missing; None when one is."""
        if through < mark.seq:
            return None  # the count went back: not the history the mark is from
        with self._lock:
            if through > mark.seq and mark.epoch != self.epoch:
                return None
            if any(s not in self._events for s in range(mark.seq + 1, through + 1)):
                return None
            return [(Mark(mark.epoch, s), e) for s, e in sorted(self._events.items()) if s > mark.seq]


class Refresher(threading.Thread):
    def __init__(
        self, *, redis_url: str, listings: Holder, closed: Holder, channel: str = CHANNEL, count_key: str = COUNT
    ) -> None:
        super().__init__(name="readmodel-refresher", daemon=True)
        self.redis_url, self.channel, self.count_key = redis_url, channel, count_key
        self.listings, self.closed = listings, closed
        self.stopping = threading.Event()
        self.subscribed = threading.Event()
        self.log = EventLog()
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
            parsed = [p for m in messages if (p := parse_message(m["data"])) is not None]
            marks = [mark for _, mark in parsed if mark is not None]
            for event, mark in parsed:
                if mark is not None:  # logged before it is applied: a takeover meanwhile replays it
                    self.log.add(mark, event)
            if parsed:
                started = time.perf_counter()
                apply_events([e for e, _ in parsed], listings=self.listings, closed=self.closed, marks=marks)
                self.applied += len(parsed)
                log.info("read model refreshed from %d event(s) in %.3fs", len(parsed), time.perf_counter() - started)
            if self.seen is not None:  # accounted only once applied: a failure reloads on reconnect
                unnumbered = len(messages) - len(marks)
                self.seen = max([self.seen + unnumbered, *(m.seq for m in marks)])
