"""The ``listings:changed`` event: which listings a sync changed, and how the news travels.

Two kinds of reader act on it. The saved-search alerts must see every change exactly once even
if nothing was listening when the sync finished, so the event is handed to Celery
(``listings.alerts_on_changed``: a broker message that waits in the queue for a worker and is
acknowledged only after the task ran). The read models live in every web process and only
need the freshest data, so the same event is also published on Redis pub/sub; a process that
was disconnected reloads everything when it reconnects (``listings.readmodel.loader``).

A sync writes each page's keys to a journal in the store *before* writing the page
(``changes_journal``). The journal is cleared only once the event that covers those keys has
been handed over (``changes_dispatch``), so the keys of a run that died half-way, or whose event
could not be handed over (the broker was down), are carried by the next dispatch: the next run
of that source or the recovery sweep (``mls_sync.tasks.syncs_recover``). They travel as both
``changed`` and ``closed``: every reader re-reads a key from the store (a key gone from a
collection is dropped), so a journaled key that did not change costs a read, never a wrong
answer.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pymongo.database import Database

from core.events import LISTINGS_CHANGED as CHANNEL
from core.events import LISTINGS_CHANGED_COUNT as COUNT
from core.events import LISTINGS_CHANGED_EPOCH as EPOCH

log = logging.getLogger(__name__)

JOURNAL = "listing_changes"
ALERTS_TASK = "listings.alerts_on_changed"
# How hard the hand-over to the broker tries before it gives up (the journal keeps the keys).
BROKER_RETRY = {"max_retries": 3, "interval_start": 0.5, "interval_step": 1.0, "interval_max": 3.0}


def changes_journal(*, db: Database, source: str, keys: Iterable[str]) -> None:
    """Remember keys a run is about to write (or delete) until an event has carried them."""
    keys = sorted({k for k in keys if isinstance(k, str)})
    if keys:
        db[JOURNAL].insert_one({"source": source, "keys": keys, "at": datetime.now(UTC)})


def _journaled(*, db: Database, source: str) -> tuple[list[Any], list[tuple[datetime, list[str]]]]:
    ids, entries = [], []
    for doc in db[JOURNAL].find({"source": source}).sort("_id", 1):
        ids.append(doc["_id"])
        at = doc.get("at") or datetime.min.replace(tzinfo=UTC)
        entries.append((at if at.tzinfo else at.replace(tzinfo=UTC), list(doc.get("keys") or [])))
    return ids, entries


def changes_pending_sources(*, db: Database) -> list[str]:
    return sorted(s for s in db[JOURNAL].distinct("source") if isinstance(s, str))


def changes_event(
    *,
    source: str,
    run_id: int | None,
    changed: Iterable[str] = (),
    removed: Iterable[str] = (),
    closed: Iterable[str] = (),
    recovered: Iterable[str] = (),
) -> dict[str, Any]:
    recovered = set(recovered)
    return {
        "source": source,
        "run_id": run_id,
        "changed": sorted(set(changed) | recovered),
        "removed": sorted(set(removed)),
        "closed": sorted(set(closed) | recovered),
    }


def changes_dispatch(
    *,
    db: Database,
    source: str,
    run_id: int | None,
    changed: Iterable[str] = (),
    removed: Iterable[str] = (),
    closed: Iterable[str] = (),
    run_started: datetime | None = None,
) -> dict[str, Any]:
    """Hand one run's event (plus whatever earlier runs left in the journal) to the alerts and
    the read models, then clear the journal entries it covered.

    Journal entries written since ``run_started`` belong to this run, whose counters already
    say exactly what changed; older ones (or all, without ``run_started``: the recovery sweep)
    are recovered keys. Raises when the broker refuses the event: the journal then still
    holds every key, for the next attempt."""
    ids, entries = _journaled(db=db, source=source)
    if run_started is not None:  # the store keeps milliseconds
        run_started = run_started.replace(microsecond=run_started.microsecond // 1000 * 1000)
    recovered = {k for at, keys in entries if run_started is None or at < run_started for k in keys}
    event = changes_event(
        source=source, run_id=run_id, changed=changed, removed=removed, closed=closed, recovered=recovered
    )
    if event["changed"] or event["removed"] or event["closed"]:
        _hand_over(event)
    if ids:
        db[JOURNAL].delete_many({"_id": {"$in": ids}})
    return event


def _hand_over(event: dict[str, Any]) -> None:
    from listings.tasks import alerts_on_changed

    alerts_on_changed.apply_async(args=[event], retry=True, retry_policy=BROKER_RETRY)
    changes_publish(event)


# Numbers the event and publishes it in one step, so the count and the sequence numbers the
# subscribers see never disagree: KEYS = count, epoch, channel; ARGV = the event's JSON without
# its opening brace, an epoch to use if the count's history starts now. Returns the receivers.
_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
local epoch = redis.call('GET', KEYS[2])
if (not epoch) or seq == 1 then
  epoch = ARGV[2]
  redis.call('SET', KEYS[2], epoch)
end
return redis.call('PUBLISH', KEYS[3], '{"seq":' .. seq .. ',"epoch":"' .. epoch .. '",' .. ARGV[1])
"""


def changes_publish(event: dict[str, Any]) -> int:
    """Tell the read models (best effort: one that missed it reloads on reconnecting)."""
    import redis
    from django.conf import settings

    body = json.dumps({k: v for k, v in event.items() if k not in ("seq", "epoch")})
    if body == "{}":
        return 0
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
        return int(client.eval(_PUBLISH, 3, COUNT, EPOCH, CHANNEL, body[1:], secrets.token_hex(8)))
    except redis.RedisError as exc:
        log.warning("listings:changed not published (%s); read models reload on reconnect", exc)
        return 0
