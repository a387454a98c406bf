"""The mutable state of the fake feed: per-record headers, time advances and their overrides.

Only two small columns per record live in memory (status code, modification time) plus a
deletion mask, so filters and paging are numpy operations; full records are generated on
demand from the seed and patched with whatever ``advance`` changed.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from .filters import BoolOp, Cmp, FilterError, Not
from .records import ACTIVE, CLOSED, generate_record, iso, listing_key, parse_listing_key

STATUSES = ("Active", "Active Under Contract", "Pending", "Coming Soon", "Closed", "Expired", "Withdrawn", "Canceled")
STATUS_CODE = {s: n for n, s in enumerate(STATUSES)}
ON_MARKET = (0, 1, 2, 3)
CLOSED_CODE = STATUS_CODE["Closed"]
FEED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC).timestamp()
DAY = 86400.0
EPOCH = date(1970, 1, 1)
_OPS = {
    "eq": np.equal,
    "ne": np.not_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "lt": np.less,
    "le": np.less_equal,
}
SOURCE_IDS = {"gps": 1, "crmls": 2, "hdmls": 3}
# Share of changed listings per advance event; "new" listings come on top (30 % of changes).
EVENTS = (
    ("price_drop", 0.40),
    ("pending", 0.15),
    ("closed", 0.15),
    ("edit", 0.15),
    ("withdrawn", 0.05),
    ("expired", 0.05),
    ("canceled", 0.02),
    ("deleted", 0.03),
)


@dataclass
class SourceFeed:
    source: str
    seed: int
    n_active: int
    n_closed: int
    clock: float = FEED_NOW
    steps: int = 0
    overrides: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng = np.random.default_rng([self.seed, SOURCE_IDS[self.source]])
        self.active_status = rng.choice(4, size=self.n_active, p=[0.82, 0.06, 0.09, 0.03]).astype(np.uint8)
        self.active_mod = np.round(FEED_NOW - np.minimum(rng.exponential(20 * DAY, self.n_active), 120 * DAY))
        self.closed_mod = np.round(FEED_NOW - rng.uniform(0, 3 * 365 * DAY, self.n_closed))
        self.deleted = np.zeros(self.n_active, dtype=bool)
        self.lock = threading.RLock()
        self._columns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    # -- columns over positions: active records first, then closed (ListingKey order) ----------
    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._columns is None:
            status = np.concatenate([self.active_status, np.full(self.n_closed, CLOSED_CODE, np.uint8)])
            mod = np.concatenate([self.active_mod, self.closed_mod])
            live = np.concatenate([~self.deleted, np.ones(self.n_closed, dtype=bool)])
            self._columns = (status, mod, live)
        return self._columns

    def position(self, key: str) -> int | None:
        try:
            source, kind, i = parse_listing_key(key)
        except ValueError:
            return None
        if source != self.source:
            return None
        limit = self.n_active if kind == ACTIVE else self.n_closed
        if i >= limit:
            return None
        return i if kind == ACTIVE else self.n_active + i

    def kind_index(self, pos: int) -> tuple[int, int]:
        return (ACTIVE, pos) if pos < self.n_active else (CLOSED, pos - self.n_active)

    def key_at(self, pos: int) -> str:
        return listing_key(self.source, *self.kind_index(pos))

    # -- filtering and paging --------------------------------------------------------------------
    def mask(self, node: Any) -> np.ndarray:
        status, mod, live = self.columns()
        return live & (self._eval(node) if node is not None else True)

    def _eval(self, node: Any) -> np.ndarray:
        status, mod, _ = self.columns()
        if isinstance(node, BoolOp):
            parts = [self._eval(item) for item in node.items]
            out = parts[0].copy()
            for part in parts[1:]:
                out = out & part if node.op == "and" else out | part
            return out
        if isinstance(node, Not):
            return ~self._eval(node.item)
        assert isinstance(node, Cmp)
        name = node.field
        if name == "ModificationTimestamp":
            if not isinstance(node.value, float | int):
                raise FilterError("ModificationTimestamp needs a timestamp")
            column, value = mod, float(node.value)
        elif name in ("StandardStatus", "MlsStatus"):
            if node.value not in STATUS_CODE or node.op not in ("eq", "ne"):
                raise FilterError(f"bad status comparison {node.value!r}")
            column, value = status, STATUS_CODE[node.value]
        elif name == "ListingKey":
            column, value = np.arange(len(status)), self._key_position(str(node.value), node.op)
        elif name == "CloseDate":
            return self._close_date(node.op, node.value)
        elif name == "MlsId":  # one MLS of a data share; this feed's MLS id is its source id
            if node.op not in ("eq", "ne") or not isinstance(node.value, str):
                raise FilterError("MlsId takes Eq or Ne and a string")
            return np.full(len(status), (node.value == self.source) == (node.op == "eq"))
        else:
            raise FilterError(f"field {name} is not filterable on this server")
        return _OPS[node.op](column, value)

    def _close_date(self, op: str, value: Any) -> np.ndarray:
        """CloseDate compared exactly: a sale closes 1-5 days before its last modification (an
        advance closes it that day), so the columns settle most records and the few they cannot
        are generated and read."""
        if not isinstance(value, float | int) or op not in _OPS:
            raise FilterError("CloseDate needs a date")
        status, mod, _ = self.columns()
        day = math.floor(float(value) / DAY)
        hi = np.floor(mod / DAY)
        lo = hi - 5
        closed = status == CLOSED_CODE
        if op in ("eq", "ne"):
            surely, maybe = np.zeros(len(status), bool), closed & (lo <= day) & (hi >= day)
        else:  # monotonic: true at both ends of [lo, hi] is true throughout, at neither is false
            surely = closed & _OPS[op](lo, day) & _OPS[op](hi, day)
            maybe = closed & ~surely & (_OPS[op](lo, day) | _OPS[op](hi, day))
        out = surely.copy()
        check = "eq" if op == "ne" else op
        for pos in np.flatnonzero(maybe).tolist():
            close = self.record(pos, photo_base="", expand=frozenset())["StandardFields"].get("CloseDate")
            if close:
                out[pos] = bool(_OPS[check]((date.fromisoformat(close[:10]) - EPOCH).days, day))
        return ~out if op == "ne" else out

    def _key_position(self, key: str, op: str) -> float:
        pos = self.position(key)
        if pos is not None:
            return float(pos)
        if op in ("eq", "ne"):
            return -1.0  # matches nothing for Eq, everything for Ne
        # Foreign or out-of-range keys still order against ours lexicographically.
        first, last = self.key_at(0), self.key_at(len(self.columns()[0]) - 1)
        return -0.5 if key < first else (len(self.columns()[0]) - 0.5 if key > last else -0.5)

    def page(self, node: Any, *, after: str | None, limit: int) -> tuple[list[int], bool, int]:
        """Positions of the next ``limit`` matches after key ``after``, whether more remain, total."""
        with self.lock:
            mask = self.mask(node)
            start = 0
            if after:
                pos = self.position(after)
                if pos is None:
                    raise FilterError(f"bad _skiptoken {after!r}")
                start = pos + 1
            hits = np.flatnonzero(mask[start:])
            return (hits[:limit] + start).tolist(), len(hits) > limit, int(mask.sum())

    def record(self, pos: int, *, photo_base: str, expand: frozenset[str]) -> dict[str, Any]:
        with self.lock:
            kind, i = self.kind_index(pos)
            status_code, mod, _ = self.columns()
            rec = generate_record(
                seed=self.seed,
                source=self.source,
                kind=kind,
                i=i,
                status=STATUSES[status_code[pos]],
                mod_ts=float(mod[pos]),
                photo_base=photo_base,
                expand=expand,
            )
            patch = self.overrides.get((kind, i))
        if patch:
            rec["StandardFields"].update(patch)
        return rec

    # -- time --------------------------------------------------------------------------------------
    def advance(self, *, percent: float, hours: float) -> dict[str, Any]:
        """Move the clock and change ``percent`` % of live on-market listings (plus new ones)."""
        with self.lock:
            self.steps += 1
            rng = random.Random(f"{self.seed}:{self.source}:advance:{self.steps}")
            start, self.clock = self.clock, self.clock + hours * 3600
            candidates = np.flatnonzero(~self.deleted & np.isin(self.active_status, ON_MARKET)).tolist()
            n_change = min(len(candidates), round(len(candidates) * percent / 100))
            chosen = sorted(rng.sample(candidates, n_change))
            summary: dict[str, Any] = {name: [] for name, _ in EVENTS}
            cum = np.cumsum([w for _, w in EVENTS])
            for i in chosen:
                event = EVENTS[int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))][0]
                ts = round(rng.uniform(start + 1, self.clock))
                self._apply(event, i, ts, rng)
                summary[event].append(listing_key(self.source, ACTIVE, i))
            n_new = round(n_change * 0.3)
            new_mod = np.round(np.array([rng.uniform(start + 1, self.clock) for _ in range(n_new)]))
            self.active_status = np.concatenate([self.active_status, np.zeros(n_new, np.uint8)])
            self.active_mod = np.concatenate([self.active_mod, new_mod])
            self.deleted = np.concatenate([self.deleted, np.zeros(n_new, bool)])
            summary["new"] = [listing_key(self.source, ACTIVE, self.n_active + k) for k in range(n_new)]
            self.n_active += n_new
            self._columns = None
            summary["clock"] = iso(self.clock)
            return summary

    def _apply(self, event: str, i: int, ts: float, rng: random.Random) -> None:
        if event == "deleted":
            self.deleted[i] = True
            return
        current = self.record(i, photo_base="", expand=frozenset())["StandardFields"]
        patch = self.overrides.setdefault((ACTIVE, i), {})
        price = float(current["ListPrice"])
        self.active_mod[i] = ts
        if event == "price_drop":
            step = 25 if current["PropertyType"] == "Residential Lease" else 1000
            patch["ListPrice"] = float(round(price * rng.uniform(0.94, 0.985) / step) * step)
            patch["PriceChangeTimestamp"] = iso(ts)
        elif event == "edit":
            patch["PublicRemarks"] = f"{current['PublicRemarks']} Updated {iso(ts)[:10]}: seller motivated."
        elif event == "closed":
            self.active_status[i] = CLOSED_CODE
            patch["ClosePrice"] = float(round(price * rng.uniform(0.94, 1.0) / 500) * 500)
            patch["CloseDate"] = iso(ts)[:10]
        else:
            self.active_status[i] = STATUS_CODE[
                {"pending": "Pending", "withdrawn": "Withdrawn", "expired": "Expired", "canceled": "Canceled"}[event]
            ]
        self._columns = None
