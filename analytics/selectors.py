"""Reads for the dashboard: everything over a period comes from the daily rollups (a year is
365 rows per series), leads and clients from the CRM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Sum

from analytics.models import DailyRollup, DailyVisitors, Kind

PAGE_KINDS = (Kind.PAGE_VIEW, Kind.LISTING_VIEW, Kind.SEARCH)
CLIENT_STAGES = ("showing", "offer", "under_contract", "closed")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def period_from(params: Any, *, today: date) -> Period:
    raw = params.get("days", "30")
    days = int(raw) if str(raw).isdigit() and 1 <= int(raw) <= 366 else 30
    return Period(start=today - timedelta(days=days - 1), end=today)


def daily_series(*, period: Period) -> list[dict[str, Any]]:
    rollups = DailyRollup.objects.filter(day__range=(period.start, period.end), key="")
    views: dict[date, int] = {}
    listing: dict[date, int] = {}
    for r in rollups.filter(kind__in=PAGE_KINDS).values("day", "kind").annotate(n=Sum("count")).order_by():
        views[r["day"]] = views.get(r["day"], 0) + r["n"]
        if r["kind"] == Kind.LISTING_VIEW:
            listing[r["day"]] = r["n"]
    visitors = {
        v["day"]: (v["visitors"], v["engaged"])
        for v in DailyVisitors.objects.filter(day__range=(period.start, period.end)).values(
            "day", "visitors", "engaged"
        )
    }
    return [
        {
            "day": day,
            "visitors": visitors.get(day, (0, 0))[0],
            "engaged": visitors.get(day, (0, 0))[1],
            "page_views": views.get(day, 0),
            "listing_views": listing.get(day, 0),
        }
        for day in period.days
    ]


def top_keys(*, period: Period, kind: str, limit: int = 10) -> list[tuple[str, int]]:
    rows = (
        DailyRollup.objects.filter(day__range=(period.start, period.end), kind=kind)
        .exclude(key="")
        .values("key")
        .annotate(n=Sum("count"))
        .order_by("-n", "key")[:limit]
    )
    return [(r["key"], int(r["n"])) for r in rows]


def leads_by_source(*, period: Period) -> list[tuple[str, int]]:
    from leads.models import Lead

    labels = dict(Lead.Source.choices)
    rows = (
        Lead.objects.filter(created_at__date__range=(period.start, period.end))
        .values("source")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [(str(labels.get(r["source"], r["source"])), int(r["n"])) for r in rows]


def funnel(*, period: Period, series: list[dict[str, Any]] | None = None) -> list[tuple[str, int]]:
    """visit → engaged → lead → client → closed. Visits are daily distinct visitors summed over
    the period (the visitor hash changes daily by design); leads, clients and closings are the
    period's leads and how far they got."""
    from leads.models import Lead

    series = series if series is not None else daily_series(period=period)
    leads = Lead.objects.filter(created_at__date__range=(period.start, period.end))
    return [
        ("Visits", sum(d["visitors"] for d in series)),
        ("Engaged", sum(d["engaged"] for d in series)),
        ("Leads", leads.count()),
        ("Clients", leads.filter(status__in=CLIENT_STAGES).count()),
        ("Closed", leads.filter(status="closed").count()),
    ]


def dashboard(*, period: Period) -> dict[str, Any]:
    series = daily_series(period=period)
    return {
        "period": period,
        "series": series,
        "totals": {
            "visitors": sum(d["visitors"] for d in series),
            "page_views": sum(d["page_views"] for d in series),
            "listing_views": sum(d["listing_views"] for d in series),
        },
        "top_listings": top_keys(period=period, kind=Kind.LISTING_VIEW),
        "top_searches": top_keys(period=period, kind=Kind.SEARCH),
        "leads_by_source": leads_by_source(period=period),
        "funnel": funnel(period=period, series=series),
    }
