"""The comparison page (Investor 2 and up): ``/invest/compare/?listings=a,b,c`` is the
shareable link; ``/invest/compare/pdf/?listings=...`` the same as a PDF."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from billing.decorators import upgrade_prompt_response
from billing.plans import Feature
from billing.selectors import Entitlement, entitlement_check
from cma.pdf import DEFAULT_BRANDING, _fetcher_for
from cma.white_label import BrandRefused, brand_refused_response, requested_branding
from config.features import feature_on
from core.tenancy import current_schema
from listings.selectors import site_scope

from .compare import CompareError, comparison_build
from .views import branding_dict


def _gate(request: HttpRequest) -> Entitlement:
    if not feature_on("comparison"):
        raise Http404("Not available")
    return entitlement_check(user=request.user, feature=Feature.COMPARISON)


def _build(request: HttpRequest, raw: str) -> dict[str, Any]:
    scope = site_scope(tenant=getattr(request, "tenant", None))
    return comparison_build(raw=raw, scope=scope, as_of=timezone.localdate())


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    ent = _gate(request)
    raw = request.GET.get("listings", "")
    add = request.GET.get("add", "").strip()
    if add:
        raw = f"{raw},{add}" if raw else add
    context: dict[str, Any] = {"allowance": ent, "raw": raw}
    status = 200
    if ent.allowed and raw:
        try:
            context["c"] = _build(request, raw)
        except CompareError as e:
            context["error"] = str(e)
            # One listing so far is the first step of a comparison, not an error.
            status = 400 if "," in raw else 200
    return render(request, "invest/compare.html", context, status=status)


@require_GET
def compare_pdf(request: HttpRequest) -> HttpResponseBase:
    ent = _gate(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not ent.allowed:
        return upgrade_prompt_response(request, ent)
    mine = requested_branding(request)  # ?brand=mine: the investor's own logo (Investor 3)
    if isinstance(mine, BrandRefused):
        return brand_refused_response(request, mine)
    try:
        c = _build(request, request.GET.get("listings", ""))
    except CompareError as e:
        return HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")
    from weasyprint import HTML

    brand = {**DEFAULT_BRANDING, **branding_dict(request), **(mine or {})}
    html = render_to_string("invest/compare_pdf.html", {"c": c, "brand": brand, "today": timezone.localdate()})
    data = HTML(string=html, base_url="file:///", url_fetcher=_fetcher_for(current_schema())).write_pdf()
    return FileResponse(BytesIO(data), as_attachment=True, filename="comparison.pdf", content_type="application/pdf")
