"""Monthly market trends of a city, subdivision or postal code, from the read models.

Sales are closed sales of homes (property type "Residential") that closed in the month; rents
are leased closings ("Residential Lease") of the month; inventory is the homes on the market at
the month's end (listed on or before it and not closed by then: closed sales by their dates,
plus the listings still active or pending today). Medians are plain medians of the month's
sales. ``months_of_supply`` = inventory / sales of the month. docs/invest.md has the details;
the tests compare every number with a brute-force pass over the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from listings.readmodel.memo import SnapshotMemo
from listings.readmodel.model import ReadModel

KINDS = {"city": "city", "subdivision": "subdivision", "postal": "postal"}
HOME_TYPE = "Residential"
LEASE_TYPE = "Residential Lease"
ON_MARKET = ("active", "active under contract", "pending", "coming soon")
PERIODS = {"1y": 12, "3y": 36, "5y": 60, "10y": 120}
_memo = SnapshotMemo(max_entries=256)


class TrendsError(ValueError):
    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Place:
    kind: str  # city / subdivision / postal
    value: str

    @property
    def label(self) -> str:
        return {"city": "", "subdivision": "Subdivision ", "postal": "ZIP "}[self.kind] + self.value


def _month_index(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> months since January 1970."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_label(m: int) -> str:
    return f"{1970 + m // 12:04d}-{m % 12 + 1:02d}"


def _month_end_day(m: int) -> int:
    return int(np.datetime64(_month_label(m + 1) + "-01", "D").astype(np.int64)) - 1


def _rows(model: ReadModel, place: Place, ptype: str, sources: tuple[str, ...] | None) -> np.ndarray:
    c = model.cols
    codes = model.dicts[KINDS[place.kind]].lookup((place.value,))
    pcode = model.dicts["ptype"].lookup((ptype,))
    if len(codes) == 0 or len(pcode) == 0:
        return np.zeros(0, dtype=np.int64)
    ok = (c[KINDS[place.kind]] == codes[0]) & (c["ptype"] == pcode[0])
    if sources is not None:
        ok &= np.isin(c["source"], model.dicts["source"].lookup(sources))
    return np.flatnonzero(ok)


def _median(x: np.ndarray) -> float | None:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if len(x) else None


def place_known(*, place: Place, active: ReadModel, closed: ReadModel) -> bool:
    d = KINDS[place.kind]
    return bool(len(closed.dicts[d].lookup((place.value,))) or len(active.dicts[d].lookup((place.value,))))


def monthly_trends(
    *,
    place: Place,
    months: int,
    active: ReadModel,
    closed: ReadModel,
    as_of: date,
    sources: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """``months``: one dict per month, oldest first, for the ``months`` months ending with
    ``as_of``'s; ``headline``: the last 12 months' sales and medians against the 12 before
    (over the sales themselves, not the monthly medians)."""
    if place.kind not in KINDS:
        raise TrendsError("Choose a city, a subdivision or a postal code.", field="kind")
    if not 1 <= months <= 240:
        raise TrendsError("The period must be 1 to 240 months.", field="period")
    key = (active.version, place.kind, place.value.casefold(), months, as_of.toordinal(), sources)
    hit = _memo.get(closed.version, key)
    if hit is None:
        hit = _memo.put(closed.version, key, _compute(place, months, active, closed, as_of, sources))
    return hit  # type: ignore[no-any-return]


def _compute(
    place: Place, months: int, active: ReadModel, closed: ReadModel, as_of: date, sources: tuple[str, ...] | None
) -> dict[str, Any]:
    today = closed.today(as_of)
    last = int(_month_index(np.array([today]))[0])
    first = last - months + 1
    c = closed.cols
    sold = _rows(closed, place, HOME_TYPE, sources)
    sold = sold[(c["close_day"][sold] >= 0) & (c["close_day"][sold] <= today) & (c["close_price"][sold] > 0)]
    s_month = _month_index(c["close_day"][sold])
    price = c["close_price"][sold].astype(np.float64)
    sqft = c["sqft"][sold].astype(np.float64)
    ppsf = np.where(sqft > 0, price / np.where(sqft > 0, sqft, 1), np.nan)
    listed = c["listed_day"][sold].astype(np.float64)
    dom = np.where(listed >= 0, c["close_day"][sold] - listed, np.nan)
    dom = np.where(dom >= 0, dom, np.nan)
    lp = c["price"][sold].astype(np.float64)
    s2l = np.where(lp > 0, price / np.where(lp > 0, lp, 1), np.nan)
    leased = _rows(closed, place, LEASE_TYPE, sources)
    leased = leased[(c["close_day"][leased] >= 0) & (c["close_day"][leased] <= today) & (c["close_price"][leased] > 0)]
    l_month = _month_index(c["close_day"][leased])
    rent = c["close_price"][leased].astype(np.float64)
    # On the market at a month's end: listed by then and not yet closed.
    inv_listed = c["listed_day"][sold]
    inv_closed = c["close_day"][sold]
    a = active.cols
    live = _rows(active, place, HOME_TYPE, sources)
    live = live[np.isin(a["status"][live], active.dicts["status"].lookup(ON_MARKET)) & (a["listed_day"][live] >= 0)]
    live_listed = a["listed_day"][live]
    out = []
    for m in range(first, last + 1):
        end = min(_month_end_day(m), today)
        here = s_month == m
        n = int(here.sum())
        inventory = int(((inv_listed >= 0) & (inv_listed <= end) & (inv_closed > end)).sum())
        inventory += int((live_listed <= end).sum())
        med_price = _median(price[here])
        out.append(
            {
                "month": _month_label(m),
                "sales": n,
                "median_price": None if med_price is None else round(med_price),
                "median_ppsf": None if (v := _median(ppsf[here])) is None else round(v),
                "median_dom": None if (v := _median(dom[here])) is None else round(v),
                "sale_to_list": None if (v := _median(s2l[here])) is None else round(v, 4),
                "inventory": inventory,
                "months_of_supply": round(inventory / n, 1) if n else None,
                "rent_median": None if (v := _median(rent[l_month == m])) is None else round(v),
                "rentals_leased": int((l_month == m).sum()),
            }
        )
    inventory_now = int(out[-1]["inventory"]) if out else 0  # type: ignore[call-overload]
    head = _headline(s_month, last, price, ppsf, dom, inventory=inventory_now)
    return {"months": out, "headline": head}


def _headline(
    s_month: np.ndarray, last: int, price: np.ndarray, ppsf: np.ndarray, dom: np.ndarray, *, inventory: int
) -> dict[str, Any]:
    """The last 12 months' sales themselves (not monthly medians) against the 12 before."""
    twelve = (s_month > last - 12) & (s_month <= last)
    prior = (s_month > last - 24) & (s_month <= last - 12)
    now_price, prior_price = _median(price[twelve]), _median(price[prior])
    return {
        "sales_12m": int(twelve.sum()),
        "median_price_12m": None if now_price is None else round(now_price),
        "median_ppsf_12m": None if (v := _median(ppsf[twelve])) is None else round(v),
        "median_dom_12m": None if (v := _median(dom[twelve])) is None else round(v),
        "price_change_12m": round(now_price / prior_price - 1, 4) if now_price and prior_price else None,
        "inventory": inventory,
    }


CSV_COLUMNS = (
    "month",
    "sales",
    "median_price",
    "median_ppsf",
    "median_dom",
    "sale_to_list",
    "inventory",
    "months_of_supply",
    "rent_median",
    "rentals_leased",
)
