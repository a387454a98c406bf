"""Stripe webhook processing: verify, store by event id, handle once, route to the site.

Stripe has one webhook endpoint per account, so every event lands here whichever site it is
about; the object's metadata (set at Checkout) names the schema to apply it in. The event row
(public schema) and the state change (site schema) commit in one transaction: if a handler
fails, neither is kept and Stripe's retry gets a clean second chance; once committed, any
replay is a 200 that changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import get_tenant_model, schema_context
from psycopg.types.json import Jsonb

from billing import periods
from billing.clients import stripe_event_verify
from billing.mail import billing_mail_on_commit
from billing.models import BillingCustomer, Invoice, Subscription, WebhookEvent
from billing.subscriptions import subscription_apply, subscription_reconcile

logger = logging.getLogger(__name__)
Obj = dict[str, Any]
Handler = Callable[[Obj, dt.datetime], str]


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    event_id: str
    type: str
    outcome: str
    duplicate: bool = False


def _target_schema(event_type: str, obj: Obj) -> str:
    meta = obj.get("metadata") or {}
    if event_type.startswith("invoice."):
        meta = ((obj.get("parent") or {}).get("subscription_details") or {}).get("metadata") or meta
    schema = meta.get("schema") or ""
    if not schema and obj.get("client_reference_id"):
        schema = str(obj["client_reference_id"]).partition(":")[0]
    return schema


def _schema_exists(schema: str) -> bool:
    return schema == settings.PUBLIC_SCHEMA_NAME or get_tenant_model().objects.filter(schema_name=schema).exists()


# -- handlers (run inside the target schema) -----------------------------------------------
def _on_checkout_completed(obj: Obj, as_of: dt.datetime) -> str:
    from django.contrib.auth import get_user_model

    _, _, user_id = str(obj.get("client_reference_id") or "").partition(":")
    user = get_user_model().objects.filter(pk=int(user_id)).first() if user_id.isdigit() else None
    if user is None or not obj.get("customer"):
        return "no_user"
    BillingCustomer.objects.get_or_create(stripe_customer_id=obj["customer"], defaults={"user": user})
    if obj.get("subscription"):
        Subscription.objects.filter(stripe_subscription_id=obj["subscription"], user=None).update(user=user)
    return "linked"


def _on_subscription(obj: Obj, as_of: dt.datetime) -> str:
    return subscription_apply(data=obj, as_of=as_of)[1]


def _on_trial_will_end(obj: Obj, as_of: dt.datetime) -> str:
    sub, outcome = subscription_apply(data=obj, as_of=as_of)
    if sub is not None and sub.user is not None and sub.user.email:
        billing_mail_on_commit(
            to=sub.user.email,
            subject="Your trial ends in 3 days",
            text="Your trial ends soon; your plan continues automatically unless you cancel from the billing page.",
        )
    return outcome


def _invoice_subscription_id(obj: Obj) -> str | None:
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    # ``subscription`` at the top level is the pre-2025 (basil) shape, still sent by old API versions.
    sub_id = details.get("subscription") or obj.get("subscription")
    return sub_id if isinstance(sub_id, str) and sub_id else None


def _invoice_apply(obj: Obj, as_of: dt.datetime, sub: Subscription | None) -> None:
    row = Invoice.objects.select_for_update().filter(stripe_invoice_id=obj["id"]).first()
    if row is not None and as_of < row.state_as_of:
        return
    lines = (obj.get("lines") or {}).get("data") or []
    fields = {
        "subscription": sub,
        "stripe_customer_id": obj.get("customer") or "",
        "number": obj.get("number") or "",
        "status": obj.get("status") or "",
        "amount_due": max(obj.get("amount_due") or 0, 0),
        "amount_paid": max(obj.get("amount_paid") or 0, 0),
        "currency": obj.get("currency") or "usd",
        "hosted_invoice_url": obj.get("hosted_invoice_url") or "",
        # A subscription invoice's own period_start/end describe the *previous* period;
        # its line items carry the period being paid for.
        "period_start": periods.from_timestamp(min((ln["period"]["start"] for ln in lines), default=None)),
        "period_end": periods.from_timestamp(max((ln["period"]["end"] for ln in lines), default=None)),
        "created": periods.from_timestamp(obj.get("created")) or as_of,
        "state_as_of": as_of,
    }
    Invoice.objects.update_or_create(stripe_invoice_id=obj["id"], defaults=fields)


_STATE = ("status", "current_period_start", "current_period_end", "cancel_at_period_end")


def _on_invoice(obj: Obj, as_of: dt.datetime) -> str:
    """``invoice.paid`` / ``invoice.payment_failed``: store the invoice and bring its
    subscription up to date from Stripe itself. The subscription events around a payment come
    in the same second and in any order (Checkout's incomplete-then-active pair, a renewal's
    update, a retry that pays): the subscription object read now settles whatever they left."""
    sub_id = _invoice_subscription_id(obj)
    if sub_id is None:
        _invoice_apply(obj, as_of, None)
        return "invoice_stored"
    before = Subscription.objects.filter(stripe_subscription_id=sub_id).values_list(*_STATE).first()
    sub, _ = subscription_reconcile(subscription_id=sub_id)
    if sub is None:  # Stripe does not know it (or its plan): keep what we have
        sub = Subscription.objects.filter(stripe_subscription_id=sub_id).first()
    _invoice_apply(obj, as_of, sub)
    after = Subscription.objects.filter(stripe_subscription_id=sub_id).values_list(*_STATE).first()
    return "applied" if after != before else "invoice_stored"


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _on_checkout_completed,
    "customer.subscription.created": _on_subscription,
    "customer.subscription.updated": _on_subscription,
    "customer.subscription.deleted": _on_subscription,
    "customer.subscription.trial_will_end": _on_trial_will_end,
    "invoice.paid": _on_invoice,
    "invoice.payment_failed": _on_invoice,
}


# Payments other apps start (rentals' bookings) carry ``metadata.purpose``; their events come to
# this one endpoint (Stripe has one per account) and are handed to the handler the app
# registered for (purpose, event type), from its ``AppConfig.ready``. Billing imports no app.
PURPOSE_HANDLERS: dict[tuple[str, str], Handler] = {}


def webhook_handler_register(*, purpose: str, event_type: str, handler: Handler) -> None:
    PURPOSE_HANDLERS[(purpose, event_type)] = handler


def _handler_for(event_type: str, obj: Obj) -> Handler | None:
    purpose = (obj.get("metadata") or {}).get("purpose")
    if purpose:
        # An object made for another app is never handled as a subscription's.
        return PURPOSE_HANDLERS.get((purpose, event_type))
    return HANDLERS.get(event_type)


_INSERT_SQL = """
INSERT INTO {table} (event_id, type, created, target_schema, outcome, payload, received_at)
VALUES (%s, %s, %s, %s, '', %s, now())
ON CONFLICT (event_id) DO NOTHING
RETURNING id
"""


def _event_insert(*, event: Obj, as_of: dt.datetime, schema: str) -> int | None:
    """Store the event unless its id is known; ``None`` means a replay. One statement: a
    concurrent duplicate waits on the unique index until the first commits, then gets
    nothing back."""
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_SQL.format(table=WebhookEvent._meta.db_table),
            [event["id"], event["type"], as_of, schema, cast(Any, Jsonb(event))],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def webhook_event_process(*, payload: bytes, signature: str) -> WebhookOutcome:
    """Raises ``ValueError`` / ``stripe.SignatureVerificationError`` for a forged or
    malformed delivery (the view answers 400); any other exception means "retry later"."""
    stripe_event_verify(payload=payload, signature=signature)
    # The verified payload, as plain JSON: cheaper than StripeObjects and what we store.
    event = json.loads(payload)
    event_type, obj = event["type"], event["data"]["object"]
    as_of = periods.from_timestamp(event["created"])
    assert as_of is not None
    schema = _target_schema(event_type, obj)
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        stored_id = _event_insert(event=event, as_of=as_of, schema=schema)
        if stored_id is None:
            return WebhookOutcome(event["id"], event_type, "duplicate", duplicate=True)
        handler = _handler_for(event_type, obj)
        if handler is None:
            outcome = "ignored"
        elif not schema or not _schema_exists(schema):
            logger.warning("stripe event %s names no known site (%r)", event["id"], schema)
            outcome = "unroutable"
        else:
            with schema_context(schema):
                outcome = handler(obj, as_of)
        WebhookEvent.objects.filter(pk=stored_id).update(outcome=outcome)
    logger.info("stripe event %s %s → %s (%s)", event["id"], event_type, outcome, schema)
    return WebhookOutcome(event["id"], event_type, outcome)
