"""A place's market headline (the last 12 months' sales against the 12 before, homes for sale
now) for pages and tools outside /invest/trends/: the community pages and the assistant's
``market_trends`` tool. Everyone sees the headline; the monthly detail is Investor 1 and up
(``selectors.trends_allowance``), as on the trends page."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone

from config.features import feature_on
from listings.readmodel.loader import get_closed_model, get_read_model

from .trends import Place, monthly_trends, place_known

DETAIL_MONTHS = 12


def trends_url(*, kind: str, place: str) -> str:
    return "/invest/trends/?" + urlencode({"kind": kind, "place": place})


def place_trends(
    *, kind: str, place: str, scope: Any, months: int = DETAIL_MONTHS, as_of: date | None = None
) -> dict[str, Any] | None:
    """``{"headline", "months", "url"}`` of a city, subdivision or postal code on the site's MLS
    sources; None when trends are switched off or the store has nothing there (a page then
    shows no trends section rather than a row of blanks)."""
    if not feature_on("market_trends"):
        return None
    active, closed = get_read_model(), get_closed_model()
    where = Place(kind, place.strip())
    if not where.value or not place_known(place=where, active=active, closed=closed):
        return None
    out = monthly_trends(
        place=where,
        months=months,
        active=active,
        closed=closed,
        as_of=as_of or timezone.localdate(),
        sources=scope.mls_sources,
    )
    if not out["headline"]["sales_12m"] and not out["headline"]["inventory"]:
        return None
    return {"headline": out["headline"], "months": out["months"], "url": trends_url(kind=kind, place=where.value)}
