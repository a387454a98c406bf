"""Starting MLS sync runs: one at a time per source (Redis lock), recorded as ``SyncRun``.

When a run finishes it publishes the keys it changed on ``listings:changed`` so read models
and saved-search alerts act on exactly those (docs/listing-document.md).
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Callable
from datetime import datetime

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from listings.store import get_db
from mls_sync.clients import client_for_source
from mls_sync.config import source_ids
from mls_sync.indexes import store_ensure_indexes
from mls_sync.models import SyncRun
from mls_sync.pipeline import SyncCounters, SyncHooks, sync_run

log = logging.getLogger(__name__)

CHANNEL = "listings:changed"
LOCK_TTL_S = 30 * 60  # renewed while pages flow; a dead worker's lock expires on its own
LOCK_RENEW_S = 60
COUNTER_FIELDS = (
    "fetched",
    "inserted",
    "updated",
    "unchanged",
    "moved",
    "removed",
    "purged",
    "quarantined",
    "errors",
    "retries",
    "resumed",
    "duration_s",
)


class SyncLocked(RuntimeError):
    """Another run of this source holds the lock."""


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _geo_index() -> bool:
    return bool(getattr(settings, "MLS_GEO_INDEX", True))


def listings_changed_publish(*, source: str, run_id: int, counters: SyncCounters) -> int:
    """Publish the run's changed/removed/closed keys; returns the number of subscribers reached."""
    payload = {
        "source": source,
        "run_id": run_id,
        "changed": sorted(counters.changed_keys),
        "removed": sorted(counters.removed_keys),
        "closed": sorted(counters.closed_keys),
    }
    return int(_redis().publish(CHANNEL, json.dumps(payload)))


def sync_run_start(
    *,
    source: str,
    mode: str,
    since: datetime | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    hooks: SyncHooks | None = None,
) -> SyncRun:
    """Run one sync of ``source`` now, under its lock; returns the recorded run.

    A run that finds the lock taken is recorded as ``skipped``; a failing run is recorded as
    ``failed`` and re-raised (its checkpoint lets the next run resume).
    """
    connection.set_schema_to_public()  # type: ignore[attr-defined]  # SyncRun lives in the public schema
    lock = _redis().lock(f"mls_sync:lock:{source}", timeout=LOCK_TTL_S, blocking=False)
    if not lock.acquire():
        log.warning("mls sync %s %s skipped: another run holds the lock", source, mode)
        return SyncRun.objects.create(
            source=source,
            mode=mode,
            dry_run=dry_run,
            since=since,
            status=SyncRun.Status.SKIPPED,
            finished_at=timezone.now(),
        )
    run = SyncRun.objects.create(source=source, mode=mode, dry_run=dry_run, since=since)
    renewed = [time.monotonic()]

    def on_page(n: int) -> None:
        if time.monotonic() - renewed[0] > LOCK_RENEW_S:
            lock.reacquire()  # resets the TTL: long full loads keep their lock
            renewed[0] = time.monotonic()
        if progress:
            progress(n)

    try:
        counters = sync_run(
            db=get_db(),
            client=client_for_source(source),
            source=source,
            mode=mode,
            since=since,
            dry_run=dry_run,
            geo_index=_geo_index(),
            hooks=hooks,
            progress=on_page,
        )
    except BaseException as exc:
        run.status, run.error, run.finished_at = SyncRun.Status.FAILED, traceback.format_exc(), timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        log.error("mls sync %s %s failed: %s", source, mode, exc)
        raise
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            log.warning("mls sync %s lock expired before release", source)
    for name in COUNTER_FIELDS:
        setattr(run, name, getattr(counters, name))
    run.mode = counters.mode  # an incremental run with nothing to continue from ran as a full one
    run.status, run.finished_at = SyncRun.Status.OK, timezone.now()
    run.save()
    if not dry_run and (counters.changed_keys or counters.removed_keys or counters.closed_keys):
        listings_changed_publish(source=source, run_id=run.pk, counters=counters)
    return run


def sync_runs_start(
    *,
    source: str,
    mode: str,
    since: datetime | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[SyncRun]:
    """``source="all"`` runs every configured source in turn; a failure does not stop the others."""
    sources = source_ids() if source == "all" else [source]
    runs, failures = [], []
    for src in sources:
        try:
            runs.append(sync_run_start(source=src, mode=mode, since=since, dry_run=dry_run, progress=progress))
        except Exception as exc:
            failures.append((src, exc))
    if failures:
        raise failures[0][1]
    return runs


def store_indexes_ensure(*, geo: bool | None = None) -> list[str]:
    return store_ensure_indexes(db=get_db(), geo=_geo_index() if geo is None else geo)
