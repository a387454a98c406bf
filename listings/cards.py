"""Listing cards for pages (featured blocks, home pages), from the in-process read model."""

from __future__ import annotations

from typing import Any

from listings.readmodel.loader import get_read_model, holder, warm_in_background
from listings.readmodel.query import SearchQuery, Sort
from listings.store import LISTINGS


def listing_cards_featured(
    *,
    city: str | None = None,
    subdivision: str | None = None,
    max_price: int | None = None,
    mls_sources: list[str] | None = None,
    limit: int = 6,
) -> list[dict[str, Any]]:
    """The newest active listings matching a featured block. While this process is still
    loading its read model the block is empty: a page never waits for the load."""
    if not holder(LISTINGS).loaded:
        warm_in_background()
        return []
    query = SearchQuery(
        cities=(city,) if city else (),
        subdivisions=(subdivision,) if subdivision else (),
        max_price=max_price or None,
        statuses=("Active",),
        mls_sources=tuple(mls_sources) if mls_sources else None,
        sort=Sort.NEWEST,
        page_size=max(1, min(limit, 24)),
    )
    return get_read_model().search(query).cards
