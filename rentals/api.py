"""The rentals search as an API operation (``GET /api/rentals/search``, which the map page
asks): markers for every match (capped) and the first
page of cards. Parameters are the search page's form (``rentals.forms.SearchForm``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from api.auth import PUBLIC, PUBLIC_OPENAPI
from api.errors import COMMON, errors
from api.params import FormParams, all_params, form_query_model
from rentals import selectors
from rentals.forms import SearchForm

router = Router(tags=["rentals"], auth=PUBLIC)
if TYPE_CHECKING:  # made at run time from the form; mypy sees its base
    RentalSearchParams = FormParams
else:
    RentalSearchParams = form_query_model("RentalSearchParams", SearchForm)


class Marker(Schema):
    id: int
    slug: str
    title: str
    lat: float
    lng: float
    nightly_cents: int


class RentalCard(Schema):
    slug: str
    title: str
    city: str
    sleeps: int
    nightly_cents: int
    total_cents: int | None = None
    photo: str | None = None


class RentalSearch(Schema):
    total: int
    markers: list[Marker]
    results: list[RentalCard]


@router.get(
    "/rentals/search",
    response={200: RentalSearch, **errors(*COMMON)},
    operation_id="searchRentals",
    summary="Vacation rentals: map markers for every match (capped) and the first page of cards",
    openapi_extra=PUBLIC_OPENAPI,
)
def rentals_search(request: HttpRequest, params: RentalSearchParams = all_params()) -> HttpResponse:
    # Encoded by orjson straight from the selector's plain values, as the listings API does:
    # the response model above documents the shape, and validating up to 500 markers through
    # it cost more than the search itself (docs/benchmarks.md, the rentals row).
    result = selectors.search_page(params=params.form.params())  # type: ignore[attr-defined]
    body = {
        "total": result["total"],
        "markers": result["markers"],
        "results": [
            {
                "slug": c["property"].slug,
                "title": c["property"].title,
                "city": c["property"].city,
                "sleeps": c["property"].sleeps,
                "nightly_cents": c["property"].nightly_rate_cents,
                "total_cents": c["quote"].total_cents if c["quote"] else None,
                "photo": c["photo"].thumb.url if c["photo"] else None,
            }
            for c in result["cards"]
        ],
    }
    return HttpResponse(orjson.dumps(body), content_type="application/json")
