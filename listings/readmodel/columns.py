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
    TEXT_FIELDS,
    WHOLE_MAX,
    coordinate,
    day_number,
    epoch_seconds,
    fold,
    last_open_house_day,
    small_int,
    whole,
    words,
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
        "garageSpaces",
        "propertyCondition",
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
    # CMA adjustment inputs (cma/): whole garage spaces, condition 1 (poor) .. 5 (excellent).
    "garage": ("garageSpaces", np.int16, small_int),
    "condition": ("propertyCondition", np.int16, small_int),
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


def _numbers(values: Sequence[Any], *, integral: bool, upper: float) -> np.ndarray:
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


def _coords(values: Sequence[Any], bound: float) -> np.ndarray:
    try:
        if any(v.__class__ not in (int, float) and v is not None for v in values):
            raise TypeError("non-numeric values")
        a = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    except (TypeError, OverflowError):
        return np.array([np.nan if (x := coordinate(v, bound)) is None else x for v in values], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        a[~(np.abs(a) <= bound)] = np.nan
    return a


def _codes(values: Sequence[Any], dictionary: Dictionary) -> np.ndarray:
    """Dictionary codes of a column: one ``code`` call per distinct value, not per row."""
    try:
        memo = {v: dictionary.code(v) for v in dict.fromkeys(values)}
    except TypeError:  # an unhashable value (malformed record): row by row
        return np.array([dictionary.code(v) for v in values], dtype=np.uint16)
    return np.fromiter(map(memo.__getitem__, values), np.uint16, len(values))


def _days(values: Sequence[Any], fn: Any) -> np.ndarray:
    """Day numbers (-1 when missing) of a column of dates; each distinct string parsed once."""
    memo: dict[Any, int] = {}
    out = np.empty(len(values), dtype=np.int32)
    for i, v in enumerate(values):
        try:
            d = memo[v]
        except KeyError:
            d = memo[v] = -1 if (x := fn(v)) is None else x
        except TypeError:  # unhashable garbage
            d = -1 if (x := fn(v)) is None else x
        out[i] = d
    return out


def _postings(v: Mapping[str, Sequence[Any]], vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """(word id, chunk row) for the distinct words of every document (``doc_words``'s words).

    One set per document: splitting a whole chunk's text at once was ~0.3 s faster on the full
    feed, but grew the 500,000-listing model's RSS by ~45 MB (a fragmented heap)."""
    columns = [v[f] for f in TEXT_FIELDS]
    per_doc = [set(words(" ".join(x for x in values if isinstance(x, str)))) for values in zip(*columns, strict=True)]
    flat = [w for ws in per_doc for w in ws]
    table = vocab.ids
    for w in set(flat).difference(table):
        vocab.id(w)
    word_ids = np.fromiter(map(table.__getitem__, flat), np.int32, len(flat))
    lens = np.fromiter(map(len, per_doc), np.int64, len(per_doc))
    return word_ids, np.repeat(np.arange(len(per_doc), dtype=np.int32), lens)


# Top-level fields read per document, gathered column-wise in one pass (see ``_gather``).
FIELDS: tuple[str, ...] = tuple(dict.fromkeys(f.split(".")[0] for f in PROJECTION if f != "_id"))


def _gather(docs: Sequence[Mapping[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """Field -> values of every document: ``map(d.get, FIELDS)`` runs the lookups in C and
    ``zip(*rows)`` transposes, instead of one Python-level ``d.get`` per field and row."""
    if not docs:
        return dict.fromkeys(FIELDS, ())
    return dict(zip(FIELDS, zip(*[tuple(map(d.get, FIELDS)) for d in docs], strict=True), strict=True))


def make_chunk(docs: Sequence[Mapping[str, Any]], *, dicts: dict[str, Dictionary], vocab: Vocabulary) -> Chunk:
    v = _gather(docs)
    cols: dict[str, np.ndarray] = {}
    for name, f in STRINGS.items():
        cols[name] = np.array([x or "" for x in v[f]], dtype=STR)
    for name, f in CATEGORICAL.items():
        cols[name] = _codes(v[f], dicts[name])
    for name, (f, dtype, norm) in NUMERIC.items():
        integral = norm is small_int
        cols[name] = _numbers(v[f], integral=integral, upper=SMALL_MAX if integral else WHOLE_MAX).astype(dtype)
    cols["lat"] = _coords(v["latitude"], 90)
    cols["lon"] = _coords(v["longitude"], 180)
    on_market = _days(v["onMarketDate"], day_number)
    contract = _days(v["listingContractDate"], day_number)
    cols["listed_day"] = np.where(on_market >= 0, on_market, contract)  # as normalize.listed_day
    cols["oh_day"] = np.array(
        [-1 if (x := last_open_house_day({"openHouses": o})) is None else x for o in v["openHouses"]], dtype=np.int32
    )
    cols["close_day"] = _days(v["closeDate"], day_number)
    cols["mod_epoch"] = np.array(
        [-1 if (x := epoch_seconds(t)) is None else x for t in v["modificationTimestamp"]], dtype=np.int64
    )
    pool = np.fromiter((x is True for x in v["poolPrivateYN"]), bool, len(docs))
    lease = np.fromiter((x is True for x in v["landLease"]), bool, len(docs))
    cols["flags"] = (pool * POOL) | (lease * LAND_LEASE)
    word_ids, word_rows = _postings(v, vocab)
    return Chunk(cols, word_ids, word_rows)


def chunks(
    docs: Iterable[Mapping[str, Any]], *, dicts: dict[str, Dictionary], vocab: Vocabulary, size: int = CHUNK
) -> Iterator[Chunk]:
    it = iter(docs)
    while batch := list(islice(it, size)):
        yield make_chunk(batch, dicts=dicts, vocab=vocab)


def new_dictionaries() -> dict[str, Dictionary]:
    return {name: Dictionary() for name in CATEGORICAL}
