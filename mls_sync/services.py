"""Starting MLS sync runs: one at a time per source (Redis lock), recorded as ``SyncRun``.

When a run finishes it hands the keys it changed to the alerts and the read models
(``listings.changes``: a Celery message and a pub/sub event; docs/listing-document.md). The
lock is short-lived and kept alive by a heartbeat thread, so the lock of a worker that died
expires within a minute and ``syncs_recover`` (beat) resumes the run from its checkpoint.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from collections.abc import Callable
from datetime import datetime

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.events import LISTINGS_CHANGED as CHANNEL
from core.mls_sources import source_ids
from listings.changes import changes_dispatch, changes_pending_sources
from listings.store import SYNC_STATE, get_db
from mls_sync.clients import client_for_source
from mls_sync.indexes import store_ensure_indexes
from mls_sync.models import SyncRun
from mls_sync.pipeline import SyncCounters, SyncHooks, sync_run

log = logging.getLogger(__name__)

__all__ = ["CHANNEL", "SyncLocked", "listings_changed_publish", "sync_run_start", "sync_runs_start"]

LOCK_TTL_S = 60  # a dead worker's lock expires within a minute ...
LOCK_RENEW_S = 15  # ... while a live one's heartbeat renews it, however slow its pages
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
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=10, socket_connect_timeout=5)


def sync_lock(source: str) -> redis.lock.Lock:
    # Not thread-local: the heartbeat thread renews the token the run's thread acquired.
    return _redis().lock(f"mls_sync:lock:{source}", timeout=LOCK_TTL_S, blocking=False, thread_local=False)


class _Heartbeat(threading.Thread):
    def __init__(self, lock: redis.lock.Lock, source: str) -> None:
        super().__init__(name=f"mls-lock-{source}", daemon=True)
        self.lock, self.source, self.stopping = lock, source, threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(LOCK_RENEW_S):
            try:
                self.lock.reacquire()
            except redis.exceptions.LockNotOwnedError:
                # The key vanished (Redis restarted without it): take it back unless another run has.
                if not self.lock.acquire(token=self.lock.local.token):
                    log.error("mls sync %s lost its lock to another run", self.source)
            except redis.RedisError as exc:  # Redis restarting: try again at the next beat
                log.warning("mls sync %s lock renewal failed: %s", self.source, exc)


def _geo_index() -> bool:
    return bool(getattr(settings, "MLS_GEO_INDEX", True))


def listings_changed_publish(
    *, source: str, run_id: int | None, counters: SyncCounters | None, run_started: datetime | None = None
) -> dict:
    """Hand the run's changed/removed/closed keys (and any an earlier run left unsent) to the
    alerts and the read models; returns the event. Raises if the broker refused it."""
    return changes_dispatch(
        db=get_db(),
        source=source,
        run_id=run_id,
        changed=counters.changed_keys if counters else (),
        removed=counters.removed_keys if counters else (),
        closed=counters.closed_keys if counters else (),
        run_started=run_started,
    )


def _interrupted_runs_close(*, source: str) -> None:
    """Runs still marked running while we hold the lock died with their worker."""
    SyncRun.objects.filter(source=source, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED, error="interrupted: the worker stopped mid-run", finished_at=timezone.now()
    )


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
    lock = sync_lock(source)
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
    heartbeat = _Heartbeat(lock, source)
    heartbeat.start()
    try:
        _interrupted_runs_close(source=source)
        run = SyncRun.objects.create(source=source, mode=mode, dry_run=dry_run, since=since)
        counters = _run(run=run, since=since, dry_run=dry_run, hooks=hooks, progress=progress)
        if not dry_run:
            try:
                listings_changed_publish(source=source, run_id=run.pk, counters=counters, run_started=run.started_at)
            except Exception:  # the journal keeps the keys; ``syncs_recover`` sends them
                log.exception("mls sync %s: change event not handed over; the recovery sweep will", source)
    finally:
        heartbeat.stopping.set()
        try:
            lock.release()
        except redis.exceptions.LockError:
            log.warning("mls sync %s lock expired before release", source)
        except redis.RedisError as exc:
            log.warning("mls sync %s lock not released (%s); it expires on its own", source, exc)
    return run


def _run(
    *,
    run: SyncRun,
    since: datetime | None,
    dry_run: bool,
    hooks: SyncHooks | None,
    progress: Callable[[int], None] | None,
) -> SyncCounters:
    try:
        counters = sync_run(
            db=get_db(),
            client=client_for_source(run.source),
            source=run.source,
            mode=run.mode,
            since=since,
            dry_run=dry_run,
            geo_index=_geo_index(),
            hooks=hooks,
            progress=progress,
            closed_lookback_days=int(getattr(settings, "MLS_CLOSED_LOOKBACK_DAYS", 3 * 365)),
        )
    except BaseException as exc:
        run.status, run.error, run.finished_at = SyncRun.Status.FAILED, traceback.format_exc(), timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        log.error("mls sync %s %s failed: %s", run.source, run.mode, exc)
        raise
    for name in COUNTER_FIELDS:
        setattr(run, name, getattr(counters, name))
    run.mode = counters.mode  # an incremental run with nothing to continue from ran as a full one
    run.status, run.finished_at = SyncRun.Status.OK, timezone.now()
    run.save()
    return counters


def changes_recover(*, source: str) -> dict | None:
    """Send what dead runs (or a failed hand-over) left in the journal, when no run of the
    source is active (a live run's journal entries are ahead of its writes). None if busy."""
    lock = sync_lock(source)
    if not lock.acquire():
        return None
    try:
        return listings_changed_publish(source=source, run_id=None, counters=None)
    finally:
        with contextlib.suppress(redis.RedisError):
            lock.release()


RESUMABLE = ("full", "incremental", "closed")  # the modes that checkpoint page by page
RESUME_BACKOFF_S = (60, 3600)  # first and longest wait before a failed run is tried again


def _resume_due(*, source: str, mode: str, status: str, now: datetime) -> bool:
    """A dead run (still marked running, no lock) resumes now; a failed one after a wait that
    doubles with each consecutive failure."""
    if status == "running":
        return True
    recent = SyncRun.objects.filter(source=source, mode=mode).exclude(status=SyncRun.Status.SKIPPED)[:12]
    failures = 0
    for run in recent:
        if run.status != SyncRun.Status.FAILED:
            break
        failures += 1
    if not failures:
        return True
    wait = min(RESUME_BACKOFF_S[0] * 2 ** (failures - 1), RESUME_BACKOFF_S[1])
    last = recent[0].finished_at or recent[0].started_at
    return (now - last).total_seconds() >= wait


def syncs_recover(*, now: datetime | None = None) -> dict[str, list[str]]:
    """The recovery sweep (beat, every minute): resume the runs whose worker died or that
    failed, from their checkpoints, and send the change keys nothing has carried yet."""
    from mls_sync.tasks import mls_sync_task

    connection.set_schema_to_public()  # type: ignore[attr-defined]
    now, db, client = now or timezone.now(), get_db(), _redis()
    configured, resumed, sent = set(source_ids()), [], []
    for state in db[SYNC_STATE].find({"status": {"$in": ["running", "failed"]}}, {"status": 1}):
        source, _, mode = str(state["_id"]).partition(":")
        if source not in configured or mode not in RESUMABLE or client.exists(f"mls_sync:lock:{source}"):
            continue
        if not _resume_due(source=source, mode=mode, status=state["status"], now=now):
            continue
        # One resume per run however often the sweep passes before a worker takes it.
        if client.set(f"mls_sync:resume:{source}:{mode}", "1", nx=True, ex=2 * LOCK_TTL_S):
            mls_sync_task.apply_async(kwargs={"source": source, "mode": mode})
            resumed.append(f"{source}:{mode}")
    resuming = {r.partition(":")[0] for r in resumed}
    for source in changes_pending_sources(db=db):
        # A run resumed just now sends the journal itself; taking its lock here made it find
        # the lock taken and skip (bench/mixed: the resume then waited two more sweeps).
        if source not in resuming and changes_recover(source=source) is not None:
            sent.append(source)
    if resumed or sent:
        log.info("mls sync recovery: resumed %s, sent journaled changes of %s", resumed, sent)
    return {"resumed": resumed, "sent": sent}


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
