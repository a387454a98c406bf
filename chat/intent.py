"""The offline assistant's understanding of a home-search request.

``understand(text, places=..., previous=...)`` returns the arguments of the ``search_listings``
call the request implies, in the tool's own vocabulary (``chat.tools``): only keys the request
implies, nothing guessed. It is deterministic and fast (well under a millisecond for a typical
request), so it serves as the default assistant, as the fallback while Groq fails, and as
``manage.py chat_intent``.

Conventions (the request set in ``chat/tests/intent_cases`` is their executable form):

* "homes", "properties", "listings" set no type; "house" means ``SingleFamilyResidence``;
  sale listings need no ``propertyType``; renting sets ``ResidentialLease`` and prices are
  monthly rent in plain dollars ("under 3000", "3k a month");
* sale prices are read as buyers write them: "500k", "$1.2M", "1.5M-2M", "400-600k",
  "between 400 and 600 thousand", "sub 600k"; a bare "around 750" is $750k (±10 %); a lone
  amount ("3 bed palm springs 500k") is the budget, i.e. ``maxPrice``;
* "3 bed", "3+ beds", "at least 3 bedrooms" set ``minBeds``; "3-4 bedrooms" both bounds;
  "3bd/2ba" and "3/2" set beds and baths;
* a follow-up ("only the ones with a pool", "cheaper", "what about Indio?", "under 400k")
  refines the previous search instead of starting a new one (``is_follow_up``).
"""

from __future__ import annotations

import re
from typing import Any

from chat.phrases import blank, normalise, read_prices, read_rooms, read_sizes
from chat.places import Places

KEYS = (
    "city",
    "subdivision",
    "minPrice",
    "maxPrice",
    "minBeds",
    "maxBeds",
    "minBaths",
    "minSqft",
    "maxSqft",
    "propertyType",
    "propertySubType",
    "pool",
    "landLease",
    "sort",
)
PRICE_KEYS = ("minPrice", "maxPrice")

_LAND_LEASE_NO = re.compile(
    r"\b(?:no|not on(?: a)?|not|without(?: a)?|avoid(?:ing)?|exclud(?:e|ing)|non|don'?t want(?: a)?)[\s-]+"
    r"(?:a\s+)?(?:land[\s-]?leases?d?|leased[\s-]land)\b|\b(?:own the land|fee land|fee simple|land included)\b|"
    r"\bland[\s-]?lease\s*(?:-|:)?\s*no\b"
)
_LAND_LEASE_YES = re.compile(
    r"\b(?:on\s+)?(?:a\s+)?(?:land[\s-]?leases?d?|leased[\s-]land)\b(?:\s+(?:is\s+)?(?:ok|fine))?"
)
_POOL_ANY = re.compile(
    r"\b(?:no pool (?:needed|required|necessary)|pool (?:not (?:needed|required|necessary)|optional)|"
    r"(?:do(?:n'?t| not) need|not necessarily) a pool|pool or no pool|with or without (?:a )?pool)\b"
)
_POOL_NO = re.compile(
    r"\b(?:no|without(?: a| the)?|w/o(?: a)?|do(?:n'?t| not) want a|not)\s+(?:a\s+|the\s+)?(?:private\s+)?pools?\b"
    r"|\bpool\s*(?::|-)?\s*no\b"
)
_POOL_YES = re.compile(
    r"\b(?:with\s+(?:a\s+)?|w/\s*(?:a\s+)?|has\s+(?:a\s+)?|and\s+(?:a\s+)?)?(?:private\s+)?pool(?:s)?\b"
)
_RENT = re.compile(
    r"\b(?:for rent|to rent|rent|rentals?|renting|for lease|to lease|lease|leasing|leases)\b|"
    r"(?:/\s*mo(?:nth)?\b|\bper month\b|\ba month\b|\bmonthly\b|\bmo\b)"
)
_TYPES: tuple[tuple[str, str, str], ...] = (
    (r"\b(?:condos?|condominiums?)\b", "propertySubType", "Condominium"),
    (r"\b(?:town\s?houses?|town\s?homes?|row\s?houses?)\b", "propertySubType", "Townhouse"),
    (
        r"\b(?:mobile\s+homes?|manufactured(?:\s+homes?)?|trailers?|double\s?wides?|single\s?wides?)\b",
        "propertySubType",
        "ManufacturedHome",
    ),
    (
        r"\b(?:single[\s-]family(?:\s+(?:homes?|houses?|residences?))?|sfr|sfh|detached\s+homes?|"
        r"(?<!guest )(?<!open )(?<!pool )(?<!town )(?<!tree )houses?)\b",
        "propertySubType",
        "SingleFamilyResidence",
    ),
    (
        r"\b(?:(?:vacant|empty|raw|buildable|residential)\s+(?:land|lots?|parcels?)|land|acreage|parcels?|"
        r"(?<!big )(?<!large )(?<!huge )(?<!corner )(?<!oversized )lots?(?=\s+(?:for sale|in|near|around|under|"
        r"to build|over|below)\b)|lots?\s+to\s+build|(?:^|(?<=\s))lots?\b(?=\s*$))",
        "propertyType",
        "Land",
    ),
)
_SORTS: tuple[tuple[str, str], ...] = (
    (
        r"\b(?:best value|best deals?|lowest (?:price )?per sqft|cheapest per sqft|(?:low(?:est)?|best) "
        r"(?:price|\$) ?(?:per|/) ?sqft|price per sqft(?: low to high)?|(?:most|biggest|best|more) bang for (?:the|my|your) bucks?)\b",
        "price_per_sqft_asc",
    ),
    (
        r"\b(?:cheapest|least expensive|lowest[\s-]priced?|lowest price|price (?:low to high|ascending)|"
        r"(?:sort(?:ed)?|order(?:ed)?) by price|low to high|most affordable)\b",
        "price_asc",
    ),
    (
        r"\b(?:most expensive|priciest|highest[\s-]priced?|highest price|price (?:high to low|descending)|"
        r"high to low|most luxurious)\b",
        "price_desc",
    ),
    (
        r"\b(?:biggest|largest|most (?:space|sqft|living space|room)|roomiest|sqft (?:high to low|descending)|"
        r"(?:sort(?:ed)?|order(?:ed)?) by size)\b",
        "sqft_desc",
    ),
    (
        r"\b(?:newest|latest|most recent(?:ly listed)?|just listed|recently listed|new listings?|"
        r"newly listed|fresh listings?|new (?:to|on) (?:the )?market|listed (?:this|last) week)\b",
        "newest",
    ),
)
_FOLLOW_UP_START = re.compile(
    r"^(?:only|just|also|and|but|what about|how about|now|same|instead|make it|show me (?:only|just|cheaper|"
    r"bigger|the cheaper)|ok(?:ay)?|then|actually|any|what if|filter|narrow|limit|exclude|remove|drop|"
    r"with|without|no|under|below|over|above|less|more|cheaper|bigger|larger|smaller|in|sorted|sort|"
    r"order|at least|around|between|max|min|those|these|the ones|ones)\b"
)
_SEARCH_NOUNS = re.compile(
    r"\b(?:homes?|houses?|condos?|condominiums?|town\s?(?:homes?|houses?)|properties|property|listings?|places?|"
    r"lots?|land|rentals?|real estate|estates?|villas?|bungalows?|casitas?|residences?|mobile|manufactured|"
    r"apartments?|units?|something|anything|find|search|looking|buy|show me)\b"
)
_CHEAPER = re.compile(r"\b(?:cheaper|less expensive|lower (?:price|priced)|more affordable|lower budget)\b")
_PRICIER = re.compile(r"\b(?:more expensive|pricier|higher[\s-]end|higher (?:price|priced|budget))\b")
_BIGGER = re.compile(r"\b(?:bigger|larger|more space|more room|roomier)\b")
_MORE_BEDS = re.compile(r"\bmore (?:bed|bedrooms?)\b")
_ANY_PRICE = re.compile(
    r"\b(?:any price|no (?:price )?limit|remove the (?:price|budget)|forget the (?:price|budget)|"
    r"ignore the (?:price|budget)|price doesn'?t matter)\b"
)
_FORGET_POOL = re.compile(r"\b(?:pool doesn'?t matter|forget the pool|(?:remove|drop|ignore) the pool)\b")
_ANYWHERE = re.compile(r"\b(?:anywhere|any city|all cities|any area|everywhere)\b")
_RESET = re.compile(r"\b(?:start over|new search|reset|from scratch)\b")


def _read_types(text: str) -> tuple[dict[str, Any], str]:
    out: dict[str, Any] = {}
    subtypes: list[str] = []
    for pattern, key, value in _TYPES:
        for m in list(re.finditer(pattern, text)):
            if key == "propertySubType":
                if value not in subtypes:
                    subtypes.append(value)
            else:
                out[key] = value
            text = blank(text, m)
    if subtypes:
        out["propertySubType"] = subtypes[0] if len(subtypes) == 1 else subtypes
    return out, text


def _without_places(text: str, places: Places) -> tuple[dict[str, Any], str]:
    """Places first, on the words as typed ("Thousand Palms" is not a price); their words
    are then taken out so no other reader sees them."""
    found = places.find(text)
    t = text.casefold()
    for hit in found:
        pattern = r"[\W_]*".join(re.escape(w) for w in hit.words)
        t = re.sub(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])", " ", t, count=1)
    cities = list(dict.fromkeys(h.name for h in found if h.kind == "city"))
    subs = list(dict.fromkeys(h.name for h in found if h.kind == "subdivision"))
    out: dict[str, Any] = {}
    if cities:
        out["city"] = cities[0] if len(cities) == 1 else cities
    if subs:
        out["subdivision"] = subs[0] if len(subs) == 1 else subs
    return out, t


def extract(text: str, *, places: Places) -> dict[str, Any]:
    """Everything one request states, with no previous search."""
    where, rest = _without_places(text, places)
    t = normalise(rest)
    out: dict[str, Any] = {}
    for regex, value in ((_LAND_LEASE_NO, False), (_LAND_LEASE_YES, True)):
        m = regex.search(t)
        if m and "landLease" not in out:
            out["landLease"] = value
            t = blank(t, m)
    rent = bool(_RENT.search(t))
    if rent:
        t = _RENT.sub(" ", t)
    m = _POOL_ANY.search(t)
    if m:
        t = _POOL_YES.sub(" ", blank(t, m))
    for regex, value in ((_POOL_NO, False), (_POOL_YES, True)):
        m = regex.search(t)
        if m and "pool" not in out:
            out["pool"] = value
            t = blank(t, m)
    for pattern, sort in _SORTS:
        m = re.search(pattern, t)
        if m:
            out["sort"] = sort
            t = blank(t, m)
            break
    sizes, t = read_sizes(t)
    rooms, t = read_rooms(t)
    types, t = _read_types(t)
    prices, t = read_prices(t, rent=rent)
    out.update(sizes)
    out.update(rooms)
    out.update(types)
    out.update(prices)
    if rent:
        out["propertyType"] = "ResidentialLease"
    if out.get("propertyType") == "Land":
        out.pop("propertySubType", None)
    out.update(where)
    return out


def is_follow_up(text: str, found: dict[str, Any]) -> bool:
    """Does this message refine the previous search rather than start a new one?"""
    t = normalise(text)
    if _RESET.search(t):
        return False
    if _FOLLOW_UP_START.match(t) and not (_SEARCH_NOUNS.search(t) and ("city" in found or "subdivision" in found)):
        return True
    if _CHEAPER.search(t) or _PRICIER.search(t) or _BIGGER.search(t) or _MORE_BEDS.search(t):
        return True
    if _SEARCH_NOUNS.search(t):
        return False
    # "3/2 in temecula 700k" states a whole search; "palm desert?" or "under 400k" refine one.
    if ("city" in found or "subdivision" in found) and len(found) > 1:
        return False
    return bool(found or _ANY_PRICE.search(t) or _FORGET_POOL.search(t))


def _refine(previous: dict[str, Any], found: dict[str, Any], text: str) -> dict[str, Any]:
    t = normalise(text)
    out = dict(previous)
    if ("city" in found or "subdivision" in found) or _ANYWHERE.search(t):
        out.pop("city", None)
        out.pop("subdivision", None)
    if found.get("propertyType") != out.get("propertyType") and (
        "ResidentialLease" in (found.get("propertyType"), out.get("propertyType")) and "propertyType" in found
    ):
        for k in PRICE_KEYS:
            out.pop(k, None)  # a monthly rent and a sale price do not mix
    if "propertySubType" in found and out.get("propertyType") == "Land":
        out.pop("propertyType")
    if found.get("propertyType") == "Land":
        out.pop("propertySubType", None)
    if _ANY_PRICE.search(t):
        for k in PRICE_KEYS:
            out.pop(k, None)
    if _FORGET_POOL.search(t):
        out.pop("pool", None)
    if "minPrice" in found and "maxPrice" not in found and out.get("maxPrice", 1 << 62) < found["minPrice"]:
        out.pop("maxPrice")
    if "maxPrice" in found and "minPrice" not in found and out.get("minPrice", -1) > found["maxPrice"]:
        out.pop("minPrice")
    out.update(found)
    if _CHEAPER.search(t) and "maxPrice" not in found:
        if "maxPrice" in out:
            out["maxPrice"] = int(round(out["maxPrice"] * 0.8, -3))
            if out.get("minPrice", -1) > out["maxPrice"]:
                out.pop("minPrice")
        else:
            out.setdefault("sort", "price_asc") if "sort" in found else out.update(sort="price_asc")
    elif _PRICIER.search(t) and "minPrice" not in found:
        if "maxPrice" in out:
            out["minPrice"] = out.pop("maxPrice")
        elif "minPrice" in out:
            out["minPrice"] = int(round(out["minPrice"] * 1.25, -3))
        else:
            out["sort"] = "price_desc"
    if _BIGGER.search(t) and "minSqft" not in found:
        if "minSqft" in out:
            out["minSqft"] = int(round(out["minSqft"] * 1.25, -2))
        else:
            out["sort"] = "sqft_desc"
    if _MORE_BEDS.search(t) and "minBeds" not in found:
        out["minBeds"] = out.get("minBeds", 0) + 1
    return out


def ordered(args: dict[str, Any]) -> dict[str, Any]:
    return {k: args[k] for k in KEYS if k in args}


def understand(text: str, *, places: Places, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``search_listings`` arguments this request implies (refining ``previous`` when it
    is a follow-up)."""
    found = extract(text, places=places)
    if previous is not None and is_follow_up(text, found):
        return ordered(_refine(previous, found, text))
    return ordered(found)
