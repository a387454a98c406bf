"""``market_trends``: a city's (subdivision's, ZIP code's) market numbers from the closed sales,
the same as the trends page (``invest.trends_headline``): everyone gets the 12-month headline;
Investor 1 and up also the month-by-month detail, others a pointer to the plans."""

from __future__ import annotations

from typing import Any

from chat.registry import Tool, ToolContext, ToolError, register
from config.features import feature_on
from invest.selectors import trends_allowance
from invest.trends_headline import place_trends

KINDS = ("city", "subdivision", "postal")
DETAIL = ("month", "sales", "median_price", "median_ppsf", "median_dom", "inventory", "months_of_supply")


def market_trends(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    kind, place = args.get("kind", "city"), args["place"].strip()
    if kind == "postal" and not (len(place) == 5 and place.isdigit()):
        raise ToolError("invalid_arguments", "A postal code is 5 digits.", {"place": "5 digits"})
    found = place_trends(kind=kind, place=place, scope=ctx.scope)
    if found is None:
        raise ToolError("not_found", f"No sales or listings in {place[:80]!r} on this site.", {"place": "unknown"})
    content: dict[str, Any] = {"place": place, "kind": kind, **found["headline"], "url": found["url"]}
    if trends_allowance(user=ctx.user).allowed:
        content["months"] = [{k: row[k] for k in DETAIL} for row in found["months"]]
    else:
        content["detail"] = "Month-by-month detail and charts come with the Investor plans (/billing/pricing/)."
    display = {"kind": "trends", "place": place, "headline": found["headline"], "url": found["url"]}
    return content, display


register(
    Tool(
        "market_trends",
        "Market trends from closed sales for a city (or subdivision, or 5-digit ZIP): the last 12 months' "
        "homes sold, median sale price and its change on the year before, median $/sq ft, days on market, "
        "homes for sale now; month-by-month detail for Investor plans.",
        {
            "type": "object",
            "properties": {
                "place": {"type": "string", "minLength": 1, "maxLength": 100, "description": "e.g. 'Palm Springs'."},
                "kind": {"type": "string", "enum": list(KINDS), "description": "Default: city."},
            },
            "required": ["place"],
            "additionalProperties": False,
        },
        market_trends,
        available=lambda ctx: feature_on("market_trends"),
    )
)
