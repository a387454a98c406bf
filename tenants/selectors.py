"""Reads for the network's pages: subdivisions for the wizard's autocomplete."""

from __future__ import annotations

from typing import Any

from listings.readmodel.loader import get_read_model, holder, warm_in_background
from listings.readmodel.query import SearchQuery
from listings.readmodel.stats import facets
from listings.store import LISTINGS


def _subdivisions(mls_sources: tuple[str, ...] | None) -> list[dict[str, Any]] | None:
    """Named subdivisions with active listings on these feeds, most listings first; None while
    this process is still loading its read model."""
    if not holder(LISTINGS).loaded:
        warm_in_background()
        return None
    model = get_read_model()
    query = SearchQuery(mls_sources=mls_sources, statuses=("Active",))
    return [r for r in facets(model, query, by="subdivision", today=model.today()) if r["name"]]


def subdivision_suggestions(*, q: str, mls_sources: tuple[str, ...] | None, limit: int = 10) -> list[dict[str, Any]]:
    """Subdivisions whose name starts with (then contains) ``q``, for the autocomplete."""
    rows = _subdivisions(mls_sources) or []
    needle = q.strip().casefold()
    if not needle:
        return [{"name": r["name"], "count": r["count"]} for r in rows[:limit]]
    starts = [r for r in rows if r["name"].casefold().startswith(needle)]
    inside = [r for r in rows if needle in r["name"].casefold() and r not in starts]
    return [{"name": r["name"], "count": r["count"]} for r in (starts + inside)[:limit]]


def subdivisions_known(*, names: list[str], mls_sources: tuple[str, ...] | None) -> dict[str, str] | None:
    """``{typed name: the store's spelling}`` for the names the store has; None when the
    store cannot be asked yet (the wizard then keeps what was typed)."""
    rows = _subdivisions(mls_sources)
    if rows is None:
        return None
    canonical = {r["name"].casefold(): r["name"] for r in rows}
    return {n: canonical[n.casefold()] for n in names if n.casefold() in canonical}
