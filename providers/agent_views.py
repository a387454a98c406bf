"""The agent's page for their site's recommended providers, from the network dashboard: pick
verified providers (by category, city, name) and put them in the order the site's directory
shows them. Only the agent whose live site it is reaches it; every write names that site's
schema, nothing else."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.permissions import login_required
from marketplace import city_choices
from providers import selectors, services

MAX_RECOMMENDED = 30


def _site_of(request: HttpRequest, application_id: int) -> tuple[object, str]:
    from tenants.models import SiteApplication

    application = get_object_or_404(
        SiteApplication.objects.select_related("tenant"),
        pk=application_id,
        user=request.user,
        status=SiteApplication.Status.LIVE,
    )
    if application.tenant is None:
        raise Http404("No site")
    return application, application.tenant.schema_name


def _reordered(current: list[int], action: str, pk: int) -> list[int]:
    """The new order after one button press; unknown ids and actions change nothing."""
    order = list(current)
    if action == "add" and pk not in order:
        order.append(pk)
    elif pk in order:
        i = order.index(pk)
        if action == "remove":
            order.remove(pk)
        elif action == "up" and i > 0:
            order[i - 1], order[i] = order[i], order[i - 1]
        elif action == "down" and i < len(order) - 1:
            order[i + 1], order[i] = order[i], order[i + 1]
    return order[:MAX_RECOMMENDED]


@login_required
@require_http_methods(["GET", "POST"])
def recommendations(request: HttpRequest, application_id: int) -> HttpResponse:
    application, schema = _site_of(request, application_id)
    current = [p.pk for p in selectors.recommended(site_schema=schema)]
    if request.method == "POST":
        raw = request.POST.get("provider", "")
        action = request.POST.get("action", "")
        if not raw.isdigit() or action not in ("add", "remove", "up", "down"):
            messages.error(request, "Choose a provider and an action.")
        else:
            services.recommendations_set(site_schema=schema, provider_ids=_reordered(current, action, int(raw)))
        return redirect("network_recommendations", application_id=application_id)
    category, city, q = (request.GET.get(k, "")[:80] for k in ("category", "city", "q"))
    recommended = selectors.recommended(site_schema=schema)
    candidates = selectors.directory(category=category, city=city, q=q).exclude(pk__in=current)[:50]
    return render(
        request,
        "providers/recommendations.html",
        {
            "application": application,
            "site": application.tenant,  # type: ignore[attr-defined]
            "recommended": recommended,
            "candidates": candidates,
            "categories": selectors.categories(),
            "cities": city_choices(),
            "filters": {"category": category, "city": city, "q": q},
            "full": len(recommended) >= MAX_RECOMMENDED,
        },
    )
