from __future__ import annotations

import logging
from typing import Any

from django import template
from pymongo.errors import PyMongoError

from listings.cards import listing_cards_featured

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def featured_listings(
    context: dict[str, Any], *, city: str = "", subdivision: str = "", max_price: int | None = None, count: int = 6
) -> list[dict[str, Any]]:
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    try:
        return listing_cards_featured(
            city=city or None,
            subdivision=subdivision or None,
            max_price=max_price,
            mls_sources=list(getattr(tenant, "mls_sources", None) or []) or None,
            limit=max(1, min(int(count or 6), 24)),
        )
    except PyMongoError:
        # A page must render even when the listings store is unreachable.
        logger.exception("featured listings unavailable")
        return []
