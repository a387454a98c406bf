"""Listing documents -> typed numpy columns, streamed in chunks.

Chunks keep the Python-object peak small: each chunk's lists become arrays immediately, so a
500,000-listing build never holds 500,000 dicts or 500,000-element lists of boxed ints.
Missing numbers are -1 (ints) or NaN (coordinates); categorical values are uint16 codes into
append-only ``Dictionary`` tables whose code 0 means "missing".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from .normalize import (coordinate, day_number, doc_words, epoch_seconds, fold,
                        last_open_house_day, listed_day, small_int, whole)

STR = np.dtypes.StringDType()
CHUNK = 8192

# Flags packed in one uint8 per row.
POOL = np.uint8(1)
LAND_LEASE = np.uint8(2)

# The only fields the read model needs: the store streams these and nothing else.
PROJECTION: dict[str, int] = {f: 1 for f in (
    "listingKey", "slug", "mlsSource", "standardStatus", "propertyType", "propertySubType",
    "listPrice", "closePrice", "closeDate", "bedroomsTotal", "bathroomsTotalInteger",
    "livingArea", "lotSizeSquareFeet", "yearBuilt", "poolPrivateYN", "associationFee",
    "landLease", "unparsedAddress", "city", "postalCode", "subdivisionName", "listingId",
    "latitude", "longitude", "publicRemarks", "listingContractDate", "onMarketDate",
    "modificationTimestamp", "daysOnMarket", "primaryPhotoUrl", "openHouses.date")}
PROJECTION["_id"] = 0

CATEGORICAL: dict[str, str] = {
    "status": "standardStatus", "ptype": "propertyType", "psub": "propertySubType",
    "city": "city", "subdivision": "subdivisionName", "postal": "postalCode",
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
STRINGS = {"key": "listingKey", "slug": "slug", "address": "unparsedAddress",
           "photo": "primaryPhotoUrl"}


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


def _nan(v: float | None) -> float:
    return np.nan if v is None else v


def make_chunk(docs: list[Mapping[str, Any]], *, dicts: dict[str, Dictionary],
               vocab: Vocabulary) -> Chunk:
    cols: dict[str, np.ndarray] = {}
    for name, f in STRINGS.items():
        cols[name] = np.array([d.get(f) or "" for d in docs], dtype=STR)
    for name, f in CATEGORICAL.items():
        table = dicts[name]
        cols[name] = np.fromiter((table.code(d.get(f)) for d in docs), np.uint16, len(docs))
    for name, (f, dtype, norm) in NUMERIC.items():
        cols[name] = np.fromiter((-1 if (v := norm(d.get(f))) is None else v for d in docs),
                                 dtype, len(docs))
    cols["lat"] = np.fromiter((_nan(coordinate(d.get("latitude"), 90)) for d in docs),
                              np.float64, len(docs))
    cols["lon"] = np.fromiter((_nan(coordinate(d.get("longitude"), 180)) for d in docs),
                              np.float64, len(docs))
    for name, fn in (("listed_day", listed_day), ("oh_day", last_open_house_day),
                     ("close_day", lambda d: day_number(d.get("closeDate")))):
        cols[name] = np.fromiter((-1 if (v := fn(d)) is None else v for d in docs),
                                 np.int32, len(docs))
    cols["mod_epoch"] = np.fromiter(
        (-1 if (v := epoch_seconds(d.get("modificationTimestamp"))) is None else v for d in docs),
        np.int64, len(docs))
    cols["flags"] = np.fromiter(
        ((POOL if d.get("poolPrivateYN") is True else 0)
         | (LAND_LEASE if d.get("landLease") is True else 0) for d in docs), np.uint8, len(docs))
    wid: list[int] = []
    wrow: list[int] = []
    for row, d in enumerate(docs):
        for w in doc_words(d):
            wid.append(vocab.id(w))
            wrow.append(row)
    return Chunk(cols, np.array(wid, dtype=np.int32), np.array(wrow, dtype=np.int32))


def chunks(docs: Iterable[Mapping[str, Any]], *, dicts: dict[str, Dictionary],
           vocab: Vocabulary, size: int = CHUNK) -> Iterator[Chunk]:
    it = iter(docs)
    while batch := list(islice(it, size)):
        yield make_chunk(batch, dicts=dicts, vocab=vocab)


def new_dictionaries() -> dict[str, Dictionary]:
    return {name: Dictionary() for name in CATEGORICAL}
