"""The onboarding wizard's writes: agent details, answers per step, payment, launch, provisioning.

A site is launched only when its owner's Agent plan has a free site (``billing.plans.Plan.sites``;
one per plan today). Launching without one starts the plan's Stripe Checkout (a trial, card
taken) and leaves the application waiting for payment: the Checkout success page and the
subscription webhooks both launch it, whichever comes first, and only once (the application row
is locked and its status moves on). An abandoned Checkout leaves the application as it was; the
agent resumes from the wizard or the dashboard.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from billing.plans import AGENT, Audience
from billing.selectors import subscription_current
from tenants.forms import STEPS
from tenants.models import AgentProfile, SiteApplication, Tenant
from tenants.progress import progress_set
from tenants.provisioning import ProvisioningError, SiteImages
from tenants.services import SiteBrandingInput, SiteInput, SiteOwnerInput, tenant_create

logger = logging.getLogger(__name__)
HELD = (SiteApplication.Status.CHECKOUT, SiteApplication.Status.PROVISIONING)


class LaunchError(Exception):
    """Why a launch cannot go ahead, for the agent."""


@transaction.atomic
def agent_details_save(*, user: Any, full_name: str, license_number: str, brokerage: str, phone: str = "") -> Any:
    """Make a network account an agent: license and brokerage are required for agents."""
    user.full_name = full_name
    user.license_number = license_number
    user.brokerage = brokerage
    user.phone = phone
    user.role = Role.AGENT
    user.full_clean(exclude=["password"])
    user.save()
    AgentProfile.objects.update_or_create(
        user=user,
        defaults={"display_name": full_name, "license_number": license_number, "brokerage": brokerage, "phone": phone},
    )
    return user


def application_current(*, user: Any) -> SiteApplication:
    """The application the wizard edits: the newest not yet launched, else a new draft."""
    open_one = (
        SiteApplication.objects.filter(user=user, status__in=SiteApplication.EDITABLE, tenant__isnull=True)
        .order_by("-updated_at")
        .first()
    )
    return open_one or SiteApplication.objects.create(user=user)


@transaction.atomic
def application_step_save(*, application: SiteApplication, step: str, data: dict[str, Any]) -> SiteApplication:
    if step not in STEPS:
        raise ValidationError(f"Unknown step {step!r}.")
    application = SiteApplication.objects.select_for_update().get(pk=application.pk)
    if application.status not in SiteApplication.EDITABLE:
        raise ValidationError("This site has already been launched.")
    application.data = {**application.data, step: data}
    application.save(update_fields=["data", "updated_at"])
    return application


def application_missing_steps(*, application: SiteApplication) -> list[str]:
    return [step for step in STEPS if step not in application.data]


def subdomain_held(*, subdomain: str, application_id: int | None = None) -> bool:
    """Taken by a site, or held by someone else's launch in progress (paying or provisioning)."""
    if Tenant.objects.filter(slug=subdomain).exists():
        return True
    held = SiteApplication.objects.filter(status__in=HELD, data__site__subdomain=subdomain)
    if application_id is not None:
        held = held.exclude(pk=application_id)
    return held.exists()


def agent_site_allowance(*, user: Any) -> tuple[int, int]:
    """(sites the agent's live Agent plan pays for, sites already launched or launching)."""

    sub = subscription_current(user=user, audience=Audience.AGENT)
    allowed = AGENT.sites if sub is not None else 0
    used = SiteApplication.objects.filter(
        user=user, status__in=(SiteApplication.Status.PROVISIONING, SiteApplication.Status.LIVE)
    ).count()
    return allowed, used


def _ready(application: SiteApplication) -> None:
    missing = application_missing_steps(application=application)
    if missing:
        raise LaunchError(f"Complete these steps first: {', '.join(missing)}.")
    if subdomain_held(subdomain=application.data["site"]["subdomain"], application_id=application.pk):
        raise LaunchError("That address was taken meanwhile; choose another on the first step.")


def _launch_locked(application: SiteApplication) -> SiteApplication:
    """PROVISIONING and queue the task (the caller holds the row lock)."""
    from tenants.tasks import site_provision

    application.status = SiteApplication.Status.PROVISIONING
    application.error = application.failed_step = ""
    application.launched_at = timezone.now()
    application.paid_at = application.paid_at or application.launched_at
    application.save(update_fields=["status", "error", "failed_step", "launched_at", "paid_at", "updated_at"])
    progress_set(application_id=application.pk, step="check", state="queued")
    application_id = application.pk
    transaction.on_commit(lambda: site_provision.delay(application_id=application_id))
    return application


@transaction.atomic
def application_launch(*, application: SiteApplication) -> SiteApplication:
    """Launch now; the agent's Agent plan must have a free site (LaunchError otherwise)."""
    application = SiteApplication.objects.select_for_update().get(pk=application.pk)
    if application.status in (SiteApplication.Status.PROVISIONING, SiteApplication.Status.LIVE):
        return application  # launched already (a second click, a replayed webhook)
    _ready(application)
    allowed, used = agent_site_allowance(user=application.user)
    if used >= allowed:
        raise LaunchError(
            "Your Agent plan's sites are all in use: each plan includes one site."
            if allowed
            else "Subscribe to the Agent plan to launch your site."
        )
    return _launch_locked(application)


@transaction.atomic
def application_checkout_begin(*, application: SiteApplication, checkout_session_id: str) -> SiteApplication:
    """Remember the Checkout the agent was sent to; the address is held for them meanwhile."""
    application = SiteApplication.objects.select_for_update().get(pk=application.pk)
    if application.status not in SiteApplication.EDITABLE:
        raise LaunchError("This site has already been launched.")
    _ready(application)
    application.status = SiteApplication.Status.CHECKOUT
    application.checkout_session_id = checkout_session_id
    application.save(update_fields=["status", "checkout_session_id", "updated_at"])
    return application


def applications_launch_paid(*, user: Any) -> list[int]:
    """Launch the agent's applications waiting for payment, as far as their plan allows (after
    a Checkout or a subscription webhook; idempotent). Returns the ids launched now."""
    launched = []
    waiting = SiteApplication.objects.filter(user=user, status=SiteApplication.Status.CHECKOUT).order_by("updated_at")
    for application_id in waiting.values_list("pk", flat=True):
        try:
            application = application_launch(application=SiteApplication(pk=application_id))
        except LaunchError as exc:
            logger.info("paid launch waits", extra={"application": application_id, "reason": str(exc)})
            continue
        if application.status == SiteApplication.Status.PROVISIONING:
            launched.append(application_id)
    return launched


def _site_input(application: SiteApplication) -> SiteInput:
    user = application.user
    site, brand, market = (application.data[step] for step in ("site", "brand", "market"))
    return SiteInput(
        name=site["name"],
        subdomain=site["subdomain"],
        branding=SiteBrandingInput(
            site_name=site["name"],
            tagline=brand.get("tagline", ""),
            logo_text=brand.get("logo_text", ""),
            primary_color=brand["primary_color"],
            accent_color=brand["accent_color"],
            font=brand["font"],
            preset=brand.get("preset", "classic"),
            contact_phone=brand.get("contact_phone", ""),
            contact_email=user.email,
            agent_name=user.full_name,
            license_number=user.license_number,
            brokerage=user.brokerage,
        ),
        owner=SiteOwnerInput(
            email=user.email,
            password=None,
            full_name=user.full_name,
            license_number=user.license_number,
            brokerage=user.brokerage,
        ),
        mls_sources=list(market["mls_sources"]),
        featured_subdivisions=list(market.get("featured_subdivisions", [])),
        owner_user=user,
    )


def _read(path: str | None) -> bytes | None:
    if not path:
        return None
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def _site_images(application: SiteApplication) -> SiteImages:
    """The wizard's prepared uploads (public schema's media), read before the site's schema."""
    brand = application.data.get("brand", {})
    return SiteImages(
        logo_png=_read(brand.get("logo")), favicon_png=_read(brand.get("favicon")), photo_jpeg=_read(brand.get("photo"))
    )


def application_provision(*, application_id: int) -> SiteApplication:
    """Create the site (idempotent: a re-run after success changes nothing)."""
    application = SiteApplication.objects.select_related("user").get(pk=application_id)
    if application.status != SiteApplication.Status.PROVISIONING:
        return application

    def report(step: str) -> None:
        progress_set(application_id=application_id, step=step)

    try:
        tenant = tenant_create(
            site=_site_input(application), images=_site_images(application), progress=report, verify=True
        )
    except (ProvisioningError, ValidationError, KeyError, OSError) as exc:
        step = getattr(exc, "step", "check")
        message = exc.message if isinstance(exc, ProvisioningError) else " ".join(getattr(exc, "messages", [str(exc)]))
        SiteApplication.objects.filter(pk=application_id).update(
            status=SiteApplication.Status.FAILED, error=message[:1000], failed_step=step, updated_at=timezone.now()
        )
        progress_set(application_id=application_id, step=step, state="failed", error=message[:300])
        logger.warning("site provisioning failed", extra={"application": application_id, "step": step})
        application.refresh_from_db()
        return application
    from tenants.site_plans import agent_sites_sync

    with transaction.atomic():
        AgentProfile.objects.filter(user=application.user).update(tenant=tenant)
        agent_sites_sync(user=application.user)  # trial or active, as the Agent plan is
        application.status = SiteApplication.Status.LIVE
        application.tenant = tenant
        application.live_at = timezone.now()
        application.save(update_fields=["status", "tenant", "live_at", "updated_at"])
    progress_set(application_id=application_id, step="live", state="live")
    return application
