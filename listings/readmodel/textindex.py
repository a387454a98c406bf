"""Free text without ``$text``: a sorted vocabulary and token-major postings (CSR).

``vocab`` is sorted, so the words starting with a prefix are one contiguous id range found
with two binary searches; their postings are sorted row ids. One int32 per (word, listing)
pair is the whole memory cost, which is what makes remarks affordable at 500,000 listings.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

STR = np.dtypes.StringDType()
_PREFIX_END = "\U0010ffff"


class TextIndex:
    __slots__ = ("vocab", "offsets", "rows")

    def __init__(self, vocab: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> None:
        self.vocab = vocab  # sorted StringDType words
        self.offsets = offsets  # int64, len(vocab) + 1
        self.rows = rows  # int32 row ids, sorted within each word

    @classmethod
    def from_pairs(cls, *, words: Sequence[str], word_ids: np.ndarray, rows: np.ndarray) -> TextIndex:
        """Build from (word id into ``words``, row) pairs; duplicates are allowed."""
        vocab_unsorted = np.array(words, dtype=STR)
        order = np.argsort(vocab_unsorted, kind="stable")
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        wid = rank[word_ids] if len(word_ids) else word_ids.astype(np.int32)
        # One sort on a combined 64-bit key orders by word then row and lets us drop duplicates.
        combined = (wid.astype(np.int64) << 32) | rows.astype(np.int64)
        combined.sort()  # sort + diff: much faster than np.unique's hashing here
        if len(combined):
            combined = combined[np.concatenate(([True], combined[1:] != combined[:-1]))]
        wid_sorted = (combined >> 32).astype(np.int32)
        rows_sorted = (combined & 0xFFFFFFFF).astype(np.int32)
        counts = np.bincount(wid_sorted, minlength=len(order))
        offsets = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(vocab_unsorted[order], offsets, rows_sorted)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(word id, row) for every posting: the inverse of ``from_pairs`` for merges."""
        counts = np.diff(self.offsets)
        return np.repeat(np.arange(len(self.vocab), dtype=np.int32), counts), self.rows

    def word_range(self, prefix: str) -> tuple[int, int]:
        """Ids ``[lo, hi)`` of the words starting with ``prefix``. ``bisect`` on the array
        (a few microseconds): ``np.searchsorted`` with a str needle on a StringDType array
        costs milliseconds at 100,000+ words."""
        lo = bisect.bisect_left(self.vocab, prefix)
        hi = bisect.bisect_left(self.vocab, prefix + _PREFIX_END, lo)
        return lo, hi

    def prefix_rows(self, prefix: str) -> np.ndarray:
        """Sorted unique rows having a word that starts with ``prefix``."""
        lo, hi = self.word_range(prefix)
        if hi <= lo:
            return np.empty(0, dtype=np.int32)
        start, stop = int(self.offsets[lo]), int(self.offsets[hi])
        if hi - lo == 1:
            return self.rows[start:stop]
        return sorted_unique(self.rows[start:stop])

    def match_all(self, prefixes: Sequence[str]) -> np.ndarray:
        """Rows matching every prefix, intersecting the rarest first."""
        sets = sorted((self.prefix_rows(p) for p in prefixes), key=len)
        if not sets:
            raise ValueError("no prefixes")
        out = sets[0]
        for s in sets[1:]:
            if not len(out):
                break
            out = intersect_sorted(out, s)
        return out

    @property
    def nbytes(self) -> int:
        return int(self.offsets.nbytes + self.rows.nbytes + self.vocab.nbytes)


def sorted_unique(rows: np.ndarray) -> np.ndarray:
    """``np.unique`` of non-negative row ids; a bitmap instead of a sort for large inputs."""
    if len(rows) < 2048:
        return np.unique(rows)
    seen = np.zeros(int(rows.max()) + 1, dtype=bool)
    seen[rows] = True
    return np.flatnonzero(seen).astype(rows.dtype, copy=False)


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Values in both ascending arrays of unique non-negative row ids, ascending.

    Binary search of the smaller in the larger when their sizes differ a lot, else a bitmap
    (linear); both beat ``np.intersect1d``'s concatenate-and-sort on large inputs."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    if len(a) * 16 < len(b):
        i = np.searchsorted(b, a)
        np.minimum(i, len(b) - 1, out=i)
        return a[b[i] == a]
    seen = np.zeros(int(max(a[-1], b[-1])) + 1, dtype=bool)
    seen[b] = True
    return a[seen[a]]
