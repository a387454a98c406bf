"""``POST /api/cma``: a CMA for API-key holders and signed-in users, through the same engine,
limits and usage counting as the /cma/ pages (``cma.services.cma_report_create``), with the
same input rules (the page's form, ``cma.forms.CmaForm``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from api.auth import KEY_OR_SESSION, request_user
from api.errors import COMMON, ApiError, errors
from api.params import form_body_model
from billing.decorators import entitlement_denied_response
from core.tenancy import current_schema
from listings.selectors import site_scope

from .engine import CmaError
from .forms import CmaForm
from .limits import AGENT_ROLES
from .services import CmaNotAllowed, cma_report_create
from .views import _branding_dict

router = Router(tags=["cma"], auth=KEY_OR_SESSION)
CmaIn = form_body_model("CmaIn", CmaForm)


class Allowance(Schema):
    limit: int | None = Field(description="CMAs a billing period (null: unlimited).")
    used: int
    remaining: int | None


class CmaOut(Schema):
    id: str = Field(description="The saved report's id.")
    url: str = Field(description="The report page.")
    pdfUrl: str
    estimate: int | None = Field(description="Null when there is not enough data for an honest estimate.")
    low: int | None
    high: int | None
    confidence: str | None
    kind: str = Field(description="value (sale price) or rent (monthly).")
    reason: str | None = None
    allowance: Allowance
    report: dict[str, Any] = Field(
        description="Everything the report shows: subject, comps with every "
        "adjustment line and weight, market stats, narrative (docs/cma.md)."
    )


def _is_lead(request: HttpRequest, user: Any) -> bool:
    """A CMA asked for by a visitor (not the site's own staff) on an agent site."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "is_public", True):
        return False
    return not user.has_role(*AGENT_ROLES)


@router.post(
    "/cma",
    response={201: CmaOut, **errors(*COMMON)},
    operation_id="cmaCreate",
    summary="Run a CMA (comparative market analysis) of a listing or an address; saved and counted",
    description="Give `listing` (a listing key or slug, active or closed) or `address` with `sqft`; the other "
    "facts correct or complete the listing's. Counts one report of the plan's allowance (Investor 1: 10 a "
    "month, Investor 2: 50, Investor 3 and the site's agents: unlimited); an answer without an estimate "
    "(too few comparable sales) is saved but not counted.",
)
def cma_create(request: HttpRequest, payload: CmaIn) -> Any:  # type: ignore[valid-type]
    user = request_user(request)
    try:
        report, ent = cma_report_create(
            user=user,
            inputs=payload.form.inputs(),  # type: ignore[attr-defined]
            scope=site_scope(tenant=getattr(request, "tenant", None)),
            schema_name=current_schema(),
            via="api",
            lead=_is_lead(request, user),
            branding=_branding_dict(request),
        )
    except CmaNotAllowed as e:
        return entitlement_denied_response(e.entitlement)
    except CmaError as e:
        raise ApiError(400, e.code, str(e), {e.field or "body": str(e)}) from None
    r = report.result
    url = f"/cma/{report.public_id}/"
    return Status(
        201,
        {
            "id": str(report.public_id),
            "url": url,
            "pdfUrl": f"{url}pdf/",
            "estimate": r.get("estimate"),
            "low": r.get("low"),
            "high": r.get("high"),
            "confidence": r.get("confidence"),
            "kind": r.get("kind", "value"),
            "reason": r.get("reason"),
            "allowance": {"limit": ent.limit, "used": ent.used, "remaining": ent.remaining},
            "report": r,
        },
    )
