"""Celery beat entries for MLS sync, per configured source (CELERY_TIMEZONE = America/Los_Angeles).

Each source's ``schedule`` (``MLS_<ID>_SCHEDULE``) maps a sync mode to a 5-field cron line; the
default runs active listings at 6 AM and 6 PM, a status check every 12 hours (offset so it never
overlaps the active syncs' lock) and closed sales at 10 AM. Settings build the schedule from the
source declarations (``config/settings/celery.py``), so this module reads no settings itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery.schedules import crontab

MODE_NAMES = {"incremental": "active"}  # entry names kept from before sources were configurable


def _cron(line: str) -> crontab:
    minute, hour, day_of_month, month_of_year, day_of_week = line.split()
    return crontab(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week
    )


def mls_beat_schedule(sources: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    schedule: dict[str, dict[str, Any]] = {
        # A run whose worker died resumes within about two minutes (its lock expires after one).
        "mls-recover": {"task": "mls_sync.recover", "schedule": 60.0, "options": {"expires": 55}},
    }
    for source, cfg in sources.items():
        for mode, line in (cfg.get("schedule") or {}).items():
            schedule[f"mls-{source}-{MODE_NAMES.get(mode, mode)}"] = {
                "task": "mls_sync.sync",
                "schedule": _cron(line),
                "kwargs": {"source": source, "mode": mode},
                "options": {"expires": 3 * 3600},
            }
    return schedule
