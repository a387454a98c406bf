"""The Investor API (Investor 3): deal analysis, rent estimate and market trends as JSON, with
the same engines, inputs and rules as the /invest/ pages (the CMA is ``POST /api/cma``).

API keys (``Authorization: Bearer cr_…``, per-key rate limit in ``security.policy.API_KEY``) or
the site's session; every call that computes something is counted against the plan's
``api_calls`` allowance (``billing``), after its input is validated, so a typo costs nothing.
Bad input is a 400 in the one error shape naming the field; an unknown listing or place 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from api.auth import KEY_OR_SESSION, request_user
from api.errors import COMMON, ApiError, errors
from api.params import all_params, form_body_model, form_query_model
from billing.decorators import denial_code, denial_fields, denial_message, denial_status
from billing.plans import Feature
from billing.selectors import Entitlement, entitlement_check
from billing.services import usage_consume
from config.features import feature_on
from listings.readmodel.loader import get_closed_model, get_read_model
from listings.selectors import site_scope

from .api_forms import DealApiForm, PlaceForm, TrendsForm, deal_form_data
from .finance import DealError
from .report import inputs_dict
from .selectors import market_trends
from .services import CmaError, deal_analysis_run, deal_prefill
from .trends import Place, TrendsError, place_known

router = Router(tags=["investor"], auth=KEY_OR_SESSION)
PLAN_NOTE = " Investor 3 plan (API access); each call counts one of the plan's Investor API calls a month."
DealIn = form_body_model("DealIn", DealApiForm)
if TYPE_CHECKING:
    PlaceParams = Any
    TrendsParams = Any
else:
    PlaceParams = form_query_model("PlaceParams", PlaceForm)
    TrendsParams = form_query_model("TrendsParams", TrendsForm)


class AnalysisOut(Schema):
    listingKey: str | None = Field(description="The listing the assumptions started from, if any.")
    inputs: dict[str, Any] = Field(description="Every assumption used (money as decimal strings).")
    analysis: dict[str, Any] = Field(
        description="Cash flow, cap rate, cash-on-cash, DSCR, IRR, holding period, sensitivity (docs/invest.md)."
    )
    rent: dict[str, Any] | None = Field(description="The rent estimate and its comps (listing or address given).")
    appreciation: float | None = Field(description="Local price index, a year (listing or address given).")


class RentOut(Schema):
    address: str
    estimate: int | None
    low: int | None
    high: int | None
    comps: list[dict[str, Any]]
    radius_mi: float | None
    reason: str


class TrendsOut(Schema):
    kind: str
    place: str
    period: str
    headline: dict[str, Any]
    months: list[dict[str, Any]]


def _denied(ent: Entitlement) -> ApiError:
    return ApiError(denial_status(ent), denial_code(ent), denial_message(ent), **denial_fields(ent))


def _admitted(request: HttpRequest) -> Any:
    """The caller's account if their plan has the Investor API; 404 while it is switched off."""
    if not feature_on("investor_api"):
        raise ApiError(404, "not_found", "Not found.")
    user = request_user(request)
    ent = entitlement_check(user=user, feature=Feature.API_ACCESS)
    if not ent.allowed:
        raise _denied(ent)
    return user


def _count(user: Any) -> Entitlement:
    ent = usage_consume(user=user, feature=Feature.API_CALLS)
    if not ent.allowed:
        raise _denied(ent)
    return ent


def _prefill(request: HttpRequest, listing: str, address: str) -> Any:
    try:
        return deal_prefill(scope=site_scope(tenant=getattr(request, "tenant", None)), listing=listing, address=address)
    except CmaError as e:
        if e.code == "unknown_listing":
            raise ApiError(404, "not_found", "No such listing on this site.", {"listing": "unknown"}) from None
        raise ApiError(400, "invalid_parameters", str(e), {e.field or "address": str(e)}) from None


@router.post(
    "/invest/analysis",
    response={200: AnalysisOut, **errors(*COMMON, 404)},
    operation_id="investorAnalysis",
    summary="Deal analysis of a listing, an address or your own numbers",
    description="Give `listing` (key or slug) or `address` to start from the suggested assumptions (price, "
    "HOA, land lease, rent estimate, local appreciation; docs/invest.md), and any field to override them; "
    "or give `price` and `rent_monthly` alone. Percentages are in percent." + PLAN_NOTE,
)
def investor_analysis(request: HttpRequest, payload: DealIn) -> dict[str, Any]:  # type: ignore[valid-type]
    user = _admitted(request)
    given = payload.form.cleaned_data  # type: ignore[attr-defined]
    listing, address = given.get("listing") or "", given.get("address") or ""
    prefill = _prefill(request, listing, address) if listing or address else None
    data = deal_form_data(given, prefill.initial if prefill else {})
    if "price" not in data:
        raise ApiError(400, "invalid_parameters", "This home has no price: give one.", {"price": "required"})
    form = DealApiForm(data)
    inputs = form.checked()
    if inputs is None:
        fields = {k: " ".join(str(m) for m in v) for k, v in form.errors.items()}
        raise ApiError(400, "invalid_parameters", "Some fields are invalid: " + ", ".join(sorted(fields)) + ".", fields)
    _count(user)
    try:
        result = deal_analysis_run(inputs=inputs)
    except DealError as e:  # validated above; kept so a new rule can never answer 500
        raise ApiError(400, "invalid_parameters", str(e), {e.field or "body": str(e)}) from None
    doc = prefill.listing if prefill else None
    return {
        "listingKey": (doc or {}).get("listingKey"),
        "inputs": inputs_dict(inputs),
        "analysis": result,
        "rent": prefill.rent.as_dict() if prefill else None,
        "appreciation": prefill.appreciation if prefill else None,
    }


@router.get(
    "/invest/rent-estimate",
    response={200: RentOut, **errors(*COMMON, 404)},
    operation_id="investorRentEstimate",
    summary="Rent estimate of a listing or an address, with its comps and range",
    description="From lease listings and leased closings nearby (docs/invest.md, Rent)." + PLAN_NOTE,
)
def investor_rent(request: HttpRequest, params: PlaceParams = all_params()) -> dict[str, Any]:
    user = _admitted(request)
    data = params.form.cleaned_data
    prefill = _prefill(request, data.get("listing") or "", data.get("address") or "")
    _count(user)
    address = prefill.subject.address if prefill.subject is not None else data.get("address") or ""
    return {"address": address, **prefill.rent.as_dict()}


@router.get(
    "/invest/trends",
    response={200: TrendsOut, **errors(*COMMON, 404)},
    operation_id="investorTrends",
    summary="Monthly market trends of a city, subdivision or postal code",
    description="Closed sales and active inventory of the site's MLS sources, one row per month "
    "(docs/invest.md, Market trends), and the 12-month headline." + PLAN_NOTE,
)
def investor_trends(request: HttpRequest, params: TrendsParams = all_params()) -> dict[str, Any]:
    user = _admitted(request)
    data = params.form.cleaned_data
    kind, place, period = data["kind"], data["place"].strip(), data.get("period") or "5y"
    if not place_known(place=Place(kind, place), active=get_read_model(), closed=get_closed_model()):
        raise ApiError(404, "not_found", f"No sales or listings in {place[:100]!r} on this site.", {"place": "unknown"})
    _count(user)
    scope = site_scope(tenant=getattr(request, "tenant", None))
    try:
        out = market_trends(kind=kind, value=place, period=period, scope=scope, as_of=timezone.localdate())
    except TrendsError as e:
        raise ApiError(400, "invalid_parameters", str(e), {e.field or "place": str(e)}) from None
    return {"kind": kind, "place": place, "period": period, "headline": out["headline"], "months": out["months"]}
