"""The offline assistant: deterministic, no key, the same tools and the same events as Groq.

It decides what a message asks (a search, a refinement, market numbers, a comparison, saving
the search, a showing, the map, a question about the listing on screen), makes the tool calls
through the registry, and writes a short answer from the results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chat.intent import understand
from chat.offline_providers import (
    VISITOR_MESSAGES,
    provider_kind,
    provider_request,
    request_answer,
    retry_with_contact,
)
from chat.phrases import normalise
from chat.places import places_of
from listings.readmodel.loader import get_read_model

_HELP = re.compile(r"^\s*(?:hi|hello|hey|help|thanks?|thank you|what can you do|who are you)\b[\s!?.]*$", re.I)
_STATS = re.compile(
    r"\b(?:market|median|average (?:price|home)|how(?:'s| is) the|stats|statistics|prices? (?:like|in|trend)|"
    r"days on market|price per sq)"
)
_TRENDS = re.compile(r"\b(?:trends?|trending|homes? sold|sales (?:history|last year)|year over year|appreciat\w*)\b")
_COMPARE = re.compile(r"\bcompare\b|\bside by side\b|\bwhich (?:one )?is better\b")
_SAVE = re.compile(
    r"\b(?:save (?:this|the|my)? ?search|save (?:it|this|these)|alert me|notify me|email me|set up an alert)"
)
_SHOWING = re.compile(
    r"\b(?:showing|tour|see (?:it|this|the (?:house|home|place|condo)|this (?:house|home|place|condo)) in person|"
    r"schedule a (?:visit|viewing)|book a (?:visit|viewing)|viewing)\b"
)
_MAP = re.compile(r"\b(?:on (?:a|the) map|show (?:them|these|it) on|map (?:them|these|view|it))\b|^map\b")
_ABOUT_THIS = re.compile(
    r"\b(?:this (?:home|house|one|place|listing|condo|property)|it|its|hoa|year built|how old|lot size|"
    r"tell me (?:more )?about|details|describe)\b"
)
_CMA = re.compile(
    r"\b(?:cma|what(?:'s| is) (?:it|this (?:home|house|one|place)) worth|valuation|value (?:it|this)|"
    r"estimated? (?:value|price)|comparative market|fair price|overpriced|underpriced)\b"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ORDINALS = {"two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4}


@dataclass
class Plan:
    """What to do for one message: the tool calls to make, in order."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    help: bool = False


def _subdivision_city(name: str) -> str | None:
    from listings.readmodel.query import SearchQuery

    result = get_read_model().search(SearchQuery(subdivisions=(name,), page_size=1))
    return str(result.cards[0]["city"]) if result.cards else None


def _named_city(text: str) -> Any:
    """The city the message itself names (not one carried over from the previous search)."""
    return understand(text, places=places_of(get_read_model()), previous=None).get("city")


def plan_message(
    text: str,
    *,
    previous: dict[str, Any] | None,
    context: dict[str, Any],
    shown: list[str],
    pending: dict[str, Any] | None = None,
) -> Plan:
    """``pending``: the request the last answer asked the visitor's contact for (``turn_state``)."""
    t = normalise(text)
    listing_key = context.get("listingKey")
    if _HELP.match(text):
        return Plan(help=True)
    retry = retry_with_contact(text, pending)
    if retry is not None:
        return Plan(calls=[retry])
    if provider_kind(t) is not None:
        provider = provider_request(text, t, listing_key=listing_key, city=_named_city(text), previous=previous)
        if provider is not None:
            return Plan(calls=[("request_provider", provider)])
    if _SHOWING.search(t):
        key = listing_key or (shown[0] if shown else None)
        if key:
            args: dict[str, Any] = {"listingKey": key, "message": text[:2000]}
            email = _EMAIL.search(text)
            if email:
                args["email"] = email.group(0)
            return Plan(calls=[("request_showing", args)])
    if _CMA.search(t):
        key = listing_key or (shown[0] if shown else None)
        if key:
            return Plan(calls=[("run_cma", {"listingKey": key})])
    if _SAVE.search(t) and previous:
        return Plan(calls=[("save_search", {"filters": previous})])
    if _MAP.search(t) and previous:
        return Plan(calls=[("show_on_map", previous)])
    if _COMPARE.search(t):
        m = re.search(r"\b(?:first|top) (two|three|four|2|3|4)\b", t)
        n = _ORDINALS[m.group(1)] if m else 2
        keys = list(dict.fromkeys(([listing_key] if listing_key else []) + shown))[:n]
        if len(keys) >= 2:
            return Plan(calls=[("compare_listings", {"listingKeys": keys})])
    args = understand(text, places=places_of(get_read_model()), previous=previous)
    if (_TRENDS.search(t) or _STATS.search(t)) and (args.get("city") or args.get("subdivision")):
        place = args.get("subdivision") or args.get("city")
        place = place[0] if isinstance(place, list) else place
        if _TRENDS.search(t):
            kind = "subdivision" if "subdivision" in args else "city"
            return Plan(calls=[("market_trends", {"place": place, "kind": kind})])
        if "subdivision" in args:
            city = args.get("city") or _subdivision_city(str(place))
            city = city[0] if isinstance(city, list) else city
            if city:
                return Plan(calls=[("market_stats", {"city": city, "subdivision": place})])
        return Plan(calls=[("market_stats", {"city": place})])
    if listing_key and (not args or _ABOUT_THIS.search(t)) and not (args.keys() - {"sort"}):
        return Plan(calls=[("get_listing", {"listingKey": listing_key})])
    if not args and not previous:
        return Plan(help=True)
    return Plan(calls=[("search_listings", args or dict(previous or {}))])


# ---- writing the answer ----------------------------------------------------------------------
def money(v: Any) -> str:
    if v is None:
        return "n/a"
    v = int(v)
    if v >= 1_000_000:
        return f"${v / 1_000_000:.2f}M".replace(".00M", "M")
    return f"${v:,}"


def describe_search(args: dict[str, Any]) -> str:
    rent = args.get("propertyType") == "ResidentialLease"
    kind = {
        "SingleFamilyResidence": "houses",
        "Condominium": "condos",
        "Townhouse": "townhouses",
        "ManufacturedHome": "manufactured homes",
    }
    sub = args.get("propertySubType")
    noun = "homes" if not sub or isinstance(sub, list) else kind[sub]
    if args.get("propertyType") == "Land":
        noun = "lots and land"
    parts = [f"{noun} {'for rent' if rent else 'for sale'}"]
    place = args.get("subdivision") or args.get("city")
    if place:
        parts.append("in " + (" or ".join(place) if isinstance(place, list) else place))
    if "minBeds" in args or "maxBeds" in args:
        lo, hi = args.get("minBeds"), args.get("maxBeds")
        parts.append(
            f"with {lo}–{hi} beds"
            if lo is not None and hi is not None
            else f"with {lo}+ beds"
            if lo
            else f"with up to {hi} beds"
        )
    if "minBaths" in args:
        parts.append(f"{args['minBaths']}+ baths")
    suffix = "/month" if rent else ""
    if "minPrice" in args and "maxPrice" in args:
        parts.append(f"between {money(args['minPrice'])} and {money(args['maxPrice'])}{suffix}")
    elif "maxPrice" in args:
        parts.append(f"under {money(args['maxPrice'])}{suffix}")
    elif "minPrice" in args:
        parts.append(f"over {money(args['minPrice'])}{suffix}")
    if "minSqft" in args:
        parts.append(f"{args['minSqft']:,}+ sq ft")
    if "maxSqft" in args:
        parts.append(f"up to {args['maxSqft']:,} sq ft")
    if args.get("pool") is True:
        parts.append("with a pool")
    elif args.get("pool") is False:
        parts.append("without a pool")
    if args.get("landLease") is False:
        parts.append("not on leased land")
    elif args.get("landLease") is True:
        parts.append("on leased land")
    return " ".join(parts)


_SORT_WORDS = {
    "price_asc": "lowest priced",
    "price_desc": "highest priced",
    "newest": "newest",
    "sqft_desc": "largest",
    "price_per_sqft_asc": "best value per sq ft",
}


def _trends_answer(content: dict[str, Any]) -> str:
    change = content.get("price_change_12m")
    moved = "" if change is None else f" ({change * 100:+.1f}% on the year before)"
    return (
        f"{content['place']} over the last 12 months: {content['sales_12m']:,} homes sold at a median "
        f"{money(content['median_price_12m'])}{moved}, {money(content['median_ppsf_12m'])} per sq ft, "
        f"about {int(content['median_dom_12m'] or 0)} days on market; {content['inventory']:,} for sale now."
    )


def answer(name: str, args: dict[str, Any], ok: bool, content: dict[str, Any], *, agent: str) -> str:
    if not ok:
        if name in ("request_provider", "request_showing") and content.get("error") in VISITOR_MESSAGES:
            return VISITOR_MESSAGES[content["error"]]
        return content.get("message", "That didn't work.") + (
            " You can sign up from the menu; it's free." if content.get("error") == "sign_in_required" else ""
        )
    if name == "search_listings":
        total, shown = content["total"], len(content["results"])
        what = describe_search(args)
        if total == 0:
            return f"I couldn't find any {what} right now. Try a wider price range or a nearby area."
        order = _SORT_WORDS.get(args.get("sort", "newest"), "newest")
        lead = f"I found {total:,} {what}." if total != 1 else f"I found one {what.replace('homes', 'home', 1)}."
        return f"{lead} Here {'is' if shown == 1 else 'are'} the {shown} {order}:" if total > 1 else lead
    if name == "market_trends":
        return _trends_answer(content)
    if name == "market_stats":
        return (
            f"{content['area']} right now: {content['activeListings']:,} active listings, median price "
            f"{money(content['medianPrice'])}, median {money(content['medianPricePerSqft'])} per sq ft, "
            f"about {int(content['medianDaysOnMarket'] or 0)} days on market."
        )
    if name == "get_listing":
        d = content["listing"]
        bits = [f"{d['address']}, {d['city']}: {money(d.get('price'))}"]
        bits.append(f"{d.get('beds') or '?'} beds, {d.get('baths') or '?'} baths, {d.get('sqft') or '?'} sq ft")
        if d.get("yearBuilt"):
            bits.append(f"built in {d['yearBuilt']}")
        if d.get("poolPrivateYN"):
            bits.append("private pool")
        if d.get("associationFee"):
            bits.append(f"HOA {money(d['associationFee'])}/month")
        if d.get("landLease"):
            bits.append("on leased land")
        return "; ".join(bits) + ". Ask me to compare it or to book a showing."
    if name == "compare_listings":
        rows = [
            f"{c['address']}: {money(c['price'])}, {c['beds']} bd / {c['baths']} ba, {c['sqft'] or '?'} sq ft"
            + (f" ({money(c['pricePerSqft'])}/sq ft)" if c.get("pricePerSqft") else "")
            for c in content["listings"]
        ]
        return "Side by side: " + "; ".join(rows) + "."
    if name == "save_search":
        return f"Saved “{content['name']}”. I'll email you new matches ({content['frequency']})."
    if name == "request_showing":
        return f"Done: {content['agent']} will get in touch to show you {content['listing']}."
    if name == "request_provider":
        return request_answer(content)
    if name == "show_on_map":
        return "Here they are on the map:"
    if name == "run_cma":
        if content.get("estimate") is None:
            return "There aren't enough recent comparable sales for a reliable estimate; the report explains why."
        return (
            f"Estimated value of {content['address']}: {money(content['estimate'])} (likely "
            f"{money(content['low'])}–{money(content['high'])}, {content['confidence']} confidence, from "
            f"{content['comparables']} comparable sales). The full report is linked below."
        )
    return "Done."


def help_text(*, site: str, agent: str) -> str:
    who = f"{agent}'s assistant on {site}" if agent else f"the {site} assistant"
    return (
        f"Hi! I'm {who}. Tell me what you're looking for, like “3 bed homes in Palm Springs under "
        "$800k with a pool”, and I'll find listings, then refine them (“only condos”, “cheaper”), "
        "show them on the map, compare them, save the search or book a showing."
    )
