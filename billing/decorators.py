"""Entitlement gates for views: the one way chat, CMA, saved searches and the API say no.

API views get JSON ``{"error", "message", "fields", "upgrade": true, ...}`` with 429 when a
metered allowance is used up for this period and 403 when the plan does not include the
feature; pages render the upgrade prompt (``billing/_upgrade_prompt.html``) instead."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from billing.plans import METERED_FEATURES, Feature
from billing.selectors import Entitlement, entitlement_check
from billing.services import usage_consume
from core.errors import json_error
from security.client_ip import client_ip_bucket

_LABELS = {
    Feature.CHAT_MESSAGES: "chat messages",
    Feature.CMA_REPORTS: "CMA reports",
    Feature.SAVED_SEARCHES: "saved searches",
    Feature.SMS_ALERTS: "SMS alerts",
    Feature.API_ACCESS: "API access",
    Feature.ADVANCED_FILTERS: "advanced filters",
    Feature.PORTFOLIO: "portfolio tracking",
    Feature.WHITE_LABEL_SITE: "a white-label site",
    Feature.DEAL_ANALYSIS: "deal analysis",
    Feature.MARKET_TRENDS: "market trend detail",
    Feature.COMPARISON: "side-by-side comparison",
    Feature.API_CALLS: "Investor API calls",
    Feature.WHITE_LABEL_REPORTS: "your own logo on reports",
}


def denial_status(ent: Entitlement) -> int:
    exhausted = Feature(ent.feature) in METERED_FEATURES and (ent.limit or 0) > 0
    return 429 if exhausted else 403


def denial_message(ent: Entitlement) -> str:
    label = _LABELS[Feature(ent.feature)]
    more = "Upgrade for more, or wait" if ent.upgrade else "Wait"  # the top plan has no "more"
    if denial_status(ent) == 429:
        return f"You've used all {ent.limit} {label} in your plan this month. {more} for your allowance to reset."
    if Feature(ent.feature) in METERED_FEATURES or ent.limit:
        return f"You've reached your plan's limit of {ent.limit} {label}." + (
            " Upgrade for more." if ent.upgrade else ""
        )
    return f"Your plan doesn't include {label}. Upgrade to unlock it."


def denial_code(ent: Entitlement) -> str:
    return "quota_exceeded" if denial_status(ent) == 429 else "upgrade_required"


def denial_fields(ent: Entitlement) -> dict[str, Any]:
    """What a JSON refusal says beside its message (every API's plan refusal, one shape)."""
    return {
        "upgrade": ent.upgrade,
        "upgrade_url": "/billing/pricing/" if ent.upgrade else None,
        "feature": ent.feature,
        "plan": ent.plan,
        "limit": ent.limit,
        "remaining": ent.remaining,
        "resets_at": ent.period_end.isoformat() if ent.period_end else None,
    }


def entitlement_denied_response(ent: Entitlement) -> JsonResponse:
    return json_error(denial_status(ent), denial_code(ent), denial_message(ent), **denial_fields(ent))


def upgrade_prompt_response(request: HttpRequest, ent: Entitlement) -> HttpResponse:
    return render(
        request,
        "billing/upgrade_required.html",
        {"entitlement": ent, "message": denial_message(ent)},
        status=denial_status(ent),
    )


def requires_entitlement(
    feature: Feature | str, *, consume: bool = False, api: bool = True
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Gate a view on a feature; with ``consume`` spend one unit atomically first.

    The result is on ``request.entitlement`` for the view (e.g. to show "3 left")."""
    feature = Feature(feature)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            visitor_id, address = getattr(request, "anonymous_id", None), client_ip_bucket(request)
            if consume:
                ent = usage_consume(user=request.user, feature=feature, visitor_id=visitor_id, client_address=address)
            else:
                ent = entitlement_check(
                    user=request.user, feature=feature, visitor_id=visitor_id, client_address=address
                )
            if not ent.allowed:
                return entitlement_denied_response(ent) if api else upgrade_prompt_response(request, ent)
            request.entitlement = ent  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
