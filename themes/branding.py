"""The branding a page renders with: the site's SiteBranding, or the flagship's defaults."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class Branding:
    site_name: str
    tagline: str
    logo_url: str
    logo_text: str
    primary_color: str
    accent_color: str
    font: str
    contact_email: str
    contact_phone: str
    agent_name: str
    license_number: str
    brokerage: str
    is_flagship: bool


FLAGSHIP = Branding(
    site_name=settings.FLAGSHIP_NAME,
    tagline="Desert living, found faster.",
    logo_url="",
    logo_text="JPS",
    primary_color="#0f766e",
    accent_color="#ea580c",
    font="inter",
    contact_email="hello@jpsrealtor.com",
    contact_phone="(760) 555-0100",
    agent_name="Joseph Sardella",
    license_number="DRE #02106916",
    brokerage="eXp Realty of Southern California",
    is_flagship=True,
)


def branding_for_request(request: HttpRequest) -> Branding:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return FLAGSHIP
    from themes.models import SiteBranding  # tenant-only model

    setting = SiteBranding.for_request(request)
    logo_url = setting.logo.get_rendition("height-80").url if setting.logo_id else ""
    return Branding(
        site_name=setting.site_name,
        tagline=setting.tagline,
        logo_url=logo_url,
        logo_text=setting.logo_text or setting.site_name[:2].upper(),
        primary_color=setting.primary_color,
        accent_color=setting.accent_color,
        font=setting.font,
        contact_email=setting.contact_email,
        contact_phone=setting.contact_phone,
        agent_name=setting.agent_name,
        license_number=setting.license_number,
        brokerage=setting.brokerage,
        is_flagship=False,
    )
