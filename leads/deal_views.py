"""Deals and commission splits: record or correct a closed deal (the owner), the deals list, and
each agent's earnings for a period with CSV download (the owner sees everyone, an agent their
own)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leads import csv_io, selectors, services
from leads.deal_forms import DealForm, SplitFormSet, split_terms
from leads.models import Deal, Lead
from leads.team import site_agents
from leads.views import crm_required


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "errors/403.html", {"message": message}, status=403)


def _initial(lead: Lead | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    deal: dict[str, Any] = {"closed_on": timezone.localdate()}
    if lead is None:
        return deal, []
    deal["title"] = (lead.data or {}).get("address") or f"Sale: {lead.name or lead.email or lead.phone}"
    price = (lead.data or {}).get("price")
    if isinstance(price, int | float) and price > 0:
        deal["sale_price"] = f"{price:,.0f}"
    return deal, ([{"agent": lead.assigned_to_id}] if lead.assigned_to_id else [])


def _deal_form_page(
    request: HttpRequest,
    *,
    initial: Callable[[], tuple[dict[str, Any], list[dict[str, Any]]]],
    save: Callable[..., Deal],
    done: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The deal form and its split rows: ``initial()`` fills them on GET; a valid POST goes to
    ``save`` (``services.deal_record`` or ``deal_update``, its own arguments bound), whose
    refusal is shown on the form."""
    agents = [(a.pk, a.get_full_name() or a.email) for a in site_agents()]
    if request.method == "POST":
        form = DealForm(request.POST)
        splits = SplitFormSet(request.POST, prefix="split", form_kwargs={"agents": agents})
        if form.is_valid() and splits.is_valid():
            try:
                deal = save(
                    title=form.cleaned_data["title"],
                    sale_price_cents=form.cleaned_data["sale_price"],
                    rate_bp=form.cleaned_data["commission_rate"],
                    closed_on=form.cleaned_data["closed_on"],
                    terms=split_terms(splits),
                    actor=request.user,
                )
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"{done} {deal.title}: commission ${deal.commission_cents / 100:,.2f}.")
                return redirect("leads:deals")
    else:
        fields, rows = initial()
        form = DealForm(initial=fields)
        splits = SplitFormSet(prefix="split", initial=rows, form_kwargs={"agents": agents})
    return render(request, "leads/deal_form.html", {"form": form, "splits": splits, **context})


@crm_required
def deal_new(request: HttpRequest) -> HttpResponse:
    """The owner records a closed deal, from a lead (``?lead=``) or on its own."""
    if not selectors.sees_all(request.user):
        return _forbidden(request, "The site's owner records deals and their splits.")
    raw_lead = request.POST.get("lead") or request.GET.get("lead") or ""
    lead = selectors.visible_leads(user=request.user).filter(pk=int(raw_lead)).first() if raw_lead.isdigit() else None
    if raw_lead and lead is None:
        raise Http404("No such lead")
    return _deal_form_page(
        request,
        initial=lambda: _initial(lead),
        save=functools.partial(services.deal_record, lead=lead),
        done="Recorded",
        context={"lead": lead},
    )


def _initial_of(deal: Deal) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The recorded deal as the form's fields, typed back the way people write them."""
    fields = {
        "title": deal.title,
        "closed_on": deal.closed_on,
        "sale_price": f"{deal.sale_price_cents / 100:,.2f}",
        "commission_rate": f"{deal.commission_rate_bp / 100:g}",
    }
    rows = [
        {
            "agent": split.agent_id,
            "kind": "percent" if split.percent_bp is not None else "fixed",
            "amount": f"{split.percent_bp / 100:g}"
            if split.percent_bp is not None
            else f"{(split.fixed_cents or 0) / 100:.2f}",
            "cap": f"{split.cap_cents / 100:.2f}" if split.cap_cents is not None else "",
        }
        for split in deal.splits.order_by("pk")
    ]
    return fields, rows


@crm_required
def deal_edit(request: HttpRequest, deal_id: int) -> HttpResponse:
    """The owner corrects a recorded deal: figures and split, recomputed as when recorded."""
    if not selectors.sees_all(request.user):
        return _forbidden(request, "The site's owner records deals and their splits.")
    deal = Deal.objects.filter(pk=deal_id).select_related("lead").first()
    if deal is None:
        raise Http404("No such deal")
    return _deal_form_page(
        request,
        initial=lambda: _initial_of(deal),
        save=functools.partial(services.deal_update, deal=deal),
        done="Saved",
        context={"deal": deal},
    )


@crm_required
def deal_list(request: HttpRequest) -> HttpResponse:
    deals = selectors.visible_deals(user=request.user)[:500]
    return render(
        request,
        "leads/deals.html",
        {"deals": deals, "sees_all": selectors.sees_all(request.user), "me": request.user.pk},
    )


@require_POST
@crm_required
def deal_delete(request: HttpRequest, deal_id: int) -> HttpResponse:
    if not selectors.sees_all(request.user):
        return _forbidden(request, "The site's owner records deals and their splits.")
    deal = Deal.objects.filter(pk=deal_id).first()
    if deal is None:
        raise Http404("No such deal")
    deal.delete()
    messages.success(request, f"Deleted the deal {deal.title}.")
    return redirect("leads:deals")


def _period(request: HttpRequest) -> tuple[selectors.EarningsPeriod, str]:
    return selectors.earnings_period_from(request.GET, today=timezone.localdate())


@crm_required
def earnings(request: HttpRequest) -> HttpResponse:
    period, error = _period(request)
    if error:
        messages.error(request, error)
    return render(
        request,
        "leads/earnings.html",
        {
            "period": period,
            "kinds": selectors.PERIOD_KINDS,
            "on": request.GET.get("on", "") if not error else "",
            "report": selectors.earnings(user=request.user, period=period),
            "sees_all": selectors.sees_all(request.user),
            "query": request.GET.urlencode(),
        },
    )


@crm_required
def earnings_export(request: HttpRequest) -> StreamingHttpResponse:
    """One row per deal and party; for the owner the brokerage's rows are in, so the amounts add
    up to the deals' commission."""
    period, _ = _period(request)
    report = selectors.earnings(user=request.user, period=period)
    header = ["closed_on", "deal", "sale_price", "commission_rate_pct", "commission", "party", "basis", "amount"]
    rows = (
        [
            line.deal.closed_on.isoformat(),
            line.deal.title,
            f"{line.deal.sale_price_cents / 100:.2f}",
            f"{line.deal.commission_rate_bp / 100:g}",
            f"{line.deal.commission_cents / 100:.2f}",
            line.party,
            line.basis,
            f"{line.amount_cents / 100:.2f}",
        ]
        for line in report.lines
    )
    response = StreamingHttpResponse(csv_io.csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="earnings-{period.start}-{period.end}.csv"'
    return response
