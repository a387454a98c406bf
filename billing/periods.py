"""Billing-period arithmetic shared by selectors and services."""

from __future__ import annotations

import calendar
import datetime as dt

UTC = dt.UTC


def add_month(moment: dt.datetime) -> dt.datetime:
    """One calendar month later, clamped to the month's last day (Jan 31 → Feb 28)."""
    year, month = moment.year + moment.month // 12, moment.month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def calendar_month(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Free users are metered per calendar month (UTC): they have no Stripe period."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start, add_month(start)


def roll_forward(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The period containing ``now`` when the renewal webhook is late: usage must still reset
    at the period start, not when Stripe's event happens to arrive."""
    for _ in range(240):  # bounded: twenty years of missed renewals is data corruption
        if now < end:
            break
        start, end = end, add_month(end)
    return start, end


def from_timestamp(ts: int | float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(ts, tz=UTC) if ts else None
