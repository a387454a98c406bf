"""Celery tasks: thin wrappers over ``mls_sync.services`` (the beat schedule is in ``schedules``)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils.dateparse import parse_datetime

from mls_sync.services import sync_run_start


@shared_task(name="mls_sync.sync", acks_late=True, ignore_result=True)
def mls_sync_task(*, source: str, mode: str, since: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    run = sync_run_start(source=source, mode=mode, since=parse_datetime(since) if since else None, dry_run=dry_run)
    return {"run_id": run.pk, "status": run.status, "inserted": run.inserted, "updated": run.updated}


@shared_task(name="mls_sync.recover", ignore_result=True)
def syncs_recover_task() -> dict[str, list[str]]:
    """Resume dead or failed runs and send journaled change keys (``services.syncs_recover``)."""
    from mls_sync.services import syncs_recover

    return syncs_recover()
