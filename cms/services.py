"""Writes for the CMS app: leads from forms, showing requests and the assistant."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cms.models import Lead

_NAME_KEYS = ("name", "full_name", "your_name")
_EMAIL_KEYS = ("email", "email_address", "your_email")
_PHONE_KEYS = ("phone", "phone_number", "telephone")
_MESSAGE_KEYS = ("message", "comments", "question")


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = data.get(key)
        if value:
            return str(value)
    return ""


@transaction.atomic
def lead_create(
    *,
    source: str,
    name: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    listing_key: str = "",
    user: Any = None,
    data: dict[str, Any] | None = None,
) -> Lead:
    return Lead.objects.create(
        source=source,
        name=name[:150],
        email=email,
        phone=phone[:32],
        message=message,
        listing_key=listing_key[:64],
        user=user if user is not None and user.is_authenticated else None,
        data=data or {},
    )


def lead_create_from_form(*, page: Any, data: dict[str, Any], user: Any = None) -> Lead:
    clean = {key: str(value) for key, value in data.items()}
    return lead_create(
        source=Lead.Source.CONTACT_FORM,
        name=_first(clean, _NAME_KEYS),
        email=_first(clean, _EMAIL_KEYS),
        phone=_first(clean, _PHONE_KEYS),
        message=_first(clean, _MESSAGE_KEYS),
        user=user,
        data={"page_id": page.pk, "fields": clean},
    )


def lead_notify_agent(*, lead_id: int) -> bool:
    """Email the site's agent about a new lead (runs in the site's schema, in a task)."""
    from django.core.mail import send_mail
    from wagtail.models import Site

    from themes.models import SiteBranding

    lead = Lead.objects.filter(pk=lead_id).first()
    site = Site.objects.filter(is_default_site=True).first()
    if lead is None or site is None:
        return False
    branding = SiteBranding.for_site(site)
    if not branding.contact_email:
        return False
    body = f"{lead.get_source_display()} from {lead.name or 'a visitor'} <{lead.email}>\n\n{lead.message}"
    send_mail(f"New lead on {branding.site_name}", body, None, [branding.contact_email])
    return True
