"""Market trends pages: the headline for everyone, charts, table and CSV for Investor 1 and up."""

from __future__ import annotations

import csv
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing.decorators import upgrade_prompt_response
from config.features import feature_on
from listings.selectors import site_scope
from themes.branding import branding_for_request

from .charts import TREND_CHARTS, trend_svg
from .selectors import market_trends, trend_places, trends_allowance
from .trends import CSV_COLUMNS, KINDS, PERIODS, TrendsError

KIND_LABELS = {"city": "City", "subdivision": "Subdivision", "postal": "Postal code"}


def _on() -> None:
    if not feature_on("market_trends"):
        raise Http404("Not available")


def _query(request: HttpRequest) -> tuple[str, str, str]:
    kind = request.GET.get("kind", "city")
    place = request.GET.get("place", "").strip()[:100]
    period = request.GET.get("period", "5y")
    return kind, place, period


@require_GET
def trends(request: HttpRequest) -> HttpResponse:
    _on()
    kind, place, period = _query(request)
    allowance = trends_allowance(user=request.user)
    context: dict[str, Any] = {
        "kind": kind,
        "place": place,
        "period": period,
        "periods": list(PERIODS),
        "kinds": [(k, KIND_LABELS[k]) for k in KINDS],
        "places": trend_places(),
        "allowance": allowance,
    }
    status = 200
    if place:
        try:
            data = market_trends(
                kind=kind, value=place, period=period, scope=site_scope(tenant=getattr(request, "tenant", None))
            )
        except TrendsError as e:
            context["error"] = str(e)
            status = 400
        else:
            context["head"] = data["headline"]
            if allowance.allowed:
                colour = branding_for_request(request).primary_color
                rows = data["months"]
                context["rows"] = list(reversed(rows))
                context["charts"] = [
                    (title, trend_svg(rows, field, title, kind=fmt, bars=bars, colour=colour))
                    for field, title, fmt, bars in TREND_CHARTS
                ]
    return render(request, "invest/trends.html", context, status=status)


@require_GET
def trends_csv(request: HttpRequest) -> HttpResponse:
    _on()
    allowance = trends_allowance(user=request.user)
    if not allowance.allowed:
        return upgrade_prompt_response(request, allowance)
    kind, place, period = _query(request)
    if not place:
        return HttpResponse("Choose a place (?place=...).", status=400, content_type="text/plain; charset=utf-8")
    try:
        data = market_trends(
            kind=kind, value=place, period=period, scope=site_scope(tenant=getattr(request, "tenant", None))
        )
    except TrendsError as e:
        return HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")
    safe = "".join(ch if ch.isalnum() else "-" for ch in place)[:60]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trends-{kind}-{safe}-{period}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in data["months"]:
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    return response
