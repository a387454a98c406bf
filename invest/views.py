"""Investor pages: deal analysis (form, results, saved analyses, PDF). Thin: the work is in
``services`` (prefill, run, save) and ``selectors`` (who may, what is theirs)."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from billing.decorators import upgrade_prompt_response
from cma.white_label import BrandRefused, brand_refused_response, requested_branding
from config.features import feature_on
from core.tenancy import current_schema
from listings.selectors import site_scope
from themes.branding import branding_for_request

from . import pdf
from .charts import holding_svg
from .forms import DealForm, initial_with_defaults
from .selectors import analysis_get, analysis_list, deal_allowance
from .services import CmaError, Prefill, analysis_save, deal_analysis_run, deal_prefill


def _on() -> None:
    if not feature_on("deal_analysis"):
        raise Http404("Not available")


def branding_dict(request: HttpRequest) -> dict[str, Any]:
    b = branding_for_request(request)
    return {
        "site_name": b.site_name,
        "logo_url": b.logo_url,
        "logo_text": b.logo_text,
        "primary_color": b.primary_color,
        "accent_color": b.accent_color,
        "agent_name": b.agent_name,
        "brokerage": b.brokerage,
        "contact_email": b.contact_email,
        "contact_phone": b.contact_phone,
    }


def _context_of(prefill: Prefill | None) -> dict[str, Any]:
    if prefill is None:
        return {}
    doc = prefill.listing or {}
    return {
        "rent": prefill.rent.as_dict(),
        "appreciation": prefill.appreciation,
        "appreciation_note": prefill.appreciation_note,
        "listing_slug": doc.get("slug"),
        "listing_key": doc.get("listingKey"),
        "notes": prefill.notes,
    }


def _field_value(v: Any) -> str:
    if v is None or v is False:
        return ""
    return "on" if v is True else str(v)


@require_GET
def analyze(request: HttpRequest) -> HttpResponse:
    """GET only: the form submits here, so an analysis is a link the investor can keep."""
    _on()
    allowance = deal_allowance(user=request.user)
    ref, address = request.GET.get("listing", "").strip(), request.GET.get("address", "").strip()
    context: dict[str, Any] = {"allowance": allowance, "ref": ref}
    if not allowance.allowed:
        return render(request, "invest/analyze.html", context, status=200)
    prefill, status = None, 200
    form = DealForm(request.GET if "price" in request.GET else None)
    if ref or address:
        try:
            prefill = deal_prefill(
                scope=site_scope(tenant=getattr(request, "tenant", None)), listing=ref, address=address
            )
        except CmaError as e:
            if e.code == "unknown_listing":
                raise Http404("No such listing") from e
            form = DealForm(initial=initial_with_defaults({"address": address}))
            context["place_error"] = str(e)
            status = 400
    if not form.is_bound and prefill is not None:
        # A listing or address alone: analyse the suggested assumptions straight away.
        suggested = initial_with_defaults(prefill.initial)
        if suggested.get("price"):
            form = DealForm({k: _field_value(v) for k, v in suggested.items()})
        else:
            form = DealForm(initial=suggested)
    elif not form.is_bound and status == 200:
        form = DealForm(initial=initial_with_defaults({}))
    result = None
    if form.is_bound:
        inputs = form.checked()
        if inputs is None:
            status = 400
        else:
            result = deal_analysis_run(inputs=inputs)
            result["context"] = _context_of(prefill)
    brand = branding_dict(request)
    context.update(
        form=form,
        prefill=prefill,
        r=result,
        chart=holding_svg(result, primary=brand["primary_color"], accent=brand["accent_color"]) if result else "",
    )
    return render(request, "invest/analyze.html", context, status=status)


@require_POST
def save(request: HttpRequest) -> HttpResponse:
    _on()
    if not request.user.is_authenticated:
        return redirect_to_login("/invest/analyze/")
    allowance = deal_allowance(user=request.user)
    if not allowance.allowed:
        return upgrade_prompt_response(request, allowance)
    form = DealForm(request.POST)
    inputs = form.checked()
    if inputs is None:
        return render(request, "invest/analyze.html", {"allowance": allowance, "form": form}, status=400)
    ref = form.cleaned_data.get("listing") or ""
    prefill = None
    if ref:
        try:
            prefill = deal_prefill(scope=site_scope(tenant=getattr(request, "tenant", None)), listing=ref)
        except CmaError as e:
            raise Http404("No such listing") from e
    saved = analysis_save(
        user=request.user,
        inputs=inputs,
        schema_name=current_schema(),
        listing_key=ref,
        address=form.cleaned_data.get("address") or "",
        context=_context_of(prefill),
        branding=branding_dict(request),
    )
    return redirect("invest:analysis", public_id=saved.public_id)


def _owned(request: HttpRequest, public_id: UUID) -> Any:
    saved = analysis_get(public_id=public_id, user=request.user)
    if saved is None:
        raise Http404("No such analysis")
    return saved


def analysis(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _on()
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    saved = _owned(request, public_id)
    brand = {**branding_dict(request), **(saved.branding or {})}
    r = saved.result
    context = {
        "saved": saved,
        "r": r,
        "chart": holding_svg(r, primary=brand["primary_color"], accent=brand["accent_color"]),
        "allowance": deal_allowance(user=request.user),
    }
    return render(request, "invest/analysis.html", context)


def analysis_pdf(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    _on()
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    saved = _owned(request, public_id)
    mine = requested_branding(request)  # ?brand=mine: the investor's own logo (Investor 3)
    if isinstance(mine, BrandRefused):
        return brand_refused_response(request, mine)
    data = pdf.render_pdf(saved=saved, branding=mine)
    name = f"analysis-{(saved.title or 'deal')[:60]}-{saved.created_at:%Y-%m-%d}.pdf"
    safe = "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in name)
    return FileResponse(BytesIO(data), as_attachment=True, filename=safe, content_type="application/pdf")


def history(request: HttpRequest) -> HttpResponse:
    _on()
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "invest/history.html",
        {"analyses": analysis_list(user=request.user), "allowance": deal_allowance(user=request.user)},
    )
