"""Querying the generated feed the way this RESO server's ``$filter`` asks.

The generated ``SourceFeed`` answers ModificationTimestamp, status and key comparisons from its
columns; this adds what a RESO server is asked besides: statuses written as the server's own
enum members or lookup values (anything else is a 400, as a strict server answers), CloseDate
(``SourceFeed`` settles it exactly) and OriginatingSystemName.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from devtools.reso.vocabulary import ENUMS, STATUS, standard
from devtools.spark.feed.filters import BoolOp, Cmp, EnumLiteral, FilterError, Not
from devtools.spark.feed.state import STATUS_CODE, SourceFeed

DAY = 86400.0
_OPS = {
    "eq": np.equal,
    "ne": np.not_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "lt": np.less,
    "le": np.less_equal,
}


def status_value(value: Any, mode: str) -> str:
    """The standard status a ``StandardStatus`` literal names, as this server reads literals."""
    if isinstance(value, EnumLiteral):
        if mode != "enum" or value.enum_type not in ("", f"{ENUMS}.StandardStatus"):
            raise FilterError(f"StandardStatus is not of enum type {value.enum_type!r}")
        value = value.member
    std = standard("StandardStatus", str(value), mode) if isinstance(value, str) else None
    if std is None:
        names = sorted(n[0 if mode == "enum" else 1] for n in STATUS.values())
        raise FilterError(f"{value!r} is not a StandardStatus value of this server; one of {names}")
    return std


class ResoQuery:
    def __init__(self, feed: SourceFeed, *, source: str, mode: str) -> None:
        self.feed, self.source, self.mode = feed, source, mode

    def mask(self, node: Any) -> np.ndarray:
        _, _, live = self.feed.columns()
        return live & (self._eval(node) if node is not None else True)

    def page(self, node: Any, *, after: str | None, limit: int) -> tuple[list[int], bool]:
        with self.feed.lock:
            mask = self.mask(node)
            start = 0
            if after:
                pos = self.feed.position(after)
                if pos is None:
                    raise FilterError(f"bad $skiptoken {after!r}")
                start = pos + 1
            hits = np.flatnonzero(mask[start:])
            return (hits[:limit] + start).tolist(), len(hits) > limit

    def _eval(self, node: Any) -> np.ndarray:
        status, _, _ = self.feed.columns()
        if isinstance(node, BoolOp):
            parts = [self._eval(item) for item in node.items]
            out = parts[0].copy()
            for part in parts[1:]:
                out = out & part if node.op == "and" else out | part
            return out
        if isinstance(node, Not):
            return ~self._eval(node.item)
        assert isinstance(node, Cmp)
        if node.field == "StandardStatus":
            std = status_value(node.value, self.mode)
            if node.op not in ("eq", "ne"):
                raise FilterError("StandardStatus takes eq or ne")
            if std not in STATUS_CODE:  # declared, never sent by the generated feed
                return np.full(len(status), node.op == "ne")
            return _OPS[node.op](status, STATUS_CODE[std])
        if node.field in ("ModificationTimestamp", "ListingKey", "CloseDate"):
            return self.feed._eval(node)
        if node.field == "OriginatingSystemName":
            if node.op not in ("eq", "ne") or not isinstance(node.value, str):
                raise FilterError("OriginatingSystemName takes eq or ne and a string")
            return np.full(len(status), (node.value == self.source) == (node.op == "eq"))
        raise FilterError(f"field {node.field} is not filterable on this server")
