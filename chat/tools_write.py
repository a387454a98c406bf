"""The assistant's tools that write, in the site's own schema: a saved search with alerts
(within the plan's limit; anonymous visitors are asked to sign in) and a showing request,
which becomes a lead for the site's agent with the conversation's transcript."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse

from chat.registry import Tool, ToolContext, ToolError, register
from chat.tools import FILTERS, FOR_SALE_TYPES, KEY, _row_card, _validated, api_params
from listings import selectors
from listings.readmodel.loader import get_read_model

FREQUENCIES = ("instant", "daily", "never")


def save_search(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from listings.services import SavedSearchDenied, saved_search_create

    if not ctx.signed_in:
        signup = reverse("account_signup")
        raise ToolError(
            "sign_in_required",
            "Saving a search needs an account: ask the visitor to sign up or sign in, then save it.",
            {"signup": signup},
        )
    filters = args["filters"]
    values = _validated(filters)
    raw = {k: v for k, v in api_params(filters).items() if k != "sort"}
    if "city" in values:
        raw["city"] = list(selectors.resolve_cities(model=get_read_model(), values=values["city"]))
    raw.setdefault("propertyType", list(FOR_SALE_TYPES))
    name = args.get("name") or _describe(filters)
    try:
        saved = saved_search_create(
            user=ctx.user, name=name, query=raw, frequency=args.get("frequency", "daily"), sms_enabled=False
        )
    except SavedSearchDenied as e:
        raise ToolError(e.code, e.message, {**e.fields, "upgrade": "/billing/pricing/"}) from None
    content = {"saved": True, "id": saved.pk, "name": saved.name, "frequency": saved.frequency}
    return content, {"kind": "saved_search", **content, "url": "/saved-searches/"}


def _describe(filters: dict[str, Any]) -> str:
    parts = []
    for key in ("city", "subdivision"):
        if key in filters:
            v = filters[key]
            parts.append(", ".join(v) if isinstance(v, list) else v)
    if "minBeds" in filters:
        parts.append(f"{filters['minBeds']}+ bd")
    if "maxPrice" in filters:
        parts.append(f"up to ${filters['maxPrice']:,}")
    return (" · ".join(parts) or "My search")[:120]


def request_showing(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from leads.models import Lead
    from leads.services import lead_create

    listing = _row_card(args["listingKey"], ctx)
    user = ctx.user if ctx.signed_in else None
    email = (args.get("email") or (user.email if user else "")).strip()
    name = (args.get("name") or (user.get_full_name() if user else "") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ToolError(
            "contact_required",
            "To book a showing the agent needs the visitor's name and email address: ask for them.",
            {"email": "required"},
        ) from None
    if not name:
        name = email.split("@")[0]
    when = args.get("when", "")
    lead_create(
        source=Lead.Source.SHOWING_REQUEST,
        name=name,
        email=email,
        phone=args.get("phone", ""),
        message=(f"Preferred time: {when}\n\n" if when else "") + args.get("message", ""),
        listing_key=listing["key"],
        user=user,
        data={
            "via": "chat",
            "conversation": ctx.conversation_ensure(),
            "address": listing["address"],
            "url": listing["url"],
            "city": listing["city"],
            "price": listing["price"],
            "when": when,
            "transcript": ctx.transcript()[:20_000],
        },
    )
    content = {"requested": True, "listing": listing["address"], "agent": ctx.agent_name or ctx.site_name}
    return content, {"kind": "showing", **content, "card": listing}


register(
    Tool(
        "save_search",
        "Save a search for the signed-in visitor, with email alerts for new matches (within their plan).",
        {
            "type": "object",
            "properties": {
                "filters": {"type": "object", "properties": FILTERS, "additionalProperties": False},
                "name": {"type": "string", "minLength": 1, "maxLength": 120},
                "frequency": {"type": "string", "enum": list(FREQUENCIES)},
            },
            "required": ["filters"],
            "additionalProperties": False,
        },
        save_search,
        writes=True,
    )
)
register(
    Tool(
        "request_showing",
        "Ask this site's agent for a showing of a listing; the agent gets the visitor's contact and this chat.",
        {
            "type": "object",
            "properties": {
                "listingKey": KEY,
                "name": {"type": "string", "maxLength": 150},
                "email": {"type": "string", "maxLength": 254},
                "phone": {"type": "string", "maxLength": 32},
                "when": {"type": "string", "maxLength": 120},
                "message": {"type": "string", "maxLength": 2000},
            },
            "required": ["listingKey"],
            "additionalProperties": False,
        },
        request_showing,
        writes=True,
    )
)
