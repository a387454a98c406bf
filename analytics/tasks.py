from __future__ import annotations

from celery import shared_task


@shared_task(name="analytics.flush")
def flush() -> int:
    """Every few seconds: queued events into each site's table, and that day's rollup."""
    from analytics.services import events_flush

    return events_flush()
