"""The onboarding wizard (public schema): steps with a live preview, subdivision autocomplete,
launch through the Agent plan's Checkout, and live provisioning progress."""

from __future__ import annotations

import contextlib
import secrets
import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role, User
from accounts.permissions import login_required
from billing.services import BillingError, checkout_session_create
from billing.subscriptions import checkout_session_sync
from core.mls_sources import source_choices
from listings.cards import listing_cards_featured
from tenants.forms import STEP_TITLES, STEPS, site_address_example, step_initial
from tenants.models import SiteApplication
from tenants.onboarding import (
    LaunchError,
    agent_site_allowance,
    application_checkout_begin,
    application_current,
    application_launch,
    application_missing_steps,
    application_step_save,
    applications_launch_paid,
)
from tenants.progress import progress_get
from tenants.selectors import subdivision_suggestions
from themes.contrast import contrast_warnings
from themes.models import FONT_CHOICES
from themes.presets import PRESETS

STEP_ORDER = [*STEPS, "review"]


def _is_agent(user: object) -> bool:
    return getattr(user, "role", None) == Role.AGENT and bool(getattr(user, "license_number", ""))


def _store_images(application: SiteApplication, cleaned: dict[str, Any]) -> dict[str, Any]:
    """Write the step's prepared images to the network's media (random names: the files are
    public once a site uses them, never guessable before) and keep their paths in the data."""
    previous = application.data.get("brand", {})
    data = {k: v for k, v in cleaned.items() if k not in ("logo", "agent_photo", "remove_logo", "remove_photo")}
    folder = f"onboarding/{application.pk}-{secrets.token_urlsafe(12)}"
    for key in ("logo", "favicon", "photo"):
        if previous.get(key):
            data[key] = previous[key]
    if cleaned.get("remove_logo"):
        data.pop("logo", None)
        data.pop("favicon", None)
    if cleaned.get("remove_photo"):
        data.pop("photo", None)
    if cleaned.get("logo"):
        logo_png, favicon_png = cleaned["logo"]
        data["logo"] = default_storage.save(f"{folder}/logo.png", ContentFile(logo_png))
        data["favicon"] = default_storage.save(f"{folder}/favicon.png", ContentFile(favicon_png))
    if cleaned.get("agent_photo"):
        data["photo"] = default_storage.save(f"{folder}/photo.jpg", ContentFile(cleaned["agent_photo"]))
    return data


def _labels(application: SiteApplication) -> dict[str, Any]:
    """The review step's answers in words, not codes."""
    brand = application.data.get("brand", {})
    market = application.data.get("market", {})
    fonts, sources = dict(FONT_CHOICES), dict(source_choices())
    preset = PRESETS.get(brand.get("preset", ""))
    return {
        "address": site_address_example(application.data.get("site", {}).get("subdomain", "")),
        "font": fonts.get(brand.get("font", ""), "").split(" (")[0],
        "preset": preset.name if preset else "",
        "sources": [sources.get(s, s) for s in market.get("mls_sources", [])],
        "logo_url": default_storage.url(brand["logo"]) if brand.get("logo") else "",
        "photo_url": default_storage.url(brand["photo"]) if brand.get("photo") else "",
        "warnings": contrast_warnings(primary=brand["primary_color"], accent=brand["accent_color"]) if brand else [],
    }


def _step_context(request: HttpRequest, step: str, application: SiteApplication) -> dict[str, Any]:
    return {
        "step": step,
        "steps": [(s, STEP_TITLES[s]) for s in STEP_ORDER],
        "application": application,
        "address_base": f".{settings.PLATFORM_BASE_DOMAIN}{settings.SITE_PORT_SUFFIX}",
        "presets": list(PRESETS.values()),
    }


@login_required
def wizard_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_ORDER:
        raise Http404("No such step")
    if not _is_agent(request.user):
        return redirect("network_agent_details")
    application = application_current(user=request.user)
    context = _step_context(request, step, application)
    if step == "review":
        allowed, used = agent_site_allowance(user=request.user)
        context.update(
            missing=application_missing_steps(application=application),
            labels=_labels(application),
            paid_site_free=used < allowed,
            trial_days=settings.SITE_TRIAL_DAYS,
            cancelled=request.GET.get("checkout") == "cancelled",
        )
        return render(request, "network/review.html", context)
    form_class = STEPS[step]
    kwargs: dict[str, Any] = {"initial": step_initial(step, application.data)}
    if step == "site":
        kwargs["application_id"] = application.pk
    form = form_class(request.POST or None, request.FILES or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if step == "brand":
            data = _store_images(application, data)
        try:
            application_step_save(application=application, step=step, data=data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("network_dashboard")
        return redirect("network_step", step=STEP_ORDER[STEP_ORDER.index(step) + 1])
    context["form"] = form
    if step == "brand":
        context.update(labels=_labels(application), preview_listings=listing_cards_featured(limit=3))
        return render(request, "network/brand.html", context)
    return render(request, f"network/step_{step}.html", context)


@require_GET
@login_required
def subdivisions(request: HttpRequest) -> JsonResponse:
    """Autocomplete for the market step: subdivisions with active listings on the chosen feeds."""
    known = {key for key, _ in source_choices()}
    sources = tuple(s for s in request.GET.get("sources", "").split(",") if s in known) or None
    q = request.GET.get("q", "")[:80]
    return JsonResponse({"results": subdivision_suggestions(q=q, mls_sources=sources)})


@require_POST
@login_required
def wizard_launch(request: HttpRequest) -> HttpResponse:
    """ "Launch website": at once when the agent's plan has a free site, else through the Agent
    plan's Checkout (a free trial; the card is taken)."""

    user = cast(User, request.user)
    application = application_current(user=user)
    allowed, used = agent_site_allowance(user=user)
    try:
        if used < allowed:
            application_launch(application=application)
            return redirect("network_launch_progress", application_id=application.pk)
        if allowed:
            raise LaunchError("Your Agent plan includes one site, and it is in use. Contact us to add a second site.")
        progress_url = request.build_absolute_uri(reverse("network_launch_progress", args=[application.pk]))
        url = checkout_session_create(
            user=user,
            plan_key="agent",
            attempt_id=uuid.uuid4().hex,
            success_url=progress_url + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("network_step", args=["review"])) + "?checkout=cancelled",
            trial_days=settings.SITE_TRIAL_DAYS,
            metadata={"application_id": str(application.pk)},
        )
        session_id = url.rstrip("/").rsplit("/", 1)[-1]
        application_checkout_begin(application=application, checkout_session_id=session_id)
    except (LaunchError, BillingError) as exc:
        messages.error(request, str(exc))
        return redirect("network_step", step="review")
    return redirect(url)


def _own_application(request: HttpRequest, application_id: int) -> SiteApplication:
    return get_object_or_404(SiteApplication.objects.select_related("tenant"), pk=application_id, user=request.user)


@login_required
def launch_progress(request: HttpRequest, application_id: int) -> HttpResponse:
    """Where Checkout returns to: reads the session back (the webhook may still be on its way),
    launches the paid site and shows its provisioning live."""

    application = _own_application(request, application_id)
    session_id = request.GET.get("session_id", "")
    if session_id.startswith("cs_") and application.status == SiteApplication.Status.CHECKOUT:
        with contextlib.suppress(BillingError):  # the webhook launches it; the page keeps polling
            checkout_session_sync(user=request.user, session_id=session_id)
        applications_launch_paid(user=request.user)
        application.refresh_from_db()
    return render(
        request,
        "network/progress.html",
        {
            "application": application,
            "progress": progress_get(application_id=application.pk),
            "site_url": _site_url(request, application),
        },
    )


def _site_url(request: HttpRequest, application: SiteApplication) -> str:
    if application.status != SiteApplication.Status.LIVE or application.tenant is None:
        return ""
    domain = application.tenant.get_primary_domain()
    return f"{request.scheme}://{domain.domain}{settings.SITE_PORT_SUFFIX}/" if domain else ""


@login_required
def launch_status(request: HttpRequest, application_id: int) -> JsonResponse:
    application = _own_application(request, application_id)
    payload: dict[str, Any] = {"status": application.status, **progress_get(application_id=application.pk)}
    if application.status == SiteApplication.Status.LIVE:
        payload["url"] = _site_url(request, application)
    if application.status == SiteApplication.Status.FAILED:
        payload["error"] = application.error
    return JsonResponse(payload)


@require_POST
@login_required
def launch_retry(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own_application(request, application_id)
    if application.status != SiteApplication.Status.FAILED:
        return redirect("network_launch_progress", application_id=application.pk)
    try:
        application_launch(application=application)
    except LaunchError as exc:
        messages.error(request, str(exc))
        return redirect("network_step", step="review")
    return redirect("network_launch_progress", application_id=application.pk)
