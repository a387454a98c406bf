"""The onboarding wizard's writes: agent details, answers per step, launch, provisioning."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Role
from tenants.forms import STEPS
from tenants.models import AgentProfile, SiteApplication, Tenant
from tenants.services import SiteBrandingInput, SiteInput, SiteOwnerInput, tenant_create

logger = logging.getLogger(__name__)


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
    draft = SiteApplication.objects.filter(user=user, status=SiteApplication.Status.DRAFT).first()
    return draft or SiteApplication.objects.create(user=user)


@transaction.atomic
def application_step_save(*, application: SiteApplication, step: str, data: dict[str, Any]) -> SiteApplication:
    if step not in STEPS:
        raise ValidationError(f"Unknown step {step!r}.")
    application = SiteApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != SiteApplication.Status.DRAFT:
        raise ValidationError("This site has already been launched.")
    application.data = {**application.data, step: data}
    application.save(update_fields=["data", "updated_at"])
    return application


def application_missing_steps(*, application: SiteApplication) -> list[str]:
    return [step for step in STEPS if step not in application.data]


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
    )


@transaction.atomic
def application_launch(*, application: SiteApplication) -> SiteApplication:
    """Check every step again (the subdomain may have been taken since) and queue provisioning."""
    from tenants.tasks import site_provision

    application = SiteApplication.objects.select_for_update().get(pk=application.pk)
    missing = application_missing_steps(application=application)
    if missing:
        raise ValidationError(f"Complete these steps first: {', '.join(missing)}.")
    if Tenant.objects.filter(slug=application.data["site"]["subdomain"]).exists():
        raise ValidationError("That address was taken meanwhile; choose another on the first step.")
    application.status = SiteApplication.Status.PROVISIONING
    application.error = ""
    application.save(update_fields=["status", "error", "updated_at"])
    application_id = application.pk
    transaction.on_commit(lambda: site_provision.delay(application_id=application_id))
    return application


def application_provision(*, application_id: int) -> SiteApplication:
    """Create the site (idempotent: a re-run after success changes nothing)."""
    application = SiteApplication.objects.select_related("user").get(pk=application_id)
    if application.status == SiteApplication.Status.LIVE:
        return application
    try:
        tenant = tenant_create(site=_site_input(application))
    except (ValidationError, KeyError) as exc:
        application.status = SiteApplication.Status.FAILED
        application.error = str(exc)[:1000]
        application.save(update_fields=["status", "error", "updated_at"])
        logger.warning("site provisioning failed", extra={"application": application_id, "error": str(exc)})
        return application
    with transaction.atomic():
        tenant.owner = application.user
        tenant.save(update_fields=["owner", "updated_at"])
        AgentProfile.objects.filter(user=application.user).update(tenant=tenant)
        application.status = SiteApplication.Status.LIVE
        application.tenant = tenant
        application.save(update_fields=["status", "tenant", "updated_at"])
    return application
