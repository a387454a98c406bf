"""``{% provider_requests city=... key=... address=... price=... %}`` on listing pages:
"Get pre-approved", "Book an inspection", "Open escrow", shown only for the kinds of pro that
some verified provider offers in that city (no button leads nowhere)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.text import slugify

from providers.selectors import LISTING_ACTIONS, offered_categories

register = template.Library()
ACTIONS = tuple(zip(LISTING_ACTIONS, ("Get pre-approved", "Book an inspection", "Open escrow"), strict=True))


@register.inclusion_tag("providers/_listing_requests.html", takes_context=True)
def provider_requests(context: Any, *, city: str, key: str, address: str, price: Any = None) -> dict[str, Any]:
    city_slug = slugify(city or "")
    offered = offered_categories(city_slug=city_slug)
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "actions": [(slug, label) for slug, label in ACTIONS if slug in offered],
        "city": city_slug,
        "key": key,
        "address": address,
        "price": price or "",
        "back": request.path if request is not None else "/",
        "name": user.get_full_name() if user is not None and user.is_authenticated else "",
        "email": user.email if user is not None and user.is_authenticated else "",
        "csrf_token": context.get("csrf_token"),
    }
