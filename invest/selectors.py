"""Reads: who may analyse deals, the local price index's appreciation, saved analyses."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from billing.plans import Feature
from billing.selectors import Entitlement, entitlement_check
from cma.engine import Subject, local_market
from cma.sales import day_of
from cma.selectors import closed_sales
from listings.readmodel.loader import get_closed_model, get_read_model
from listings.readmodel.memo import SnapshotMemo

from .models import SavedAnalysis
from .trends import PERIODS, Place, TrendsError, monthly_trends

APPRECIATION_YEARS = 5
# Nearby homes share one local market: the index is fitted once per ~3-mile cell and snapshot.
_CELL_DEGREES = 0.05
_index_memo = SnapshotMemo(max_entries=512)


def deal_allowance(*, user: Any) -> Entitlement:
    return entitlement_check(user=user, feature=Feature.DEAL_ANALYSIS)


def trends_allowance(*, user: Any) -> Entitlement:
    return entitlement_check(user=user, feature=Feature.MARKET_TRENDS)


def local_appreciation(
    *, lat: float, lon: float, ptype: str | None, sources: tuple[str, ...] | None, as_of: date
) -> tuple[float | None, str]:
    """The yearly change of the local price index (CMA engine, docs/cma.md §2) over the last
    five years (or as many as it covers), and a note saying where it came from; None when
    there are too few sales to measure the local market."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None, "No position: enter the appreciation you expect."
    closed = get_closed_model()
    cell = (round(lat / _CELL_DEGREES), round(lon / _CELL_DEGREES), ptype or "", sources, as_of.isoformat())
    hit = _index_memo.get(closed.version, cell)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    sales = closed_sales(model=closed)
    subject = Subject(lat=lat, lon=lon, sqft=1.0, ptype=ptype or "Residential")
    today = day_of(as_of + timedelta(days=1))
    market = local_market(subject=subject, sales=sales, as_of_day=today, sources=sources)
    if market.model is None:
        answer: tuple[float | None, str] = (None, market.reason + " Enter the appreciation you expect.")
    else:
        model = market.model
        years = min(APPRECIATION_YEARS, max((today - model.day0) / 365.2425, 0.0))
        if years < 1:
            answer = (None, "Less than a year of local sales: enter the appreciation you expect.")
        else:
            ratio = model.index_ratio(today - years * 365.2425, today)
            rate = ratio ** (1 / years) - 1
            answer = (
                rate,
                f"Local price index, {len(market.rows)} nearby sales: {rate * 100:+.1f} % a year over {years:.0f} years.",
            )
    return _index_memo.put(closed.version, cell, answer)  # type: ignore[no-any-return]


def analysis_list(*, user: Any, limit: int = 50) -> QuerySet[SavedAnalysis]:
    if user is None or not user.is_authenticated:
        return SavedAnalysis.objects.none()
    return SavedAnalysis.objects.filter(user=user).defer("result", "inputs")[:limit]


def analysis_get(*, public_id: Any, user: Any) -> SavedAnalysis | None:
    """A saved analysis its owner may open (other users' and other sites' ids: None)."""
    if user is None or not user.is_authenticated:
        return None
    return SavedAnalysis.objects.filter(public_id=public_id, user=user).first()


def market_trends(*, kind: str, value: str, period: str, scope: Any, as_of: date | None = None) -> dict[str, Any]:
    """A place's monthly trends over ``period`` (1y/3y/5y/10y) on this site's MLS sources.
    ``TrendsError`` for an unknown kind or period."""
    if period not in PERIODS:
        raise TrendsError("Choose a period of 1, 3, 5 or 10 years.", field="period")
    return monthly_trends(
        place=Place(kind, value.strip()),
        months=PERIODS[period],
        active=get_read_model(),
        closed=get_closed_model(),
        as_of=as_of or timezone.localdate(),
        sources=scope.mls_sources,
    )


def trend_places(*, limit: int = 40) -> list[str]:
    """Cities with the most closed sales (the place picker's suggestions)."""
    closed = get_closed_model()
    hit = _index_memo.get(closed.version, ("cities", limit))
    if hit is None:
        counts = np.bincount(closed.cols["city"].astype(np.int64), minlength=len(closed.dicts["city"].values))
        order = [int(i) for i in np.argsort(-counts, kind="stable") if i != 0 and counts[i] > 0][:limit]
        values = closed.dicts["city"].values
        hit = _index_memo.put(closed.version, ("cities", limit), sorted(str(values[i]) for i in order))
    return hit  # type: ignore[no-any-return]
