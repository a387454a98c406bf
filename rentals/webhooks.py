"""Stripe events about rental payments, handed over by billing's webhook endpoint (verified,
stored by event id and run once there; see ``billing.webhooks.webhook_handler_register``).
Each handler runs in the public schema inside that endpoint's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from billing.webhooks import webhook_handler_register
from rentals import payments, services
from rentals.models import Booking


def _on_session_paid(obj: dict[str, Any], as_of: dt.datetime) -> str:
    return payments.booking_payment_apply(session=obj)


def _on_session_expired(obj: dict[str, Any], as_of: dt.datetime) -> str:
    booking_id = str((obj.get("metadata") or {}).get("booking_id") or "")
    if not booking_id.isdigit():
        return "no_booking"
    released = services.booking_release(booking_id=int(booking_id), status=Booking.Status.EXPIRED)
    return "released" if released else "not_pending"


def _on_refund(obj: dict[str, Any], as_of: dt.datetime) -> str:
    return payments.refund_event_apply(refund=obj)


def register() -> None:
    for event_type, handler in (
        ("checkout.session.completed", _on_session_paid),
        # Bank debits and the like are paid later than the session completes.
        ("checkout.session.async_payment_succeeded", _on_session_paid),
        ("checkout.session.expired", _on_session_expired),
        ("refund.created", _on_refund),
        ("refund.updated", _on_refund),
    ):
        webhook_handler_register(purpose=services.PURPOSE, event_type=event_type, handler=handler)
