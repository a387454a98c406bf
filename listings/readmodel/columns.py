"""Listing documents -> typed numpy columns, streamed in chunks.

Chunks keep the Python-object peak small: each chunk's lists become arrays immediately, so a
500,000-listing build never holds 500,000 dicts or 500,000-element lists of boxed ints.
Missing numbers are -1 (ints) or NaN (coordinates); categorical values are uint16 codes into
append-only ``Dictionary`` tables whose code 0 means "missing".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from .normalize import (
    SMALL_MAX,
    WHOLE_MAX,
    coordinate,
    day_number,
    doc_words,
    epoch_seconds,
    fold,
    last_open_house_day,
    listed_day,
    small_int,
    whole,
)

STR = np.dtypes.StringDType()
CHUNK = 8192

# Flags packed in one uint8 per row.
POOL = np.uint8(1)
LAND_LEASE = np.uint8(2)

# The only fields the read model needs: the store streams these and nothing else.
PROJECTION: dict[str, int] = dict.fromkeys(
    (
        "listingKey",
        "slug",
        "mlsSource",
        "standardStatus",
        "propertyType",
        "propertySubType",
        "listPrice",
        "closePrice",
        "closeDate",
        "bedroomsTotal",
        "bathroomsTotalInteger",
        "livingArea",
        "lotSizeSquareFeet",
        "yearBuilt",
        "poolPrivateYN",
        "associationFee",
        "landLease",
        "unparsedAddress",
        "city",
        "postalCode",
        "subdivisionName",
        "listingId",
        "latitude",
        "longitude",
        "publicRemarks",
        "listingContractDate",
        "onMarketDate",
        "modificationTimestamp",
        "daysOnMarket",
        "primaryPhotoUrl",
        "openHouses.date",
    ),
    1,
)
PROJECTION["_id"] = 0

CATEGORICAL: dict[str, str] = {
    "status": "standardStatus",
    "ptype": "propertyType",
    "psub": "propertySubType",
    "city": "city",
    "subdivision": "subdivisionName",
    "postal": "postalCode",
    "source": "mlsSource",
}
# name -> (document field, dtype, normaliser); -1 marks a missing value.
NUMERIC: dict[str, tuple[str, type, Any]] = {
    "price": ("listPrice", np.int32, whole),
    "close_price": ("closePrice", np.int32, whole),
    "beds": ("bedroomsTotal", np.int16, small_int),
    "baths": ("bathroomsTotalInteger", np.int16, small_int),
    "sqft": ("livingArea", np.int32, whole),
    "lot": ("lotSizeSquareFeet", np.int32, whole),
    "year": ("yearBuilt", np.int16, small_int),
    "hoa": ("associationFee", np.int32, whole),
    "dom_feed": ("daysOnMarket", np.int32, small_int),
}
STRINGS = {"key": "listingKey", "slug": "slug", "address": "unparsedAddress", "photo": "primaryPhotoUrl"}


class Dictionary:
    """Append-only value table: casefolded value -> code; code 0 is 'missing'."""

    __slots__ = ("codes", "values")

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.values: list[str | None] = [None]

    def code(self, value: Any) -> int:
        f = fold(value)
        if f is None:
            return 0
        c = self.codes.get(f)
        if c is None:
            c = len(self.values)
            if c > 65535:
                raise OverflowError("more than 65535 distinct values")
            self.codes[f] = c
            self.values.append(value)
        return c

    def lookup(self, values: Iterable[str]) -> np.ndarray:
        """Codes of the given values (unknown values are simply absent)."""
        found = [self.codes[v.casefold()] for v in values if v.casefold() in self.codes]
        return np.array(found, dtype=np.uint16)

    def copy(self) -> Dictionary:
        d = Dictionary()
        d.codes = dict(self.codes)
        d.values = list(self.values)
        return d


@dataclass
class Chunk:
    """One batch of rows as arrays, plus its text postings against a shared word table."""

    cols: dict[str, np.ndarray]
    word_ids: np.ndarray
    word_rows: np.ndarray  # row numbers local to the chunk

    @property
    def size(self) -> int:
        return len(self.cols["key"])


@dataclass
class Vocabulary:
    """Word -> id while building (ids in first-seen order; sorted when the index is made)."""

    ids: dict[str, int] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)

    def id(self, word: str) -> int:
        i = self.ids.get(word)
        if i is None:
            i = self.ids[word] = len(self.words)
            self.words.append(word)
        return i


def _numbers(values: list[Any], *, integral: bool, upper: float) -> np.ndarray:
    """Whole (half-to-even) or truncated numbers; -1 where missing, negative or out of range.

    The fast path converts the whole column at once; anything exotic (strings, bools,
    nested values from a malformed record) falls back to the scalar normalisers.
    """
    try:
        if any(v.__class__ not in (int, float) and v is not None for v in values):
            raise TypeError("non-numeric values")
        a = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    except (TypeError, OverflowError):
        norm = whole if not integral else small_int
        return np.array([-1 if (x := norm(v)) is None else x for v in values], dtype=np.int64)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(a) & (a >= 0) & ((a <= upper) if integral else (a < upper))
    a = np.trunc(a) if integral else np.rint(a)
    return np.where(ok, a, -1).astype(np.int64)


def _coords(values: list[Any], bound: float) -> np.ndarray:
    try:
        if any(v.__class__ not in (int, float) and v is not None for v in values):
            raise TypeError("non-numeric values")
        a = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    except (TypeError, OverflowError):
        return np.array([np.nan if (x := coordinate(v, bound)) is None else x for v in values], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        a[~(np.abs(a) <= bound)] = np.nan
    return a


def make_chunk(docs: Sequence[Mapping[str, Any]], *, dicts: dict[str, Dictionary], vocab: Vocabulary) -> Chunk:
    n = len(docs)
    cols: dict[str, np.ndarray] = {}
    for name, f in STRINGS.items():
        cols[name] = np.array([d.get(f) or "" for d in docs], dtype=STR)
    for name, f in CATEGORICAL.items():
        code = dicts[name].code
        cols[name] = np.array([code(d.get(f)) for d in docs], dtype=np.uint16)
    for name, (f, dtype, norm) in NUMERIC.items():
        integral = norm is small_int
        cols[name] = _numbers(
            [d.get(f) for d in docs], integral=integral, upper=SMALL_MAX if integral else WHOLE_MAX
        ).astype(dtype)
    cols["lat"] = _coords([d.get("latitude") for d in docs], 90)
    cols["lon"] = _coords([d.get("longitude") for d in docs], 180)
    for name, fn in (
        ("listed_day", listed_day),
        ("oh_day", last_open_house_day),
        ("close_day", lambda d: day_number(d.get("closeDate"))),
    ):
        cols[name] = np.array([-1 if (v := fn(d)) is None else v for d in docs], dtype=np.int32)
    cols["mod_epoch"] = np.array(
        [-1 if (v := epoch_seconds(d.get("modificationTimestamp"))) is None else v for d in docs], dtype=np.int64
    )
    cols["flags"] = np.array(
        [(1 if d.get("poolPrivateYN") is True else 0) | (2 if d.get("landLease") is True else 0) for d in docs],
        dtype=np.uint8,
    )
    per_doc = [doc_words(d) for d in docs]
    flat = [w for ws in per_doc for w in ws]
    table = vocab.ids
    for w in set(flat).difference(table):
        vocab.id(w)
    word_ids = np.fromiter(map(table.__getitem__, flat), np.int32, len(flat))
    lens = np.fromiter(map(len, per_doc), np.int64, n)
    word_rows = np.repeat(np.arange(n, dtype=np.int32), lens)
    return Chunk(cols, word_ids, word_rows)


def chunks(
    docs: Iterable[Mapping[str, Any]], *, dicts: dict[str, Dictionary], vocab: Vocabulary, size: int = CHUNK
) -> Iterator[Chunk]:
    it = iter(docs)
    while batch := list(islice(it, size)):
        yield make_chunk(batch, dicts=dicts, vocab=vocab)


def new_dictionaries() -> dict[str, Dictionary]:
    return {name: Dictionary() for name in CATEGORICAL}
