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
    """Email the site's agent about a new lead (runs in the site's schema, in a task), from the
    site itself, with Reply-To the person who asked so the agent can answer in one click."""
    from themes.mail import mail_identity, site_mail

    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        return False
    identity = mail_identity()
    to = identity.branding.contact_email
    if not to:
        return False
    who = lead.name or "a visitor"
    lines = [f"{lead.get_source_display()} from {who}", f"Email: {lead.email or '-'}", f"Phone: {lead.phone or '-'}"]
    if lead.data.get("address"):
        lines.append(f"Home: {lead.data['address']} ({identity.site_url}/listings/{lead.data.get('slug', '')}/)")
    lines += ["", lead.message, "", f"All your leads: {identity.site_url}/cms/snippets/cms/lead/"]
    message = site_mail(
        subject=f"New lead on {identity.branding.site_name}: {lead.get_source_display().lower()} from {who}",
        to=[to],
        text="\n".join(lines),
        identity=identity,
    )
    if lead.email:
        message.reply_to = [lead.email]
    message.send()
    return True
