"""Favourites and saved searches: the pages and their no-JavaScript forms (the JSON endpoints
are in ``listings.views``). Reads through ``listings.selectors``, writes through
``listings.services``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import login_required
from billing.plans import Feature
from billing.selectors import entitlement_check
from listings import selectors, services
from listings.models import SavedSearch
from listings.saved_queries import describe, saved_query_from, saved_query_string
from listings.validation import InvalidParameters
from listings.web import cards_for_keys, listing_visible, raw_params
from security.redirects import safe_next


@require_POST
def favorite_toggle(request: HttpRequest, key: str) -> HttpResponse:
    """No-JS fallback of the save button: toggles, then back to the page."""
    nxt = safe_next(request, request.POST.get("next"), default="/favorites/")
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_signup')}?{urlencode({'next': nxt})}")
    if selectors.favorite_exists(user=request.user, listing_key=key):
        services.favorite_remove(user=request.user, listing_key=key)
        messages.success(request, "Removed from your favourites.")
    elif listing_visible(request, key) is not None:
        services.favorite_add(user=request.user, listing_key=key)
        messages.success(request, "Saved to your favourites.")
    return HttpResponseRedirect(nxt)


@login_required
def favorites_page(request: HttpRequest) -> HttpResponse:
    keys = selectors.favorite_keys(user=request.user)
    cards = cards_for_keys(request, keys)
    missing = len(keys) - len(cards)
    return render(request, "listings/favorites.html", {"cards": cards, "missing": missing})


def saved_body_parse(request: HttpRequest, body: dict[str, Any]) -> tuple[dict[str, list[str]], str, str, bool]:
    q = body.get("query", "")
    if isinstance(q, str):
        raw = dict(QueryDict(q[:4000]).lists())
    elif isinstance(q, dict):
        raw = raw_params(q)
    else:
        raise InvalidParameters({"query": "must be a query string or an object"})
    query = saved_query_from(request, raw)
    name = body.get("name") or ""
    if not isinstance(name, str) or len(name) > 120:
        raise InvalidParameters({"name": "must be text of at most 120 characters"})
    frequency = body.get("frequency") or SavedSearch.Frequency.DAILY
    if frequency not in SavedSearch.Frequency.values:
        raise InvalidParameters({"frequency": "must be instant, daily or never"})
    sms = body.get("sms") in (True, "true", "1", "on")
    return query, (name.strip() or describe(query))[:120], frequency, sms


@login_required
def saved_searches_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        body = {k: request.POST.get(k) for k in ("query", "name", "frequency", "sms")}
        try:
            query, name, frequency, sms = saved_body_parse(request, body)
            services.saved_search_create(
                user=request.user, name=name, query=query, frequency=frequency, sms_enabled=sms
            )
            messages.success(request, f"Saved “{name}”. We'll email you new matches and price drops.")
        except InvalidParameters as e:
            messages.error(request, "That search could not be saved: " + ", ".join(sorted(e.fields)) + ".")
        except services.SavedSearchDenied as e:
            messages.error(request, e.message)
        return redirect("listings:saved_searches")
    searches = selectors.saved_searches(user=request.user)
    ent = entitlement_check(user=request.user, feature=Feature.SAVED_SEARCHES, in_use=len(searches))
    rows = [{"s": s, "qs": saved_query_string(s.query), "describe": describe(s.query)} for s in searches]
    return render(
        request,
        "listings/saved_searches.html",
        {"rows": rows, "ent": ent, "frequencies": SavedSearch.Frequency.choices},
    )


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if services.saved_search_delete(user=request.user, pk=pk):
        messages.success(request, "Saved search deleted.")
    return redirect("listings:saved_searches")


@login_required
@require_POST
def saved_search_update(request: HttpRequest, pk: int) -> HttpResponse:
    frequency = request.POST.get("frequency")
    sms = request.POST.get("sms") in ("true", "1", "on")
    try:
        saved = services.saved_search_settings_update(user=request.user, pk=pk, frequency=frequency, sms_enabled=sms)
    except services.SavedSearchDenied as e:
        # The rest of the form still applies, with SMS left off.
        messages.error(request, e.message)
        saved = services.saved_search_settings_update(user=request.user, pk=pk, frequency=frequency, sms_enabled=False)
    if saved is None:
        raise Http404("No such saved search")
    messages.success(request, "Alert settings updated.")
    return redirect("listings:saved_searches")
