"""The columnar read model: an immutable snapshot of every listing as numpy columns.

Snapshots are never mutated: ``apply_changes`` builds the next snapshot (kept rows + rebuilt
changed rows, derived indexes recomputed vectorised) and the holder swaps the reference, so a
request always sees one consistent version without locks on the read path.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from .columns import Chunk, Dictionary, Vocabulary, chunks, make_chunk, new_dictionaries
from .filters import order, select
from .normalize import EPOCH, slugify_name
from .query import SearchQuery, SearchResult
from .textindex import TextIndex

_versions = itertools.count(1)
# Arrays derived from the columns in ``__init__``; a mapped snapshot brings them precomputed.
DERIVED = ("key_order", "key_rank", "slug_order", "lat_order", "lat_sorted")


def _inverse(perm: np.ndarray) -> np.ndarray:
    inv = np.empty(len(perm), dtype=np.int32)
    inv[perm] = np.arange(len(perm), dtype=np.int32)
    return inv


class Mark(NamedTuple):
    """A position in the change-event channel: its epoch (renewed when Redis lost its count)
    and the sequence number of an event (``listings.changes.changes_publish``)."""

    epoch: str
    seq: int


class ReadModel:
    """Columns + dictionaries + text index + geo order, with search and lookups on top."""

    def __init__(
        self,
        *,
        cols: dict[str, np.ndarray],
        dicts: dict[str, Dictionary],
        text: TextIndex,
        derived: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        self.cols = cols
        self.dicts = dicts
        self.text = text
        self.size = len(cols["key"])
        self.version = next(_versions)  # unique within this process (cache keys)
        # Name of the shared snapshot version this model maps (``snapshot.py``), if any.
        self.snapshot: str | None = None
        # The change events this model reflects: every one up to ``mark.seq`` of the channel's
        # epoch (``refresh.py``); None when unknown (a new leader then rebuilds from the store).
        self.mark: Mark | None = None
        # Versions derived by changes from one full load share a lineage; a new load starts
        # another (caches may answer from an older version of the same lineage meanwhile).
        self.lineage = uuid.uuid4().hex
        if derived is not None:
            for name in DERIVED:
                setattr(self, name, derived[name])
            return
        # Sorted permutations for binary-search lookups and a total, stable tie-break order.
        self.key_order = np.argsort(cols["key"], kind="stable").astype(np.int32)
        self.key_rank = _inverse(self.key_order)
        self.slug_order = np.argsort(cols["slug"], kind="stable").astype(np.int32)
        # Latitude-sorted rows: geographic queries binary-search a band instead of scanning.
        self.lat_order = np.argsort(cols["lat"], kind="stable").astype(np.int32)
        self.lat_sorted = cols["lat"][self.lat_order]

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def from_chunks(cls, parts: Iterable[Chunk], *, dicts: dict[str, Dictionary], vocab: Vocabulary) -> ReadModel:
        cols: dict[str, list[np.ndarray]] = {}
        wids: list[np.ndarray] = []
        wrows: list[np.ndarray] = []
        offset = 0
        for ch in parts:
            for name, arr in ch.cols.items():
                cols.setdefault(name, []).append(arr)
            wids.append(ch.word_ids)
            wrows.append(ch.word_rows + offset)
            offset += ch.size
        if not cols:  # an empty store still gives a working (empty) model
            return cls.from_chunks([make_chunk([], dicts=dicts, vocab=vocab)], dicts=dicts, vocab=vocab)
        merged = {name: np.concatenate(parts_) for name, parts_ in cols.items()}
        text = TextIndex.from_pairs(words=vocab.words, word_ids=np.concatenate(wids), rows=np.concatenate(wrows))
        return cls(cols=merged, dicts=dicts, text=text)

    @classmethod
    def from_documents(cls, docs: Iterable[Mapping[str, Any]]) -> ReadModel:
        dicts, vocab = new_dictionaries(), Vocabulary()
        return cls.from_chunks(chunks(docs, dicts=dicts, vocab=vocab), dicts=dicts, vocab=vocab)

    def apply_changes(self, *, changed: Iterable[Mapping[str, Any]], removed: Iterable[str] = ()) -> ReadModel:
        """The next snapshot: ``changed`` documents upserted, ``removed`` keys dropped."""
        changed = [d for d in changed if isinstance(d.get("listingKey"), str)]
        drop = set(removed) | {d["listingKey"] for d in changed}
        keep = np.ones(self.size, dtype=bool)
        rows = [r for k in drop if (r := self.row_of_key(k)) is not None]
        keep[rows] = False
        kept = {name: arr[keep] for name, arr in self.cols.items()}
        new_row = np.cumsum(keep, dtype=np.int64) - 1
        old_wid, old_rows = self.text.pairs()
        live = keep[old_rows]
        # Seed the vocabulary with the current (sorted) words so old word ids stay valid.
        vocab = Vocabulary(
            ids={str(w): i for i, w in enumerate(self.text.vocab.tolist())}, words=self.text.vocab.tolist()
        )
        dicts = {name: d.copy() for name, d in self.dicts.items()}
        n_kept = int(keep.sum())
        wids, wrows = [old_wid[live]], [new_row[old_rows[live]].astype(np.int32)]
        parts = [kept]
        for ch in chunks(changed, dicts=dicts, vocab=vocab):
            parts.append(ch.cols)
            wids.append(ch.word_ids)
            wrows.append(ch.word_rows + n_kept)
            n_kept += ch.size
        cols = {name: np.concatenate([p[name] for p in parts]) for name in kept}
        text = TextIndex.from_pairs(words=vocab.words, word_ids=np.concatenate(wids), rows=np.concatenate(wrows))
        new = ReadModel(cols=cols, dicts=dicts, text=text)
        new.lineage = self.lineage
        return new

    # ---- lookups --------------------------------------------------------------------------
    def _find(self, column: str, perm: np.ndarray, value: str) -> int | None:
        col = self.cols[column]
        i = bisect.bisect_left(range(self.size), value, key=lambda j: str(col[perm[j]]))
        if i < self.size and col[perm[i]] == value:
            return int(perm[i])
        return None

    def row_of_key(self, key: str) -> int | None:
        return self._find("key", self.key_order, key)

    def row_of_slug(self, slug: str) -> int | None:
        return self._find("slug", self.slug_order, slug)

    @functools.cached_property
    def city_by_slug(self) -> dict[str, str]:
        """``palm-springs`` -> ``Palm Springs`` for every city of this snapshot."""
        return {slugify_name(n): n for n in self.dicts["city"].values if n}

    def ppsf(self, rows: np.ndarray) -> np.ndarray:
        price = self.cols["price"][rows].astype(np.float64)
        sqft = self.cols["sqft"][rows].astype(np.float64)
        ok = (price >= 0) & (sqft > 0)
        out = np.full(len(rows), np.nan)
        np.divide(price, sqft, out=out, where=ok)
        return out

    def days_on_market(self, rows: np.ndarray, *, today: int) -> np.ndarray:
        """Feed value where sent, else today - listed day (>= 0); -1 when unknown."""
        dom = self.cols["dom_feed"][rows].astype(np.int64)
        listed = self.cols["listed_day"][rows]
        derived = np.where(listed >= 0, np.maximum(0, today - listed.astype(np.int64)), -1)
        return np.where(dom >= 0, dom, derived)

    def cards(self, rows: np.ndarray) -> list[dict[str, object]]:
        """Result-card payloads straight from the columns: no database round trip."""
        c = self.cols
        cities = self.dicts["city"].values
        statuses = self.dicts["status"].values
        ptypes = self.dicts["ptype"].values

        def nums(name: str) -> list[int | None]:
            return [None if v < 0 else v for v in c[name][rows].tolist()]

        def coords(name: str) -> list[float | None]:
            return [None if v != v else v for v in c[name][rows].tolist()]

        cols = zip(
            c["key"][rows].tolist(),
            c["slug"][rows].tolist(),
            c["address"][rows].tolist(),
            c["city"][rows].tolist(),
            c["status"][rows].tolist(),
            c["ptype"][rows].tolist(),
            c["photo"][rows].tolist(),
            nums("price"),
            nums("beds"),
            nums("baths"),
            nums("sqft"),
            coords("lat"),
            coords("lon"),
            strict=True,
        )
        return [
            {
                "key": k,
                "slug": s,
                "address": a,
                "city": cities[ci] or "",
                "status": statuses[st] or "",
                "propertyType": ptypes[pt] or "",
                "photo": ph,
                "price": p,
                "beds": be,
                "baths": ba,
                "sqft": sq,
                "lat": la,
                "lon": lo,
            }
            for k, s, a, ci, st, pt, ph, p, be, ba, sq, la, lo in cols
        ]

    # ---- queries -------------------------------------------------------------------------
    def select(self, query: SearchQuery) -> np.ndarray:
        return select(self, query)

    def search(self, query: SearchQuery) -> SearchResult:
        rows = select(self, query)
        ordered = order(self, query, rows, limit=query.offset + query.page_size)
        page = ordered[query.offset :]
        return SearchResult(total=len(rows), keys=self.cols["key"][page].tolist(), cards=self.cards(page))

    def today(self, as_of: date | None = None) -> int:
        return ((as_of or date.today()) - EPOCH).days

    @property
    def nbytes(self) -> int:
        derived = (self.key_order, self.key_rank, self.slug_order, self.lat_order, self.lat_sorted)
        return sum(a.nbytes for a in self.cols.values()) + self.text.nbytes + sum(a.nbytes for a in derived)
