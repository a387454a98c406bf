"""CMA pages: the form (pre-filled from a listing), the report, its PDF, the user's history.

Thin: the work is in ``services`` (run, count, save) and ``selectors`` (who may see what)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from billing.decorators import upgrade_prompt_response
from core.tenancy import current_schema
from listings.readmodel.loader import get_closed_model, get_read_model
from listings.selectors import site_scope
from listings.web import map_style
from themes.branding import branding_for_request

from .charts import adjusted_prices_svg, comps_map_svg
from .engine import CmaError
from .forms import CmaForm, initial_from_listing
from .limits import AGENT_ROLES, cma_allowance
from .pdf import render_pdf
from .selectors import cma_report_get, cma_report_list
from .services import CmaNotAllowed, cma_pdf_ensure, cma_report_create
from .subjects import find_listing
from .white_label import BrandRefused, brand_refused_response, requested_branding


def _branding_dict(request: HttpRequest) -> dict[str, Any]:
    b = branding_for_request(request)
    return {
        "site_name": b.site_name,
        "logo_url": b.logo_url,
        "logo_text": b.logo_text,
        "primary_color": b.primary_color,
        "accent_color": b.accent_color,
        "agent_name": b.agent_name,
        "license_number": b.license_number,
        "brokerage": b.brokerage,
        "contact_email": b.contact_email,
        "contact_phone": b.contact_phone,
    }


def _is_lead(request: HttpRequest) -> bool:
    """A CMA asked for by a visitor (not an agent) is a lead: for the site's agent, or on the
    flagship for the brokerage."""
    if getattr(request, "tenant", None) is None:
        return False
    return not request.user.has_role(*AGENT_ROLES)  # type: ignore[union-attr]


@require_http_methods(["GET", "POST"])
def cma_form(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    allowance = cma_allowance(user=request.user)
    scope = site_scope(tenant=getattr(request, "tenant", None))
    listing_doc = None
    if request.method == "POST":
        form = CmaForm(request.POST)
        if form.is_valid():
            try:
                report, _ = cma_report_create(
                    user=request.user,
                    inputs=form.inputs(),
                    scope=scope,
                    schema_name=current_schema(),
                    lead=_is_lead(request),
                    branding=_branding_dict(request),
                )
            except CmaNotAllowed as e:
                return upgrade_prompt_response(request, e.entitlement)
            except CmaError as e:
                visible = {f.name for f in form.visible_fields()}
                form.add_error(e.field if e.field in visible else None, str(e))
            else:
                return redirect("cma:report", public_id=report.public_id)
        status = 400
    else:
        ref = request.GET.get("listing", "")
        initial: dict[str, Any] = {}
        if ref:
            found = find_listing(ref=ref, scope=scope, active=get_read_model(), closed=get_closed_model())
            if found is None:
                raise Http404("No such listing")
            listing_doc = found[0]
            initial = initial_from_listing(listing_doc)
        form = CmaForm(initial=initial)
        status = 200
    context = {"form": form, "allowance": allowance, "listing": listing_doc}
    return render(request, "cma/form.html", context, status=status)


def _owned(request: HttpRequest, public_id: UUID) -> Any:
    report = cma_report_get(public_id=public_id, user=request.user)
    if report is None:
        raise Http404("No such report")
    return report


def cma_report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    report = _owned(request, public_id)
    r = report.result
    brand = {**_branding_dict(request), **(report.branding or {})}
    context = {
        "report": report,
        "r": r,
        "chart": adjusted_prices_svg(r, primary=brand["primary_color"], accent=brand["accent_color"]),
        "map_svg": comps_map_svg(r, primary=brand["primary_color"], accent=brand["accent_color"]),
        "allowance": cma_allowance(user=request.user),
        "map_style": map_style(request),
    }
    return render(request, "cma/report.html", context)


def cma_report_pdf(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    report = _owned(request, public_id)
    mine = requested_branding(request)  # ?brand=mine: the investor's own logo (Investor 3)
    if isinstance(mine, BrandRefused):
        return brand_refused_response(request, mine)
    data = cma_pdf_ensure(report=report) if mine is None else render_pdf(report=report, branding=mine)
    from io import BytesIO

    name = f"cma-{(report.address or report.listing_key or 'report')[:60]}-{report.created_at:%Y-%m-%d}.pdf"
    safe = "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in name)
    return FileResponse(BytesIO(data), as_attachment=True, filename=safe, content_type="application/pdf")


def cma_history(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "cma/history.html",
        {"reports": cma_report_list(user=request.user), "allowance": cma_allowance(user=request.user)},
    )
