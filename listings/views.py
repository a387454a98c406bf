"""The listing page and its showing request (the visitor's JSON operations on swipes,
favourites and saved searches are in ``listings/visitor_api.py``).

The other pages: ``search_views`` (search, map, swipe), ``saved_views`` (favourites, saved
searches), ``community_views`` (communities). Reads go through ``listings.selectors`` and the
read model, with the site's scope (``request.tenant``): an agent site never shows another MLS
source. Search parameters are validated by the same table as the public API
(``listings.validation``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from billing.plans import FREE, Feature
from billing.selectors import entitlement_check
from leads.models import Lead
from leads.services import lead_create
from listings import selectors
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
from listings.readmodel.loader import get_read_model
from listings.validation import SLUG
from listings.web import (
    map_style,
    scope_of,
)


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
