"""``{% market_headline community %}``: the market trends headline on the community pages
(generated and editor-written, both through ``listings/community_stats.html``). A template
tag, so listings' templates show it without listings importing invest."""

from __future__ import annotations

from typing import Any

from django import template

from listings.selectors import site_scope

from ..trends_headline import place_trends

register = template.Library()


@register.inclusion_tag("invest/_market_headline.html", takes_context=True)
def market_headline(context: Any, community: Any) -> dict[str, Any]:
    request = context.get("request")
    scope = site_scope(tenant=getattr(request, "tenant", None))
    sub = getattr(community, "subdivision", None)
    kind, place = ("subdivision", sub["name"]) if sub else ("city", community.city["name"])
    found = place_trends(kind=kind, place=place, scope=scope, months=1)
    change = found["headline"]["price_change_12m"] if found else None
    return {"t": found, "place": place, "change": None if change is None else f"{change * 100:+.1f}%"}
