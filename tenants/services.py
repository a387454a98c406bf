"""Creating the public tenant, the template schema and agent sites (provisioning)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from cms.seeding import template_pages_top_up
from core.mls_sources import source_ids
from tenants.models import Domain, Tenant
from tenants.site_setup import SiteContent, site_content_seed

logger = logging.getLogger(__name__)


@dataclass
class SiteBrandingInput:
    site_name: str
    primary_color: str = "#1d4ed8"
    accent_color: str = "#f59e0b"
    logo_text: str = ""
    tagline: str = ""
    font: str = "inter"
    agent_name: str = ""
    license_number: str = ""
    brokerage: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    preset: str = "classic"


@dataclass
class SiteOwnerInput:
    email: str
    password: str | None
    full_name: str = ""
    license_number: str = ""
    brokerage: str = ""


@dataclass
class SiteInput:
    name: str
    subdomain: str
    branding: SiteBrandingInput
    owner: SiteOwnerInput | None = None
    mls_sources: list[str] = field(default_factory=source_ids)
    featured_subdivisions: list[str] = field(default_factory=list)
    owner_user: Any = None  # the network account that owns the site (public schema)


def site_domain(*, subdomain: str) -> str:
    return f"{subdomain}.{settings.PLATFORM_BASE_DOMAIN}"


@transaction.atomic
def tenant_public_ensure() -> Tenant:
    """The public schema's tenant row, the flagship's domains and its Wagtail site (idempotent)."""
    from tenants.flagship import flagship_site_ensure

    tenant, _ = Tenant.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={
            "name": settings.FLAGSHIP_NAME,
            "slug": "flagship",
            "kind": Tenant.Kind.PUBLIC,
            "plan_status": Tenant.PlanStatus.ACTIVE,
        },
    )
    for index, host in enumerate(dict.fromkeys([settings.FLAGSHIP_DOMAIN, "localhost"])):
        Domain.objects.get_or_create(domain=host, defaults={"tenant": tenant, "is_primary": index == 0})
    flagship_site_ensure()
    return tenant


def tenant_template_ensure() -> Tenant:
    """The migrated template schema new sites are cloned from. Kept as a Tenant row (without a
    domain) so ``migrate_schemas`` keeps it up to date with every new migration."""
    existing = Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
    if existing is not None and schema_exists(existing.schema_name):
        _template_seed_top_up(template=existing)
        return existing
    template = existing or Tenant(
        schema_name=settings.TENANT_BASE_SCHEMA,
        name="Site template",
        slug="site-template",
        kind=Tenant.Kind.TEMPLATE,
        is_active=False,
    )
    # The base schema does not exist yet, so django-tenants falls back to running migrations.
    template.save(verbosity=0)
    # Seed placeholder pages once here, so each cloned site only renames them.
    with schema_context(template.schema_name):
        site_content_seed(
            content=SiteContent(
                hostname="template.invalid", branding=SiteBrandingInput(site_name="Site template"), owner=None
            )
        )
    return template


def _template_seed_top_up(*, template: Tenant) -> None:
    """Pages added to the seed after the template was made (e.g. the Communities index), so
    new clones have them without re-creating the template."""
    with schema_context(template.schema_name):
        template_pages_top_up()


def tenant_create(*, site: SiteInput, images: Any = None, progress: Any = None, verify: bool = False) -> Tenant:
    """Provision a site (``tenants.provisioning``): clone the template schema, add its domain,
    set its Wagtail Site hostname, seed its pages and branding, create its owner. All or nothing:
    a failure at any step leaves no schema, row, domain or media folder behind. Raises
    ``ValidationError`` for a bad or taken address, ``ProvisioningError`` for any other failure."""
    from tenants.provisioning import ProvisioningError, site_provision_run

    started = time.perf_counter()
    try:
        tenant = site_provision_run(site=site, images=images, progress=progress, verify=verify)
    except ProvisioningError as exc:
        cause = exc.__cause__
        if exc.step == "check" and isinstance(cause, ValidationError):
            raise cause from None
        raise
    logger.info("site created", extra={"site": tenant.slug, "seconds": round(time.perf_counter() - started, 3)})
    return tenant


@transaction.atomic
def tenant_set_active(*, tenant: Tenant, active: bool, plan_status: str | None = None) -> Tenant:
    tenant.is_active = active
    if plan_status:
        tenant.plan_status = plan_status
    tenant.save(update_fields=["is_active", "plan_status", "updated_at"])
    return tenant


def site_trials_expire(*, now: datetime | None = None) -> int:
    """Sites launched from the wizard start on a trial; once it is over, a site stays online
    only if its owner pays for the Agent plan (billing decides, as for any agent site)."""
    from tenants.site_plans import agent_sites_sync

    cutoff = (now or timezone.now()) - timedelta(days=settings.SITE_TRIAL_DAYS)
    expired = Tenant.objects.filter(
        kind=Tenant.Kind.AGENT_SITE, plan_status=Tenant.PlanStatus.TRIAL, created_at__lt=cutoff, owner__isnull=False
    ).select_related("owner")
    owners = {tenant.owner for tenant in expired if tenant.owner is not None}
    return sum(agent_sites_sync(user=owner, now=now) for owner in owners)
