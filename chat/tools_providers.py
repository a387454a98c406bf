"""The assistant's ``request_provider`` tool: a visitor asks in chat for a lender, inspector,
escrow officer... and the request goes through the directory's one request service
(``providers.services.request_create``, ``source="chat"``) exactly as the listing page's
buttons send it: to at most three verified providers covering the city, rotating fairly.

Scoped to the site: a listing is looked up in the site's own MLS sources, the request records
the site's schema, and its link points to that site. Counted against the same rate-limit
counters as the request form (``security.policy`` row ``provider-request``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from chat.registry import Tool, ToolContext, ToolError, register
from chat.tools import KEY, _row_card


def _category(slug: str) -> Any:
    from providers.models import Category

    category = Category.objects.filter(slug=slug, active=True).first()
    if category is None:
        kinds = ", ".join(Category.objects.filter(active=True).values_list("slug", flat=True))
        raise ToolError("invalid_arguments", f"Unknown kind of provider; use one of: {kinds}.", {"category": kinds})
    return category


def _city_slug(name: str) -> str:
    from marketplace import city_choices

    cities = city_choices()
    slug = slugify(name)
    if slug in cities:
        return slug
    by_name = {v.casefold(): k for k, v in cities.items()}
    if name.strip().casefold() in by_name:
        return by_name[name.strip().casefold()]
    raise ToolError(
        "invalid_arguments", f"We don't know the city {name[:60]!r}; give a city of the area.", {"city": "unknown"}
    )


def _throttled(ctx: ToolContext) -> None:
    """The request form's own counters, so chat is no way around them."""
    from security.policy import PROVIDER_REQUEST
    from security.ratelimit import limit_hit

    if ctx.request is None:
        return
    denied = [limit_hit(ctx.request, group=PROVIDER_REQUEST.name, limit=limit) for limit in PROVIDER_REQUEST.limits]
    if any(denied):
        raise ToolError(
            "rate_limited",
            "Too many requests were sent from here recently; tell the visitor to try again later.",
        )


def request_provider(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from marketplace import site_base_url
    from providers import services
    from providers.models import Provider

    category = _category(args["category"])
    listing = _row_card(args["listingKey"], ctx) if args.get("listingKey") else None
    place = args.get("city") or (listing["city"] if listing else "")
    if not place:
        raise ToolError("city_required", "Ask the visitor which city the help is for.", {"city": "required"})
    city = _city_slug(place)
    user = ctx.user if ctx.signed_in else None
    email = (args.get("email") or (user.email if user else "")).strip()
    name = (args.get("name") or (user.get_full_name() if user else "") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ToolError(
            "contact_required",
            "Providers answer by email: ask the visitor for their name and email address.",
            {"email": "required"},
        ) from None
    covering = Provider.objects.filter(status=Provider.Status.VERIFIED, category=category, cities__contains=[city])
    if not covering.exists():
        raise ToolError("no_provider", f"No verified {category.name.lower()} covers that city yet.")
    _throttled(ctx)
    request = services.request_create(
        data={
            "category": category,
            "city_slug": city,
            "source": "chat",
            "listing_key": listing["key"] if listing else "",
            "listing_address": listing["address"] if listing else "",
            "listing_price": listing["price"] if listing else None,
            "listing_url": f"{site_base_url(ctx.schema)}{listing['url']}" if listing else "",
            "name": name or email.split("@")[0],
            "email": email,
            "phone": args.get("phone", ""),
            "message": args.get("message", ""),
            "visitor_user_id": user.pk if user else None,
        },
        site_schema=ctx.schema,
    )
    providers = [a.provider.company for a in request.assignments.select_related("provider")]
    content = {"requested": True, "category": category.name, "city": city, "sentTo": providers}
    url = f"/providers/requests/{request.access_token}/"
    return content, {"kind": "provider_request", **content, "url": url}


register(
    Tool(
        "request_provider",
        "Send the visitor's request to local service providers (lender for pre-approval, inspector, escrow, "
        "title, contractor...) covering a city or a listing's city; they answer the visitor by email.",
        {
            "type": "object",
            "properties": {
                "category": {"type": "string", "minLength": 1, "maxLength": 40},
                "city": {"type": "string", "maxLength": 80},
                "listingKey": KEY,
                "name": {"type": "string", "maxLength": 120},
                "email": {"type": "string", "maxLength": 254},
                "phone": {"type": "string", "maxLength": 32},
                "message": {"type": "string", "maxLength": 2000},
            },
            "required": ["category"],
            "additionalProperties": False,
        },
        request_provider,
        writes=True,
    )
)
