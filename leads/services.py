"""Writes for leads: every way a visitor reaches out goes through ``lead_create``, which also
queues the agent's notice once the lead is committed."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from leads.models import Lead

log = logging.getLogger(__name__)

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


def _queue_notice(lead_id: int) -> None:
    from core.tenancy import current_schema
    from leads.tasks import lead_notify

    schema = current_schema()

    def send() -> None:
        try:
            lead_notify.delay(schema_name=schema, lead_id=lead_id)
        except Exception:  # the broker being down must not turn a saved lead into an error page
            log.exception("lead notice for lead %s in %s not queued", lead_id, schema)

    transaction.on_commit(send)


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
    notify: bool = True,
) -> Lead:
    lead = Lead.objects.create(
        source=source,
        name=name[:150],
        email=email.strip()[:254],
        phone=phone[:32],
        message=message,
        listing_key=listing_key[:64],
        user=user if user is not None and user.is_authenticated else None,
        data=data or {},
    )
    if notify:
        _queue_notice(lead.pk)
    return lead


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
