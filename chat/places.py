"""The places the assistant knows: every city and subdivision of the listings store.

Built from the read model's value dictionaries (one per snapshot, memoised), so a city the
MLS starts listing is understood after the next sync with nothing to edit. Matching is on
casefolded words, longest name first, and forgives what buyers type: lowercase, missing
spaces ("laquinta"), slugs ("palm-springs") and a typo or two in longer names
("palm sprngs", "rancho mirrage"). Fuzzy matches never start from common words, so "homes"
or "under" can never become a place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from listings.readmodel.memo import SnapshotMemo

WORD = re.compile(r"[a-z0-9]+")
MAX_WINDOW = 5
# Words that are never the start or end of a fuzzy place match (exact matches still count).
COMMON = frozenset(
    [
        "a",
        "about",
        "above",
        "acre",
        "acres",
        "all",
        "an",
        "and",
        "any",
        "are",
        "around",
        "at",
        "ba",
        "bath",
        "baths",
        "bed",
        "beds",
        "below",
        "between",
        "big",
        "bigger",
        "biggest",
        "buy",
        "by",
        "can",
        "cheap",
        "cheaper",
        "city",
        "club",
        "condo",
        "condos",
        "country",
        "desert",
        "do",
        "estates",
        "find",
        "for",
        "from",
        "get",
        "golf",
        "have",
        "home",
        "homes",
        "house",
        "houses",
        "i",
        "in",
        "is",
        "it",
        "land",
        "large",
        "lease",
        "less",
        "listing",
        "listings",
        "lot",
        "lots",
        "luxury",
        "max",
        "me",
        "min",
        "more",
        "most",
        "near",
        "new",
        "newest",
        "no",
        "not",
        "of",
        "on",
        "only",
        "or",
        "over",
        "park",
        "places",
        "please",
        "pool",
        "price",
        "properties",
        "property",
        "rent",
        "sale",
        "sell",
        "show",
        "single",
        "some",
        "sqft",
        "square",
        "than",
        "the",
        "them",
        "these",
        "to",
        "under",
        "up",
        "valley",
        "view",
        "views",
        "want",
        "what",
        "with",
        "within",
        "you",
    ]
)
# Regions that contain a city name but are not that city.
REGIONS = ("coachella valley", "the valley", "inland empire", "orange county", "the desert")


def fold(text: str) -> str:
    return " ".join(WORD.findall(text.casefold()))


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition counts once), cut off at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _allowed_typos(name: str) -> int:
    n = len(name.replace(" ", ""))
    return 0 if n < 6 else 1 if n < 11 else 2


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    kind: str  # "city" or "subdivision"
    name: str  # as the store spells it
    words: tuple[str, ...]  # as they appear in the folded text
    exact: bool


@dataclass
class Places:
    cities: tuple[str, ...]
    subdivisions: tuple[str, ...]
    _exact: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    _fuzzy: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Cities win over a subdivision of the same name (the broader, safer search).
        for kind, names in (("subdivision", self.subdivisions), ("city", self.cities)):
            for name in names:
                key = fold(name)
                if not key:
                    continue
                self._exact[key] = (kind, name)
                self._exact.setdefault(key.replace(" ", ""), (kind, name))
                if _allowed_typos(key):
                    self._fuzzy.setdefault(key[0], []).append((key, kind, name))

    @classmethod
    def of(cls, *, cities: Iterable[str], subdivisions: Iterable[str]) -> Places:
        return cls(cities=tuple(sorted(set(cities))), subdivisions=tuple(sorted(set(subdivisions))))

    def _exact_hit(self, words: list[str]) -> tuple[str, str] | None:
        phrase = " ".join(words)
        return self._exact.get(phrase) or self._exact.get(phrase.replace(" ", ""))

    def _fuzzy_hit(self, words: list[str]) -> tuple[str, str] | None:
        phrase = " ".join(words)
        if len(phrase) < 6 or any(not w.isalpha() for w in words):
            return None
        first, last = words[0] in COMMON, words[-1] in COMMON
        best: tuple[int, str, str] | None = None
        for key, kind, name in self._fuzzy.get(phrase[0], ()):
            # A common word at either end must be the name's own word ("... country club").
            if (first and not key.startswith(words[0] + " ")) or (last and not key.endswith(" " + words[-1])):
                continue
            limit = _allowed_typos(key)
            for candidate in (phrase, phrase.replace(" ", "")):
                target = key if " " in candidate else key.replace(" ", "")
                d = _distance(candidate, target, limit)
                if d <= limit and (best is None or d < best[0]):
                    best = (d, kind, name)
        return (best[1], best[2]) if best else None

    def find(self, text: str) -> list[PlaceMatch]:
        """Places named in ``text``, left to right, longest match first; regions excluded."""
        folded = fold(text)
        for region in REGIONS:
            folded = re.sub(rf"\b{region}\b", " ", folded)
        words = folded.split()
        found: list[PlaceMatch] = []
        i = 0
        while i < len(words):
            sizes = range(min(MAX_WINDOW, len(words) - i), 0, -1)
            for exact, size in [(True, n) for n in sizes] + [(False, n) for n in sizes]:
                window = words[i : i + size]
                hit = self._exact_hit(window) if exact else self._fuzzy_hit(window)
                if hit:
                    found.append(PlaceMatch(kind=hit[0], name=hit[1], words=tuple(window), exact=exact))
                    i += size
                    break
            else:
                i += 1
        return found


_memo = SnapshotMemo(max_entries=4)


def places_of(model: Any) -> Places:
    """The places of one read-model snapshot (computed once per snapshot and process)."""
    cached = _memo.get(model.version, ("places",))
    if cached is None:
        cached = _memo.put(
            model.version,
            ("places",),
            Places.of(
                cities=(v for v in model.dicts["city"].values if v),
                subdivisions=(v for v in model.dicts["subdivision"].values if v),
            ),
        )
    return cached
