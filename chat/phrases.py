"""Reading the numbers and phrases of a home-search request: prices, beds, baths, sizes.

Each reader takes the normalised request text, returns what it understood and the text with
the understood span blanked out, so a later reader never sees the same words twice (the
"3" of "3 bed" is never a price, the "lease" of "no land lease" never means renting).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "a couple of": "2",
    "a couple": "2",
    "half a million": "500k",
    "a million": "1m",
}
_UNIT_WORDS = [
    (r"(?<![a-z])(?:sq\.?\s*f(?:ee)?t\.?|square\s*f(?:ee|oo)t|sqft|sq|sf)(?![a-z])", " sqft "),
    (r"(?<![a-z])(?:bedrooms?|beds?|bdrms?|bdr|bds?|brs?|bedroom)(?![a-z])", " bed "),
    (r"(?<![a-z])(?:bathrooms?|baths?|bas?|bth)(?![a-z])", " bath "),
    (r"\b(?:millions?|mil|mm)\b", "m"),
    (r"\b(?:thousand|grand)\b", "k"),
]
Amount = tuple[float, str]  # value, unit ("", "k", "m")
_AMT = r"\$?\s*(\d+(?:,\d{3})*(?:\.\d+)?)\s*(k|m)?\b"
_AMT_RE = re.compile(_AMT)
# An amount that is not followed by a non-money unit ("2 acres", "10 years", "5 miles").
_PRICE = _AMT + r"(?!\s*(?:acres?|years?|yrs?|miles?|mi\b|minutes?|mins?|cars?|garage|stor|%|percent|days?))"
_NOT_PRICES = re.compile(
    r"\b(?:no|low)\s+hoa\b|\bhoa\b[^\d$]{0,20}\$?\d[\d,]*k?|\bbuilt\s+(?:before|after|in|since)\s+\d{4}\b|"
    r"\b(?:19|20)\d\d\s+or\s+(?:newer|later)\b|\b\d+\s*(?:\+\s*)?(?:acres?|years?|yrs?|miles?|mi|minutes?|mins?|"
    r"car garage|stor(?:y|ies)|days?)\b|\b55\s*\+|\bover\s+55\b"
)


def normalise(text: str) -> str:
    """Lowercase, one kind of dash and quote, digits for number words, canonical units."""
    t = text.casefold().replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    t = re.sub(r"(\d)\s*,\s*(\d{3})\b", r"\1,\2", t)
    for word, digit in NUMBER_WORDS.items():
        t = re.sub(rf"\b{word}\b", digit, t)
    for pattern, repl in _UNIT_WORDS:
        t = re.sub(pattern, repl, t)
    # "3bed", "2bath", "500k" written together, "3bd/2ba" -> "3 bed / 2 bath".
    t = re.sub(r"(\d)(bed|bath|sqft)\b", r"\1 \2", t)
    t = re.sub(r"(\d)\s*(k|m)\s*(?=[-+/]|\s|$|to\b)", r"\1\2 ", t)
    return re.sub(r"\s+", " ", t).strip()


def blank(text: str, m: re.Match[str]) -> str:
    return text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]


def amount_value(raw: str, unit: str, *, rent: bool) -> int:
    """Dollars from a number and its unit. Without a unit, sale prices are read the way
    buyers write them: "under 2" is $2M, "around 750" is $750k; rents are plain dollars."""
    v = float(raw.replace(",", ""))
    if unit == "m":
        v *= 1_000_000
    elif unit == "k":
        v *= 1_000
    elif not rent:
        if v < 20:
            v *= 1_000_000
        elif v < 10_000:
            v *= 1_000
    return int(round(v))


# ---- beds, baths, sizes ---------------------------------------------------------------------
def _int(s: str) -> int:
    return int(float(s))


def read_rooms(text: str) -> tuple[dict[str, int], str]:
    out: dict[str, int] = {}
    rules: list[tuple[str, Callable[[re.Match[str]], dict[str, int]]]] = [
        # "3/2", "3bd/2ba": bedrooms / bathrooms
        (
            r"\b(\d{1,2})\s*(?:bed)?\s*/\s*(\d(?:\.\d)?)\s*(?:bath)?\b(?!\s*(?:k|m|sqft))",
            lambda m: {"minBeds": _int(m[1]), "minBaths": _int(m[2])},
        ),
        (
            r"\b(?:between\s+)?(\d{1,2})\s*\+?\s*(?:-|to|and|or)\s*(\d{1,2})\s*\+?\s*bed\b",
            lambda m: {"minBeds": _int(m[1]), "maxBeds": _int(m[2])},
        ),
        (r"\bexactly\s+(\d{1,2})\s*bed\b|\b(\d{1,2})\s*bed\s+only\b", lambda m: _both("Beds", m[1] or m[2])),
        (
            r"\b(?:up to|at most|no more than|max(?:imum)?(?: of)?|fewer than|less than|under)\s+(\d{1,2})\s*bed\b",
            lambda m: {"maxBeds": _int(m[1]) - (1 if m[0].startswith(("fewer", "less", "under")) else 0)},
        ),
        (
            r"\b(\d{1,2})\s*bed\s*(?:or (?:less|fewer)|max(?!\s*\$?\d)|at most|tops)\b",
            lambda m: {"maxBeds": _int(m[1])},
        ),
        (r"\b(\d{1,2})\s*(?:or more|or greater|plus)\s*bed\b", lambda m: {"minBeds": _int(m[1])}),
        (
            r"\b(?:more than|over)\s+(\d{1,2})\s*bed\b",
            lambda m: {"minBeds": _int(m[1]) + 1},
        ),
        (
            r"\b(?:at least|min(?:imum)?(?: of)?)?\s*(\d{1,2})\s*\+?\s*bed\b(?:\s*(?:or more|plus|and up|\+))?",
            lambda m: {"minBeds": _int(m[1])},
        ),
        (r"\bstudios?\b", lambda m: {"maxBeds": 0}),
        (
            r"\b(?:at least|min(?:imum)?(?: of)?)?\s*(\d(?:\.\d)?)\s*\+?\s*bath\b(?:\s*(?:or more|plus|and up|\+))?",
            lambda m: {"minBaths": _int(m[1])},
        ),
    ]
    for pattern, make in rules:
        for m in list(re.finditer(pattern, text)):
            values = make(m)
            if any(k in out for k in values):
                continue
            out.update(values)
            text = blank(text, m)
    return out, text


def _both(what: str, n: str) -> dict[str, int]:
    return {f"min{what}": _int(n), f"max{what}": _int(n)}


def _sqft(raw: str, unit: str | None) -> int:
    v = float(raw.replace(",", ""))
    return int(round(v * 1000 if unit == "k" else v))


def read_sizes(text: str) -> tuple[dict[str, int], str]:
    out: dict[str, int] = {}
    n = r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(k)?"
    rules: list[tuple[str, Callable[[re.Match[str]], dict[str, int]]]] = [
        (
            rf"\b(?:between\s+|from\s+)?{n}\s*(?:sqft\s*)?(?:-|to|and)\s*{n}\s*\+?\s*sqft\b",
            lambda m: {"minSqft": _sqft(m[1], m[2]), "maxSqft": _sqft(m[3], m[4])},
        ),
        (
            rf"\b(?:under|below|less than|up to|at most|no more than|max(?:imum)?|smaller than)\s+{n}\s*sqft\b",
            lambda m: {"maxSqft": _sqft(m[1], m[2])},
        ),
        (rf"\b{n}\s*sqft\s*(?:or less|max|or smaller|and under)\b", lambda m: {"maxSqft": _sqft(m[1], m[2])}),
        (
            rf"\b(?:over|above|more than|at least|min(?:imum)?|bigger than|larger than)?\s*{n}\s*\+?\s*sqft\b"
            r"(?:\s*(?:or more|plus|and up|or bigger|\+))?",
            lambda m: {"minSqft": _sqft(m[1], m[2])},
        ),
    ]
    for pattern, make in rules:
        for m in list(re.finditer(pattern, text)):
            values = make(m)
            if any(k in out for k in values):
                continue
            out.update(values)
            text = blank(text, m)
    return out, text


# ---- prices ---------------------------------------------------------------------------------
_MAX_WORDS = (
    r"under|below|less than|cheaper than|up to|upto|max(?:imum)?(?: of)?|no more than|not more than|"
    r"at most|sub|budget(?: is| of)?|afford|<=?|for less than|not over|tops|priced under|"
    r"price cap(?: of)?|capped at|no higher than|lower than"
)
_MIN_WORDS = (
    r"over|above|more than|at least|min(?:imum)?(?: of)?|starting at|starting from|from|>=?|north of|"
    r"upwards of|higher than|no less than|priced over|greater than"
)
_AROUND_WORDS = r"around|about|approximately|approx\.?|roughly|near|close to|~|in the range of|somewhere around"
_RANGE = re.compile(
    rf"\b(?:between|from)?\s*{_AMT}\s*(?:-|to|and|through)\s*{_AMT}(?!\s*(?:bed|bath|sqft))"
    r"(?:\s*(?:range|price range))?"
)
_BETWEEN = re.compile(rf"\bbetween\s+{_AMT}\s+and\s+{_AMT}(?!\s*(?:bed|bath|sqft))")


def _unit_pair(a: tuple[str, str | None], b: tuple[str, str | None]) -> tuple[str, str]:
    """'400-600k': the unit written once applies to both ends, unless that makes the
    range upside down ('900k-1.2m' keeps its own units)."""
    ua, ub = a[1] or "", b[1] or ""
    if not ua and ub:
        if float(a[0].replace(",", "")) <= float(b[0].replace(",", "")):
            ua = ub
        elif ub == "m":
            ua = "k"
    return ua, ub


def read_prices(text: str, *, rent: bool) -> tuple[dict[str, int], str]:
    out: dict[str, int] = {}
    for m in list(_NOT_PRICES.finditer(text)):
        text = blank(text, m)
    for regex in (_BETWEEN, _RANGE):
        r = regex.search(text)
        if r is None:
            continue
        m = r
        if m[2] or m[4] or "$" in m[0] or rent or "between" in m[0] or _price_context(text, m.start()):
            ua, ub = _unit_pair((m[1], m[2]), (m[3], m[4]))
            lo, hi = amount_value(m[1], ua, rent=rent), amount_value(m[3], ub, rent=rent)
            if lo <= hi:
                return {"minPrice": lo, "maxPrice": hi}, blank(text, m)
    for m in re.finditer(rf"(?<![a-z])({_AROUND_WORDS})\s*{_AMT}(?:\s*range)?", text):
        v = amount_value(m[2], m[3] or "", rent=rent)
        return {"minPrice": round(v * 0.9), "maxPrice": round(v * 1.1)}, blank(text, m)
    for m in re.finditer(rf"{_AMT}\s*(?:-?ish|range)\b", text):
        v = amount_value(m[1], m[2] or "", rent=rent)
        return {"minPrice": round(v * 0.9), "maxPrice": round(v * 1.1)}, blank(text, m)
    patterns = (
        (rf"(?<![a-z])(?:{_MAX_WORDS})\s*(?:of\s+|a\s+|price\s+of\s+)?{_PRICE}", "maxPrice"),
        (rf"{_PRICE}\s*(?:or less|or under|or below|and under|and below|max|maximum|tops|or cheaper)\b", "maxPrice"),
        (rf"(?<![a-z])(?:{_MIN_WORDS})\s*{_PRICE}", "minPrice"),
        (rf"{_PRICE}\s*(?:\+|plus\b|or more\b|and up\b|and above\b|or higher\b|minimum\b)", "minPrice"),
    )
    for pattern, key in patterns:
        found = re.search(pattern, text)
        if found is None or key in out:
            continue
        m = found
        raw, unit = m[1], m[2] or ""
        if not (unit or "$" in m[0] or rent or float(raw.replace(",", "")) >= 100):
            continue  # "over 55" is an age, not a price
        out[key] = amount_value(raw, unit, rent=rent)
        text = blank(text, m)
    if not out:
        # A bare amount ("3 bed palm springs 500k", "$1.2M homes") reads as the budget.
        for m in _AMT_RE.finditer(text):
            if m[2] or "$" in m[0] or (rent and float(m[1].replace(",", "")) >= 500):
                out["maxPrice"] = amount_value(m[1], m[2] or "", rent=rent)
                text = blank(text, m)
                break
    if "minPrice" in out and "maxPrice" in out and out["minPrice"] > out["maxPrice"]:
        out["minPrice"], out["maxPrice"] = out["maxPrice"], out["minPrice"]
    return out, text


def _price_context(text: str, start: int) -> bool:
    before = text[max(0, start - 30) : start]
    return bool(re.search(r"\$|price|budget|cost|between|from|range|\bk\b", before))


def merge(into: dict[str, Any], found: dict[str, Any]) -> None:
    for k, v in found.items():
        into.setdefault(k, v)
