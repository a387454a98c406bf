"""Celery beat entries for saved-search alerts; merged into CELERY_BEAT_SCHEDULE in settings
(kept apart from tasks.py so settings can import it without loading Django apps)."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

ALERTS_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "listings-alerts-daily-digest": {
        "task": "listings.alerts_daily_digest",
        "schedule": crontab(minute=0, hour=7),
        "options": {"expires": 6 * 3600},
    },
    # Alerts still due after their task's retries (a mail server down for long).
    "listings-alerts-send-due": {
        "task": "listings.alerts_send_due",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}
