"""The listing page and its showing request; the visitor's JSON endpoints (swipes and the swipe
queue, favourites, saved searches) until they move to the API layer.

The other pages: ``search_views`` (search, map, swipe), ``saved_views`` (favourites, saved
searches), ``community_views`` (communities). Reads go through ``listings.selectors`` and the
read model, with the site's scope (``request.tenant``): an agent site never shows another MLS
source. Search parameters are validated by the same table as the public API
(``listings.validation``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from billing.plans import FREE, Feature
from billing.selectors import entitlement_check
from core.errors import json_error
from leads.models import Lead
from leads.services import lead_create
from listings import selectors, services
from listings.detail import (
    cards_html,
    days_on_market,
    gallery_thumbs,
    json_ld,
    listing_facts,
    listing_summary,
    photos_of,
    similar_cards,
)
from listings.models import Swipe
from listings.readmodel.loader import get_read_model
from listings.saved_views import saved_body_parse
from listings.validation import SEARCH_PARAMS, SLUG, InvalidParameters, parse_params
from listings.web import (
    KEY,
    json_body,
    listing_visible,
    map_style,
    query_from,
    raw_params,
    scope_of,
    swiped_keys,
)

SWIPE_QUEUE_PARAMS = tuple(p for p in SEARCH_PARAMS if p.name not in ("page", "pageSize"))


def listing_page(request: HttpRequest, slug: str) -> HttpResponse:
    if len(slug) > 200 or not SLUG.fullmatch(slug):
        raise Http404("No such listing")
    doc, sold = selectors.listing_document(slug=slug, scope=scope_of(request))
    if doc is None:
        raise Http404("No such listing")
    model = get_read_model()
    photos = photos_of(doc)
    key = doc.get("listingKey", "")
    favorite = request.user.is_authenticated and selectors.favorite_exists(user=request.user, listing_key=key)
    # An anonymous visitor is on the free plan: their usage only matters if it includes CMAs.
    visitor = getattr(request, "anonymous_id", None) if FREE.limit(Feature.CMA_REPORTS) != 0 else None
    cma = entitlement_check(user=request.user, feature=Feature.CMA_REPORTS, visitor_id=visitor)
    title, description, price = listing_summary(doc, sold=sold)
    ppsf = price / doc["livingArea"] if price and doc.get("livingArea") else None
    context = {
        "doc": doc,
        "key": key,
        "sold": sold,
        "price": price,
        "ppsf": ppsf,
        "title": title,
        "description": description,
        "photos": photos,
        "gallery_thumbs": gallery_thumbs(photos, alt=str(doc.get("unparsedAddress") or "")),
        "facts": listing_facts(doc),
        "days_on_market": days_on_market(doc),
        "price_history": list(reversed(doc.get("priceHistory") or [])),
        "open_houses": [o for o in doc.get("openHouses") or [] if isinstance(o, dict)],
        "similar": cards_html(model, similar_cards(request, doc, model=model)),
        "favorite": favorite,
        "cma": cma,
        "json_ld": json_ld(request, doc, photos, sold),
        "map_style": map_style(request),
        "canonical": request.build_absolute_uri(reverse("listings:listing", args=[doc.get("slug") or slug])),
    }
    return render(request, "listings/listing_detail.html", context)


@require_POST
def showing_request(request: HttpRequest, slug: str) -> HttpResponse:
    """A showing request from the listing page becomes a Lead for this site's agent, or on the
    flagship for the brokerage (rate limited per client address and account: security/policy.py)."""
    if len(slug) > 200 or not SLUG.fullmatch(slug):
        raise Http404("No such listing")
    doc, sold = selectors.listing_document(slug=slug, scope=scope_of(request))
    if doc is None:
        raise Http404("No such listing")
    name = (request.POST.get("name") or "").strip()[:150]
    email = (request.POST.get("email") or "").strip()[:254]
    phone = (request.POST.get("phone") or "").strip()[:32]
    when = (request.POST.get("when") or "").strip()[:120]
    message = (request.POST.get("message") or "").strip()[:2000]
    errors = []
    if not name:
        errors.append("Please tell us your name.")
    try:
        validate_email(email)
    except ValidationError:
        errors.append("Please enter a valid email address.")
    if errors:
        for e in errors:
            messages.error(request, e)
        return redirect(reverse("listings:listing", args=[slug]) + "#showing")
    lead_create(
        source=Lead.Source.SHOWING_REQUEST,
        name=name,
        email=email,
        phone=phone,
        message=(f"Preferred time: {when}\n\n" if when else "") + message,
        listing_key=str(doc.get("listingKey", "")),
        user=request.user,
        data={
            "slug": slug,
            "url": reverse("listings:listing", args=[slug]),
            "address": doc.get("unparsedAddress"),
            "city": doc.get("city"),
            "price": doc.get("closePrice") if sold else doc.get("listPrice"),
            "when": when,
        },
    )
    messages.success(request, "Thanks! Your showing request was sent; the agent will be in touch shortly.")
    return redirect(reverse("listings:listing", args=[slug]))


@require_http_methods(["GET"])
def swipe_queue(request: HttpRequest) -> JsonResponse:
    """The next cards for this visitor: the filters' results minus what they already swiped."""
    raw = raw_params(request.GET)
    limit_raw = raw.pop("limit", ["10"])
    try:
        limit = int(limit_raw[0]) if limit_raw and limit_raw[0].isdigit() else -1
        if not 1 <= limit <= 50:
            raise InvalidParameters({"limit": "must be between 1 and 50"})
        values = parse_params(raw, SWIPE_QUEUE_PARAMS)
        values.setdefault("status", ("Active", "Coming Soon"))
        seen = swiped_keys(request)
        out: list[dict[str, Any]] = []
        page, total = 1, 0
        while len(out) < limit and page <= 50:
            query = query_from(request, {**values, "page": page}, page_size=100)
            result = selectors.listing_search(query=query)
            total = result.total
            out.extend(c for c in result.cards if c["key"] not in seen)
            if page * 100 >= result.total:
                break
            page += 1
    except InvalidParameters as e:
        return JsonResponse(e.payload(), status=400)
    return JsonResponse({"results": out[:limit], "total": total, "swiped": len(seen)})


@require_POST
def swipes_api(request: HttpRequest) -> JsonResponse:
    body = json_body(request)
    if body is None:
        return json_error(400, "invalid_json", "Send a JSON object.")
    key = body.get("listingKey")
    direction = body.get("direction")
    fields = {}
    if direction not in Swipe.Direction.values:
        fields["direction"] = "must be like or dislike"
    if not isinstance(key, str) or not KEY.fullmatch(key):
        fields["listingKey"] = "must be a listing key"
    if fields:
        return json_error(400, "invalid_parameters", "Some fields are invalid.", fields=fields)
    key, direction = str(key), str(direction)
    if listing_visible(request, key) is None:
        return json_error(404, "not_found", "No such listing on this site.", fields={"listingKey": "unknown"})
    anon = getattr(request, "anonymous_id", None) or ""
    if not request.user.is_authenticated and not anon:
        return json_error(400, "no_visitor", "Cookies are needed to record swipes.")
    swipe = services.swipe_upsert(listing_key=key, direction=direction, user=request.user, anonymous_id=anon)
    return JsonResponse(
        {
            "listingKey": key,
            "direction": swipe.direction,
            "favorite": bool(request.user.is_authenticated and direction == Swipe.Direction.LIKE),
        },
        status=201,
    )


@require_http_methods(["POST", "DELETE"])
def favorite_api(request: HttpRequest, key: str) -> JsonResponse:
    if not request.user.is_authenticated:
        return json_error(
            401, "authentication_required", "Sign up or sign in to save homes.", signup=reverse("account_signup")
        )
    if request.method == "DELETE":
        services.favorite_remove(user=request.user, listing_key=key)
        return JsonResponse({"listingKey": key, "favorite": False})
    if listing_visible(request, key) is None:
        return json_error(404, "not_found", "No such listing on this site.")
    _, created = services.favorite_add(user=request.user, listing_key=key)
    return JsonResponse({"listingKey": key, "favorite": True}, status=201 if created else 200)


@require_http_methods(["GET", "POST"])
def saved_searches_api(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return json_error(
            401, "authentication_required", "Sign up or sign in to save searches.", signup=reverse("account_signup")
        )
    if request.method == "GET":
        return JsonResponse(
            {
                "results": [
                    {"id": s.pk, "name": s.name, "query": s.query, "frequency": s.frequency, "sms": s.sms_enabled}
                    for s in selectors.saved_searches(user=request.user)
                ]
            }
        )
    body = json_body(request)
    if body is None:
        return json_error(400, "invalid_json", "Send a JSON object.")
    try:
        query, name, frequency, sms = saved_body_parse(request, body)
        saved = services.saved_search_create(
            user=request.user, name=name, query=query, frequency=frequency, sms_enabled=sms
        )
    except InvalidParameters as e:
        return JsonResponse(e.payload(), status=400)
    except services.SavedSearchDenied as e:
        ent = e.entitlement
        return json_error(
            403, e.code, e.message, upgrade=True, limit=ent.limit, used=ent.used, plan=ent.plan, upgrade_url="/billing/"
        )
    return JsonResponse(
        {"id": saved.pk, "name": saved.name, "query": saved.query, "frequency": saved.frequency, "sms": sms},
        status=201,
    )


@require_http_methods(["DELETE"])
def saved_search_api(request: HttpRequest, pk: int) -> JsonResponse:
    if not request.user.is_authenticated:
        return json_error(401, "authentication_required", "Sign in first.")
    if not services.saved_search_delete(user=request.user, pk=pk):
        return json_error(404, "not_found", "No such saved search.")
    return JsonResponse({"id": pk, "deleted": True})
