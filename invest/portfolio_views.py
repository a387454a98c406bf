"""Portfolio pages (Investor 2 and up): the list with totals, add, a home's page (figures,
value history, edit, remove), CSV import (preview, then all or nothing) and export. Lower
plans see what the page does and the plans (never a 404 or an empty list); their POSTs get
billing's upgrade page (403). Thin: the work is in ``portfolio_services`` /
``portfolio_selectors`` / ``portfolio_csv``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from billing.decorators import upgrade_prompt_response
from billing.selectors import Entitlement
from config.features import feature_on
from listings.selectors import site_scope

from .finance import DealError
from .portfolio_charts import value_history_svg
from .portfolio_csv import CsvError, csv_check, csv_export, csv_text
from .portfolio_forms import PortfolioForm, initial_of
from .portfolio_selectors import (
    portfolio_allowance,
    portfolio_summary,
    property_get,
    property_list,
    property_metrics,
    value_history,
)
from .portfolio_services import (
    holding_suggest,
    home_resolve,
    properties_add,
    property_add,
    property_delete,
    property_update,
)
from .views import branding_dict

TEMPLATE = "invest/portfolio.html"


def _gate(request: HttpRequest) -> Entitlement:
    if not feature_on("portfolio"):
        raise Http404("Not available")
    return portfolio_allowance(user=request.user)


def _sources(request: HttpRequest) -> tuple[str, ...] | None:
    return site_scope(tenant=getattr(request, "tenant", None)).mls_sources


def _denied(request: HttpRequest, ent: Entitlement) -> HttpResponseBase | None:
    """For actions: sign in first, then the plan (billing's upgrade page, 403)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None if ent.allowed else upgrade_prompt_response(request, ent)


def portfolio(request: HttpRequest) -> HttpResponse:
    ent = _gate(request)
    context: dict[str, Any] = {"allowance": ent}
    if ent.allowed:
        rows, totals = portfolio_summary(props=list(property_list(user=request.user)), as_of=timezone.localdate())
        context.update(rows=rows, totals=totals)
    return render(request, TEMPLATE, context)


@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponseBase:
    ent = _gate(request)
    if (denied := _denied(request, ent)) is not None:
        return denied
    scope = site_scope(tenant=getattr(request, "tenant", None))
    status, place_error = 200, ""
    if request.method == "POST":
        form = PortfolioForm(request.POST, today=timezone.localdate())
        holding = form.checked()
        if holding is not None:
            d = form.cleaned_data
            try:
                home = home_resolve(
                    scope=scope, listing=d.get("listing") or "", address=d.get("address") or "", facts=form.facts()
                )
                prop = property_add(user=request.user, home=home, holding=holding, sources=scope.mls_sources)
            except DealError as e:
                form.add_error(e.field if e.field in form.fields else None, str(e))
            else:
                return redirect("invest:portfolio_home", public_id=prop.public_id)
        status = 400
    else:
        ref = request.GET.get("listing", "").strip()[:200]
        initial: dict[str, Any] = {"listing": ref, "vacancy_pct": 5, "loan_term_years": 30}
        if ref:
            try:
                initial.update(holding_suggest(doc=home_resolve(scope=scope, listing=ref, need_area=False).listing))
            except DealError as e:
                place_error, status = str(e), 400
        form = PortfolioForm(initial=initial)
    context = {"allowance": ent, "form": form, "place_error": place_error}
    return render(request, "invest/portfolio_add.html", context, status=status)


def _owned(request: HttpRequest, public_id: UUID) -> Any:
    prop = property_get(public_id=public_id, user=request.user)
    if prop is None:
        raise Http404("No such home in your portfolio")
    return prop


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    ent = _gate(request)
    if (denied := _denied(request, ent)) is not None:
        return denied
    prop = _owned(request, public_id)
    status = 200
    if request.method == "POST":
        form = PortfolioForm(request.POST, editing=True, today=timezone.localdate())
        holding = form.checked()
        if holding is not None:
            property_update(prop=prop, holding=holding)
            return redirect("invest:portfolio_home", public_id=prop.public_id)
        status = 400
    else:
        form = PortfolioForm(initial=initial_of(prop), editing=True)
    brand = branding_dict(request)
    chart = value_history_svg(
        value_history(prop=prop),
        purchase_cents=prop.purchase_price_cents,
        purchase_date=prop.purchase_date,
        primary=brand["primary_color"],
    )
    context = {
        "allowance": ent,
        "p": prop,
        "m": property_metrics(prop=prop, as_of=timezone.localdate()),
        "form": form,
        "chart": chart,
        "alerts": list(prop.alerts.all()[:10]),
    }
    return render(request, "invest/portfolio_home.html", context, status=status)


@require_POST
def remove(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    ent = _gate(request)
    if (denied := _denied(request, ent)) is not None:
        return denied
    property_delete(prop=_owned(request, public_id))
    return redirect("invest:portfolio")


@require_http_methods(["GET", "POST"])
def import_csv(request: HttpRequest) -> HttpResponseBase:
    """POST a file: the preview (nothing written). POST ``text`` with ``confirm``: checked
    again and imported, all rows or none."""
    ent = _gate(request)
    if (denied := _denied(request, ent)) is not None:
        return denied
    context: dict[str, Any] = {"allowance": ent}
    if request.method == "GET":
        return render(request, "invest/portfolio_import.html", context)
    scope = site_scope(tenant=getattr(request, "tenant", None))
    try:
        upload = request.FILES.get("file")
        text = csv_text(upload.read()) if upload is not None else str(request.POST.get("text", ""))
        rows = csv_check(text=text, scope=scope, user=request.user, today=timezone.localdate())
    except CsvError as e:
        context["file_error"] = str(e)
        return render(request, "invest/portfolio_import.html", context, status=400)
    bad = [r for r in rows if r.errors]
    if request.POST.get("confirm") and not bad:
        properties_add(
            user=request.user,
            rows=[(r.home, r.holding) for r in rows if r.home is not None and r.holding is not None],
            sources=scope.mls_sources,
        )
        return redirect("invest:portfolio")
    context.update(rows=rows, bad=bad, text=text)
    return render(request, "invest/portfolio_import.html", context, status=400 if bad else 200)


def export_csv(request: HttpRequest) -> HttpResponseBase:
    ent = _gate(request)
    if (denied := _denied(request, ent)) is not None:
        return denied
    rows, _ = portfolio_summary(props=list(property_list(user=request.user)), as_of=timezone.localdate())
    response = HttpResponse(csv_export(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="portfolio-{timezone.localdate().isoformat()}.csv"'
    return response
