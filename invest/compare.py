"""Two to four listings side by side: facts, the CMA engine's estimate and range, $/sq ft
against the area's median, rent estimate, cash flow and cap rate under the same assumptions,
days on market, price history; the best value of each row marked.

One CMA run per listing (``cma.services.cma_run``, not counted against the CMA allowance: the
comparison is its own Investor 2 feature) and one deal analysis per listing with the default
assumptions and that listing's own price, HOA, land lease and rent estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cma.engine import CmaError
from cma.services import CmaInputs, cma_run
from listings.selectors import Scope

from .finance import DealError
from .panels import listing_quick

MIN_HOMES, MAX_HOMES = 2, 4


class CompareError(ValueError):
    pass


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[str]
    best: int | None  # index of the best value, None when not comparable


def refs_parse(raw: str) -> list[str]:
    """'a,b,c' -> distinct references in order; ``CompareError`` unless 2 to 4."""
    refs: list[str] = []
    for part in raw.replace(" ", ",").split(","):
        part = part.strip()[:200]
        if part and part not in refs:
            refs.append(part)
    if not MIN_HOMES <= len(refs) <= MAX_HOMES:
        raise CompareError(f"Compare {MIN_HOMES} to {MAX_HOMES} listings (you gave {len(refs)}).")
    return refs


def _home(ref: str, scope: Scope, as_of: date) -> dict[str, Any]:
    try:
        resolved, cma = cma_run(inputs=CmaInputs(listing=ref), scope=scope, as_of=as_of)
    except CmaError as e:
        raise CompareError(f"{ref}: {e}") from e
    doc = resolved.listing or {}
    try:
        quick = listing_quick(doc=doc)
    except DealError:
        quick = None
    return {"doc": doc, "cma": cma, "quick": quick}


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal, str)):
        return None
    try:
        f = float(v)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def _best(values: list[float | None], *, low: bool) -> int | None:
    known = [(v, i) for i, v in enumerate(values) if v is not None]
    if len(known) < 2 or len({v for v, _ in known}) == 1:
        return None
    return (min(known) if low else max(known))[1]


def _money(v: float | None) -> str:
    return "–" if v is None else f"{'−' if v < 0 else ''}${abs(v):,.0f}"


def comparison_build(*, raw: str, scope: Scope, as_of: date) -> dict[str, Any]:
    refs = refs_parse(raw)
    homes = [_home(ref, scope, as_of) for ref in refs]

    def col(fn: Any) -> list[float | None]:
        return [fn(h) for h in homes]

    price = col(lambda h: _num(h["doc"].get("listPrice") or h["doc"].get("closePrice")))
    sqft = col(lambda h: _num(h["doc"].get("livingArea")))
    ppsf = [p / s if p and s else None for p, s in zip(price, sqft, strict=True)]
    area = col(lambda h: _num((h["cma"].get("market") or {}).get("median_ppsf")))
    estimate = col(lambda h: _num(h["cma"].get("estimate")))
    under = [e - p if e is not None and p else None for e, p in zip(estimate, price, strict=True)]
    rent = col(lambda h: _num(((h["quick"] or {}).get("rent") or {}).get("estimate")))
    result = [(h["quick"] or {}).get("result") or {} for h in homes]
    cash = [_num(r.get("monthly_cash_flow")) for r in result]
    cap = [_num(r.get("cap_rate")) for r in result]
    dom = col(lambda h: _num(h["doc"].get("daysOnMarket")))

    def ranges(h: dict[str, Any]) -> str:
        c = h["cma"]
        if c.get("estimate") is None:
            return "Not enough data"
        return f"{_money(c['estimate'])} ({_money(c.get('low'))}–{_money(c.get('high'))})"

    history = [
        "; ".join(
            f"{str(e.get('date', ''))[:10]} {_money(_num(e.get('price')))}"
            for e in (h["doc"].get("priceHistory") or [])[-3:]
        )
        or "–"
        for h in homes
    ]
    rows = [
        Row("Price", [_money(v) for v in price], _best(price, low=True)),
        Row(
            "Beds / baths",
            [f"{h['doc'].get('bedroomsTotal', '–')} / {h['doc'].get('bathroomsTotalInteger', '–')}" for h in homes],
            None,
        ),
        Row("Living area", ["–" if v is None else f"{v:,.0f} sq ft" for v in sqft], _best(sqft, low=False)),
        Row("Year built", [str(h["doc"].get("yearBuilt") or "–") for h in homes], None),
        Row("$ per sq ft", [_money(v) for v in ppsf], _best(ppsf, low=True)),
        Row("Area median $ per sq ft", [_money(v) for v in area], None),
        Row("CMA estimate (range)", [ranges(h) for h in homes], None),
        Row("Estimate minus price", [_money(v) for v in under], _best(under, low=False)),
        Row("Rent estimate", [_money(v) + "/mo" if v is not None else "–" for v in rent], _best(rent, low=False)),
        Row("Cash flow a month", [_money(v) for v in cash], _best(cash, low=False)),
        Row("Cap rate", ["–" if v is None else f"{v * 100:.2f} %" for v in cap], _best(cap, low=False)),
        Row("Days on market", ["–" if v is None else f"{v:.0f}" for v in dom], None),
        Row("Price history (last 3)", history, None),
    ]
    return {"refs": refs, "homes": [_summary(h["doc"]) for h in homes], "rows": rows}


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    address = ", ".join(str(x) for x in (doc.get("unparsedAddress"), doc.get("city")) if x)
    return {"key": doc.get("listingKey"), "slug": doc.get("slug"), "address": address}
