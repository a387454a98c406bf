from __future__ import annotations

from typing import Any

from django import template

from listings.cards import listing_cards_featured

register = template.Library()


@register.simple_tag(takes_context=True)
def featured_listings(
    context: dict[str, Any], *, city: str = "", subdivision: str = "", max_price: int | None = None, count: int = 6
) -> list[dict[str, Any]]:
    """Cards for a featured-listings block, limited to the MLS sources of the site serving it.
    They come from the in-process read model: rendering never waits on the listings store."""
    tenant = getattr(context.get("request"), "tenant", None)
    return listing_cards_featured(
        city=city or None,
        subdivision=subdivision or None,
        max_price=max_price,
        mls_sources=list(getattr(tenant, "mls_sources", None) or []) or None,
        limit=int(count or 6),
    )
