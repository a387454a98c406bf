"""Billing pages and the Stripe webhook endpoint. Thin: every decision is in services and
selectors."""

from __future__ import annotations

import contextlib
import logging
import re
import uuid

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import selectors, services, subscriptions
from billing.plans import Audience, plan_comparison, plans_on_sale
from billing.webhooks import webhook_event_process
from core.errors import json_error

logger = logging.getLogger(__name__)
_ATTEMPT_ID = re.compile(r"^[0-9a-f]{32}$")


def _audience(request: HttpRequest) -> Audience:
    """``?for=agents`` / ``?for=providers`` on the network: the network plans' pricing and
    portal; the consumer plans otherwise."""
    wanted = {"agents": Audience.AGENT, "providers": Audience.PROVIDER}.get(request.GET.get("for", ""))
    return wanted if wanted is not None and _on_network() else Audience.CONSUMER


def _on_network() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME  # type: ignore[attr-defined]


def _pricing_context(request: HttpRequest, *, error: str | None = None) -> dict:
    audience = _audience(request)
    plans = plans_on_sale(audience=audience)
    return {
        "plans": plans,
        "comparison": plan_comparison(plans) if audience == Audience.CONSUMER else [],
        "audience": audience.value,
        "current": selectors.billing_context_get(user=request.user, audience=audience),
        # One id per rendering of the form: resubmitting it reuses the same Checkout Session.
        "attempt_id": uuid.uuid4().hex,
        "error": error,
    }


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    return render(request, "billing/pricing.html", _pricing_context(request))


@login_required
@require_POST
def checkout_start(request: HttpRequest) -> HttpResponse:
    attempt_id = request.POST.get("attempt_id", "")
    if not _ATTEMPT_ID.match(attempt_id):
        attempt_id = uuid.uuid4().hex
    success = request.build_absolute_uri(reverse("billing:success")) + "?session_id={CHECKOUT_SESSION_ID}"
    try:
        url = services.checkout_session_create(
            user=request.user,
            plan_key=request.POST.get("plan", ""),
            attempt_id=attempt_id,
            success_url=success,
            cancel_url=request.build_absolute_uri(reverse("billing:cancel")),
        )
    except services.AlreadySubscribed:
        return redirect("billing:portal")
    except (services.PlanNotAvailable, KeyError) as exc:
        return render(
            request,
            "billing/pricing.html",
            _pricing_context(request, error=str(exc.args[0] if exc.args else exc)),
            status=400,
        )
    except services.BillingUnavailable as exc:
        return render(request, "billing/pricing.html", _pricing_context(request, error=str(exc)), status=503)
    return redirect(url, permanent=False)


@login_required
@require_GET
def checkout_success(request: HttpRequest) -> HttpResponse:
    session_id = request.GET.get("session_id", "")
    if session_id.startswith("cs_"):
        # If Stripe is unreachable the webhook brings the plan in; the page says it may take
        # a moment.
        with contextlib.suppress(services.BillingUnavailable):
            subscriptions.checkout_session_sync(user=request.user, session_id=session_id)
    return render(request, "billing/success.html", {"current": selectors.billing_context_get(user=request.user)})


@require_GET
def checkout_cancel(request: HttpRequest) -> HttpResponse:
    return render(request, "billing/cancel.html")


@login_required
@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest) -> HttpResponse:
    try:
        audience = _audience(request)
        url = services.portal_session_create(
            user=request.user, return_url=request.build_absolute_uri(reverse("billing:overview")), audience=audience
        )
    except services.NoBillingAccount:
        messages.info(request, "Choose a plan first.")
        return redirect("billing:pricing")
    except services.BillingUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("billing:overview")
    return redirect(url)


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    tenant = getattr(request, "tenant", None)
    return render(
        request,
        "billing/overview.html",
        {
            "current": selectors.billing_context_get(user=request.user),
            "subscription": selectors.subscription_current(user=request.user),
            "meters": selectors.usage_meters(user=request.user),
            "invoices": selectors.invoice_list(user=request.user),
            "agent": (
                selectors.billing_context_get(user=request.user, audience=Audience.AGENT) if _on_network() else None
            ),
            "site": tenant if tenant is not None and not _on_network() else None,
        },
    )


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    try:
        result = webhook_event_process(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
    except (ValueError, stripe.SignatureVerificationError) as exc:
        logger.warning("rejected stripe webhook: %s", exc)
        return json_error(400, "bad_signature", "Invalid payload or signature.")
    except services.BillingUnavailable:
        # Nothing was kept (one transaction); Stripe retries non-2xx deliveries for three days.
        response = json_error(503, "unavailable", "Stripe could not be reached; retry later.")
        response["Retry-After"] = "60"
        return response
    return JsonResponse(
        {"received": True, "event": result.event_id, "outcome": result.outcome, "duplicate": result.duplicate}
    )
