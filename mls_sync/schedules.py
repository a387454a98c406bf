"""Celery beat entries for MLS sync, per source (CELERY_TIMEZONE = America/Los_Angeles).

The lead merges ``MLS_BEAT_SCHEDULE`` into ``CELERY_BEAT_SCHEDULE``: active listings at 6 AM and
6 PM, a status check every 12 hours (offset so it never overlaps the active syncs' lock), closed
sales at 10 AM.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

SOURCES = ("gps", "crmls")


def _entry(source: str, mode: str, schedule: crontab) -> dict[str, Any]:
    return {
        "task": "mls_sync.sync",
        "schedule": schedule,
        "kwargs": {"source": source, "mode": mode},
        "options": {"expires": 3 * 3600},
    }


MLS_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # A run whose worker died resumes within about two minutes (its lock expires after one).
    "mls-recover": {"task": "mls_sync.recover", "schedule": 60.0, "options": {"expires": 55}},
}
for _src in SOURCES:
    MLS_BEAT_SCHEDULE |= {
        f"mls-{_src}-active": _entry(_src, "incremental", crontab(minute=0, hour="6,18")),
        f"mls-{_src}-status": _entry(_src, "status", crontab(minute=30, hour="2,14")),
        f"mls-{_src}-closed": _entry(_src, "closed", crontab(minute=0, hour=10)),
    }
