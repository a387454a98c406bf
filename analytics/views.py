"""The analytics dashboard of a site (/analytics/, its owner and agents) and of the whole
network (/platform/analytics/, platform admins): charts with their tables, and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from accounts.permissions import role_required
from analytics import charts, selectors
from leads.views import crm_required


def _charts(data: dict[str, Any]) -> dict[str, Any]:
    series = data["series"]
    labels = [d["day"].strftime("%b %-d") for d in series]
    return {
        "visits_chart": charts.line_chart(
            title="Visitors per day", labels=labels, values=[d["visitors"] for d in series], testid="chart-visitors"
        ),
        "views_chart": charts.line_chart(
            title="Listing views per day",
            labels=labels,
            values=[d["listing_views"] for d in series],
            testid="chart-listing-views",
        ),
        "sources_chart": charts.bar_chart(
            title="Leads by source", items=data["leads_by_source"], testid="chart-sources"
        ),
        "funnel_chart": charts.bar_chart(title="Conversion funnel", items=data["funnel"], testid="chart-funnel"),
    }


@crm_required
def dashboard(request: HttpRequest) -> HttpResponse:
    period = selectors.period_from(request.GET, today=timezone.localdate())
    data = selectors.dashboard(period=period)
    return render(
        request,
        "analytics/dashboard.html",
        {**data, **_charts(data), "days": (period.end - period.start).days + 1, "choices": (7, 30, 90, 365)},
    )


def _csv(data: dict[str, Any]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "visitors", "engaged", "page_views", "listing_views"])
    for d in data["series"]:
        writer.writerow([d["day"].isoformat(), d["visitors"], d["engaged"], d["page_views"], d["listing_views"]])
    writer.writerow([])
    writer.writerow(["funnel", "count"])
    writer.writerows(data["funnel"])
    writer.writerow([])
    writer.writerow(["lead source", "leads"])
    writer.writerows(data["leads_by_source"])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="analytics.csv"'
    return response


@crm_required
def export(request: HttpRequest) -> HttpResponse:
    period = selectors.period_from(request.GET, today=timezone.localdate())
    return _csv(selectors.dashboard(period=period))


@role_required(Role.SUPERADMIN, Role.ADMIN)
def platform_dashboard(request: HttpRequest) -> HttpResponse:
    """Every site's numbers for the period, side by side, and the network's total."""
    from tenants.models import Tenant

    period = selectors.period_from(request.GET, today=timezone.localdate())
    rows = []
    for tenant in Tenant.objects.exclude(kind=Tenant.Kind.TEMPLATE).order_by("name"):
        with schema_context(tenant.schema_name):
            data = selectors.dashboard(period=period)
        rows.append({"tenant": tenant, "totals": data["totals"], "funnel": dict(data["funnel"])})
    totals = {k: sum(r["totals"][k] for r in rows) for k in ("visitors", "page_views", "listing_views")}
    leads = sum(r["funnel"]["Leads"] for r in rows)
    chart = charts.bar_chart(
        title="Visitors by site",
        items=[(r["tenant"].name, r["totals"]["visitors"]) for r in rows],
        testid="chart-sites",
    )
    context = {
        "section": "analytics",
        "rows": rows,
        "totals": totals,
        "leads": leads,
        "chart": chart,
        "choices": (7, 30, 90, 365),
        "days": (period.end - period.start).days + 1,
    }
    return render(request, "analytics/platform.html", context)
