"""Writes of analytics: the periodic flush of queued events into each site's table (in
batches; each event carries a unique id so a retried batch is not counted twice) and the daily
rollups the dashboard reads."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tenants.utils import schema_context

from analytics.models import ENGAGED_KINDS, DailyRollup, DailyVisitors, Event, Kind
from analytics.queue import batch_claim, stale_requeue

log = logging.getLogger(__name__)

BATCH = 5000
KEYED_KINDS = (Kind.LISTING_VIEW, Kind.SEARCH, Kind.LEAD)


def _known_schemas() -> set[str]:
    from tenants.models import Tenant

    return set(Tenant.objects.exclude(kind=Tenant.Kind.TEMPLATE).values_list("schema_name", flat=True))


def _event(raw: dict[str, Any]) -> Event:
    return Event(
        kind=raw["k"],
        key=str(raw.get("key", ""))[:200],
        visitor=str(raw.get("v", ""))[:16],
        at=datetime.fromtimestamp(float(raw["t"]), tz=timezone.get_current_timezone()),
        uid=str(raw["u"])[:32],
    )


def _parse(items: list[bytes], schemas: set[str]) -> dict[str, list[Event]]:
    by_schema: dict[str, list[Event]] = defaultdict(list)
    for item in items:
        try:
            raw = json.loads(item)
            if raw["s"] in schemas and raw["k"] in Kind.values:
                by_schema[raw["s"]].append(_event(raw))
        except (ValueError, KeyError, TypeError):
            log.warning("analytics: malformed event dropped")
    return by_schema


def _write(schema: str, events: list[Event]) -> None:
    with schema_context(schema), transaction.atomic():
        Event.objects.bulk_create(events, ignore_conflicts=True, batch_size=1000)
        # Days in order: concurrent flushes take the days' locks in the same order.
        for day in sorted({timezone.localtime(e.at).date() for e in events}):
            rollup_day(day=day)


def events_flush(*, max_batches: int = 100) -> int:
    """Move queued events into their sites' tables; returns how many were written. Each batch is
    claimed atomically by one flusher and acknowledged only once every site's part of it has
    committed (``analytics.queue``); if the database fails, the whole batch goes back to the
    queue and the error propagates. The unique ``uid`` makes the parts already committed a
    no-op when the batch is retried, so every event is counted once."""
    stale_requeue()
    schemas = _known_schemas()
    written = 0
    for _ in range(max_batches):
        batch = batch_claim(size=BATCH)
        if not batch.items:
            break
        try:
            for schema, events in _parse(batch.items, schemas).items():
                _write(schema, events)
                written += len(events)
        except BaseException:
            moved = batch.requeue()
            log.warning("analytics: flush failed, %d events back in the queue", moved, exc_info=True)
            raise
        batch.ack()
        if len(batch.items) < BATCH:
            break
    return written


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


@transaction.atomic
def rollup_day(*, day: date) -> None:
    """Recount one day from its events (idempotent: the day's rows are replaced). Two flushes
    rolling up one day take turns (a transaction-scoped advisory lock per schema and day)."""
    from django.db import connection

    from core.tenancy import current_schema

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"analytics:{current_schema()}:{day}"])
    start, end = _day_bounds(day)
    events = Event.objects.filter(at__gte=start, at__lt=end)
    DailyRollup.objects.filter(day=day).delete()
    rows = [
        DailyRollup(day=day, kind=r["kind"], key="", count=r["n"], visitors=r["v"])
        for r in events.values("kind")
        .annotate(n=Count("id"), v=Count("visitor", distinct=True, filter=~Q(visitor="")))
        .order_by()
    ]
    rows += [
        DailyRollup(day=day, kind=r["kind"], key=r["key"], count=r["n"])
        for r in events.filter(kind__in=KEYED_KINDS)
        .exclude(key="")
        .values("kind", "key")
        .annotate(n=Count("id"))
        .order_by()
    ]
    DailyRollup.objects.bulk_create(rows, batch_size=2000)
    identified = events.exclude(visitor="")
    DailyVisitors.objects.update_or_create(
        day=day,
        defaults={
            "visitors": identified.values("visitor").distinct().count(),
            "engaged": identified.filter(kind__in=ENGAGED_KINDS).values("visitor").distinct().count(),
        },
    )
