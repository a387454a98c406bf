"""Live market stats per city or subdivision: count and medians, vectorised per group.

One lexsort by (group, value) puts every group's values in order, so each group's median is
read at its middle offsets without a Python loop over listings. The numbers only change with
the snapshot (and, through days on market, with the day), so each answer is computed once per
snapshot and then shared by every page and API call that shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .filters import select
from .memo import SnapshotMemo
from .normalize import slugify_name
from .query import SearchQuery

if TYPE_CHECKING:
    from .model import ReadModel

GROUPS = {"city": "city", "subdivision": "subdivision"}
_ANSWERS = SnapshotMemo(4096)


def _group_medians(codes: np.ndarray, values: np.ndarray, ok: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of ``values[ok]`` per code (NaN for groups without values)."""
    codes, values = codes[ok], values[ok].astype(np.float64)
    out = np.full(n_groups, np.nan)
    if not len(codes):
        return out
    o = np.lexsort((values, codes))
    codes, values = codes[o], values[o]
    present, start, count = np.unique(codes, return_index=True, return_counts=True)
    out[present] = (values[start + (count - 1) // 2] + values[start + count // 2]) / 2
    return out


def facets(model: ReadModel, query: SearchQuery, *, by: str, today: int) -> list[dict[str, Any]]:
    """Per group with at least one match: name, slug, count, median price, $/sqft and DOM
    (fresh dicts: callers may change them without touching the shared answer)."""
    key = (query, by, today)
    rows = _ANSWERS.get(model.version, key)
    if rows is None:
        rows = _ANSWERS.put(model.version, key, _facets(model, query, by=by, today=today))
    return [dict(r) for r in rows]


def _facets(model: ReadModel, query: SearchQuery, *, by: str, today: int) -> list[dict[str, Any]]:
    rows = select(model, query)
    codes = model.cols[GROUPS[by]][rows]
    named = codes > 0
    rows, codes = rows[named], codes[named].astype(np.int64)
    table = model.dicts[GROUPS[by]].values
    n = len(table)
    counts = np.bincount(codes, minlength=n)
    price = model.cols["price"][rows]
    ppsf = model.ppsf(rows)
    dom = model.days_on_market(rows, today=today)
    med_price = _group_medians(codes, price, price >= 0, n)
    med_ppsf = _group_medians(codes, ppsf, ~np.isnan(ppsf), n)
    med_dom = _group_medians(codes, dom, dom >= 0, n)

    def num(v: float) -> float | None:
        return None if v != v else float(v)

    out = [
        {
            "name": table[c],
            "slug": slugify_name(table[c] or ""),
            "count": int(counts[c]),
            "median_price": num(med_price[c]),
            "median_ppsf": num(med_ppsf[c]),
            "median_dom": num(med_dom[c]),
        }
        for c in np.flatnonzero(counts).tolist()
    ]
    out.sort(key=lambda r: (-int(r["count"] or 0), str(r["slug"])))
    return out
