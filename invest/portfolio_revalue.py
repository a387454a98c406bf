"""Revaluing a site's portfolio properties with the CMA engine, after each closed-sales sync.

One pass for the whole schema: the properties are read in one query, the closed-sales read
model once; homes of one ~3-mile cell and property type share one local market model
(``cma.engine.local_market``, fitted once per cell: the expensive step), each home still gets
its own comps (``valuate(market=...)``, docs/cma.md); then one transaction writes the values
(``bulk_update``), the day's snapshots (one row a property a day, upserted) and the alerts of
estimates that moved more than their owner's percentage. Mail goes out after the commit
(``portfolio_alerts_send``).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from cma.engine import (
    MODEL_MAX_MILES,
    MODEL_MAX_SALES,
    CmaError,
    Subject,
    Valuation,
    local_market,
    usable_rows,
    valuate,
)
from cma.sales import Categories, Sales, day_of, haversine_mi
from cma.selectors import closed_sales
from listings.readmodel.loader import get_closed_model

from .models import PortfolioAlert, PortfolioProperty, PortfolioValue

log = logging.getLogger(__name__)

_CELL_DEGREES = 0.05  # as the appreciation memo: one local market per ~3-mile cell
VALUE_STEP = 1000  # dollars, as the CMA report rounds its estimate
SUBJECT_FIELDS = (
    "lat",
    "lon",
    "sqft",
    "beds",
    "baths",
    "year",
    "lot",
    "garage",
    "pool",
    "ptype",
    "psub",
    "subdivision",
    "condition",
    "key",
)
VALUE_FIELDS = ["value_cents", "value_low_cents", "value_high_cents", "value_note", "valued_at", "alert_base_cents"]


@dataclass
class RevalueResult:
    properties: int = 0
    valued: int = 0
    alerts: int = 0
    markets: int = 0


def subject_facts(subject: Subject) -> dict[str, Any]:
    """A ``Subject`` as JSON-safe facts (NaN as None)."""
    out: dict[str, Any] = {}
    for name in SUBJECT_FIELDS:
        v = getattr(subject, name)
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        out[name] = v
    return out


def subject_of(prop: PortfolioProperty) -> Subject:
    f = {k: v for k, v in (prop.facts or {}).items() if k in SUBJECT_FIELDS}
    for name in ("lat", "lon", "sqft"):
        f[name] = math.nan if f.get(name) is None else float(f[name])
    return Subject(address=prop.address, **f)


def _rounded_cents(x: float | None) -> int | None:
    if x is None or not math.isfinite(x):
        return None
    return int(round(x / VALUE_STEP)) * VALUE_STEP * 100


def _cell(s: Subject) -> tuple[Any, ...]:
    return (round(s.lat / _CELL_DEGREES), round(s.lon / _CELL_DEGREES), s.ptype or "Residential")


def _subset(sales: Sales, rows: np.ndarray) -> Sales:
    """The sales table cut to ``rows`` (same category codes: a model fitted on it reads alike)."""
    return Sales(
        key=sales.key[rows],
        num={name: col[rows] for name, col in sales.num.items()},
        cats={name: Categories(codes=c.codes[rows], values=c.values) for name, c in sales.cats.items()},
    )


def _area_sales(
    sales: Sales, members: list[Subject], centre: Subject, day: float, sources: tuple[str, ...] | None
) -> Sales:
    """Every sale any member's valuation can use, so each home is valued on a few thousand
    rows instead of the whole table, with the same result: a home's nearest
    ``MODEL_MAX_SALES`` (+1: its own sale is left out) lie within its distance to the centre
    plus the centre's reach to as many, so within ``2 x offset + reach`` of the centre, and
    never beyond ``MODEL_MAX_MILES + offset`` (the triangle inequality)."""
    pool = usable_rows(sales, subject=centre, as_of_day=day, sources=sources)
    miles = haversine_mi(centre.lat, centre.lon, sales.num["lat"][pool], sales.num["lon"][pool])
    offset = max(float(haversine_mi(centre.lat, centre.lon, np.array([s.lat]), np.array([s.lon]))[0]) for s in members)
    radius = MODEL_MAX_MILES + offset
    need = MODEL_MAX_SALES + 1
    if len(miles) > need:
        radius = min(radius, 2 * offset + float(np.partition(miles, need - 1)[need - 1]))
    return _subset(sales, np.sort(pool[miles <= radius + 1e-9]))


def valuations(
    subjects: list[Subject], *, sales: Sales, as_of: date, sources: tuple[str, ...] | None
) -> tuple[list[Valuation | str], int]:
    """Each subject's valuation (or why none), sharing one local market per cell and type;
    and how many markets were fitted."""
    day = day_of(as_of + timedelta(days=1))  # sales recorded up to today count
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    out: list[Valuation | str] = ["" for _ in subjects]
    for i, s in enumerate(subjects):
        try:
            s.validate()
        except CmaError as e:
            out[i] = str(e)
            continue
        groups[_cell(s)].append(i)
    for members in groups.values():
        homes = [subjects[i] for i in members]
        lat, lon = sum(s.lat for s in homes) / len(homes), sum(s.lon for s in homes) / len(homes)
        centre = Subject(lat=lat, lon=lon, sqft=1.0, ptype=homes[0].ptype or "Residential")
        area = _area_sales(sales, homes, centre, day, sources)
        market = local_market(subject=centre, sales=area, as_of_day=day, sources=sources)
        for i, s in zip(members, homes, strict=True):
            out[i] = valuate(subject=s, sales=area, as_of_day=day, sources=sources, market=market)
    return out, len(groups)


def _moved(prop: PortfolioProperty, value: int) -> int | None:
    """The previous value an alert compares with, when the move exceeds the owner's %."""
    base = prop.alert_base_cents
    if prop.alert_pct is None or not base:
        return None
    return base if abs(value - base) * 100 > Decimal(prop.alert_pct) * base else None


def _apply(prop: PortfolioProperty, v: Valuation | str, now: datetime) -> int | None:
    """Set the property's value fields; the previous value when an alert is due."""
    prop.valued_at = now
    if isinstance(v, str) or v.estimate is None:
        prop.value_note = (v if isinstance(v, str) else v.reason)[:300] or "Not enough data for an estimate."
        return None  # the last known value stays
    value = _rounded_cents(v.estimate)
    assert value is not None
    prop.value_cents, prop.value_low_cents, prop.value_high_cents = value, _rounded_cents(v.low), _rounded_cents(v.high)
    prop.value_note = v.reason[:300]
    previous = _moved(prop, value)
    if prop.alert_pct is None:
        prop.alert_base_cents = None
    elif prop.alert_base_cents is None or previous is not None:
        prop.alert_base_cents = value  # alerts compare with the value last mailed (or first seen)
    return previous


def portfolio_revalue(
    *, sources: tuple[str, ...] | None, as_of: date | None = None, properties: list[PortfolioProperty] | None = None
) -> RevalueResult:
    """Revalue every portfolio property of the current schema (or ``properties``)."""
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    props = list(PortfolioProperty.objects.all()) if properties is None else properties
    result = RevalueResult(properties=len(props))
    if not props:
        return result
    sales = closed_sales(model=get_closed_model())
    found, result.markets = valuations([subject_of(p) for p in props], sales=sales, as_of=as_of, sources=sources)
    snapshots, alerts = [], []
    for prop, v in zip(props, found, strict=True):
        previous = _apply(prop, v, now)
        if prop.value_cents is None or isinstance(v, str) or v.estimate is None:
            continue
        result.valued += 1
        snapshots.append(
            PortfolioValue(
                property=prop,
                day=as_of,
                value_cents=prop.value_cents,
                low_cents=prop.value_low_cents,
                high_cents=prop.value_high_cents,
            )
        )
        if previous is not None:
            alerts.append(
                PortfolioAlert(property=prop, day=as_of, previous_cents=previous, value_cents=prop.value_cents)
            )
    with transaction.atomic():
        # INSERT ... ON CONFLICT (id) DO UPDATE of the value fields: one statement a batch
        # (``bulk_update``'s CASE expressions took seconds for 1,000 homes).
        PortfolioProperty.objects.bulk_create(
            props, batch_size=500, update_conflicts=True, unique_fields=["id"], update_fields=VALUE_FIELDS
        )
        PortfolioValue.objects.bulk_create(
            snapshots,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["property", "day"],
            update_fields=["value_cents", "low_cents", "high_cents"],
        )
        created = PortfolioAlert.objects.bulk_create(alerts, batch_size=1000, ignore_conflicts=True)
    result.alerts = len(created)
    return result


def closed_model_fresh(*, keys: list[str]) -> None:
    """Make this process's closed-sales read model hold ``keys`` before valuing: the task can
    run before the read model's own subscriber applied the same event."""
    from listings.readmodel.loader import CLOSED, holder

    model = get_closed_model()
    missing = [k for k in keys if model.row_of_key(k) is None]
    if missing:
        holder(CLOSED).refresh(upsert=missing, remove=())
