"""Seeding a freshly cloned site schema: its pages and Wagtail Site (``cms.seeding``), its
branding, its owner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from wagtail.models import Site

from accounts.models import Role
from accounts.services import user_create
from cms.seeding import site_pages_seed, wagtail_site_set
from themes.models import SiteBranding

if TYPE_CHECKING:
    from tenants.services import SiteBrandingInput, SiteOwnerInput


@dataclass
class SiteContent:
    hostname: str
    branding: SiteBrandingInput
    owner: SiteOwnerInput | None


def _branding(*, site: Site, branding: SiteBrandingInput) -> None:
    setting = SiteBranding.for_site(site)
    for field_name, value in vars(branding).items():
        setattr(setting, field_name, value)
    setting.full_clean()
    setting.save()


def site_owner_create(*, owner: SiteOwnerInput) -> None:
    """The site's owner in the current schema: an agent, staff and superuser of this schema
    only (auth is per site), in the Editors group."""
    user = user_create(
        email=owner.email,
        password=owner.password,
        role=Role.AGENT,
        full_name=owner.full_name,
        license_number=owner.license_number or "pending",
        brokerage=owner.brokerage or "pending",
        is_staff=True,
        is_superuser=True,  # superuser of this site's schema only: auth is per site
        email_verified=True,
    )
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        user.groups.add(editors)


def site_content_seed(*, content: SiteContent) -> Site:
    """Seed the current schema. On a schema cloned from a seeded template most of the work
    is already done: only names, hostname, branding and the owner change."""
    branding = content.branding
    home = site_pages_seed(site_name=branding.site_name, tagline=branding.tagline, agent_name=branding.agent_name)
    site = wagtail_site_set(hostname=content.hostname, home=home, site_name=branding.site_name)
    _branding(site=site, branding=content.branding)
    if content.owner is not None:
        site_owner_create(owner=content.owner)
    return site
