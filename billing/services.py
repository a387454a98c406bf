"""Writes: customers, Checkout and Portal sessions, subscription state, usage.

Stripe is the only source of truth for who has paid: nothing here grants a plan except a
Stripe subscription object (from a verified webhook or a direct API read)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from billing.clients import stripe_client
from billing.models import BillingCustomer, UsageCounter
from billing.plans import (
    METERED_FEATURES,
    Audience,
    Feature,
    Plan,
    plan_get,
)
from billing.selectors import (
    Entitlement,
    address_bounded,
    address_key,
    address_limit,
    agent_context,
    billing_context_get,
    entitlement_from,
    subject_key,
    subscription_current,
)

logger = logging.getLogger(__name__)


class BillingError(Exception):
    """Base for errors a view turns into a friendly message."""


class BillingUnavailable(BillingError):
    """Stripe failed or timed out; nothing was charged."""


class AlreadySubscribed(BillingError):
    """The user already has a live plan: changes go through the Customer Portal (proration)."""


class NoBillingAccount(BillingError):
    pass


class PlanNotAvailable(BillingError):
    pass


def _schema() -> str:
    return connection.schema_name  # type: ignore[attr-defined]  # django-tenants' wrapper


def stripe_call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, a Stripe failure turned into ``BillingUnavailable`` (logged)."""
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as exc:
        # Logged with Stripe's request id so support can find it in Stripe's dashboard.
        logger.warning("stripe %s failed: %s (request %s)", what, exc.user_message, getattr(exc, "request_id", None))
        raise BillingUnavailable(
            "We couldn't reach our payment provider, so nothing was charged. Please try again in a minute."
        ) from exc


# -- customers, checkout, portal ----------------------------------------------------------
def billing_customer_get_or_create(*, user: Any) -> BillingCustomer:
    existing = BillingCustomer.objects.filter(user=user).first()
    if existing:
        return existing
    schema = _schema()
    customer = stripe_call(
        "customer create",
        stripe_client().v1.customers.create,
        params={
            "email": user.email,
            "name": user.get_full_name(),
            "metadata": {"schema": schema, "user_id": str(user.pk)},
        },
        # One customer per user per site, even if two requests race or one is retried.
        options={"idempotency_key": f"customer-{schema}-{user.pk}"},
    )
    obj, _ = BillingCustomer.objects.get_or_create(stripe_customer_id=customer.id, defaults={"user": user})
    return obj


def price_id_for(*, plan: Plan) -> str:
    found = stripe_call(
        "price lookup",
        stripe_client().v1.prices.list,
        params={"lookup_keys": [plan.lookup_key], "active": True, "limit": 1},
    )
    if not found.data:
        raise PlanNotAvailable(f"The {plan.name} plan is not set up in Stripe yet (run manage.py billing_sync_plans).")
    return found.data[0].id


def checkout_session_create(
    *,
    user: Any,
    plan_key: str,
    attempt_id: str,
    success_url: str,
    cancel_url: str,
    trial_days: int = 0,
    metadata: dict[str, str] | None = None,
) -> str:
    """Start Checkout for a paid plan; returns the hosted Checkout URL.

    ``attempt_id`` comes from the pricing form, so a double click or a browser retry reuses
    the same session instead of opening a second one (Stripe keeps idempotency keys 24 h).
    ``trial_days`` starts the subscription with a free trial; the card is still taken.
    ``metadata`` adds keys of the caller's (an onboarding application's id) to the session's
    and the subscription's."""
    plan = plan_get(key=plan_key)
    schema = _schema()
    if plan.is_free:
        raise PlanNotAvailable("The Free plan needs no checkout.")
    if not plan.on_sale:
        raise PlanNotAvailable(f"The {plan.name} plan is not offered yet.")
    if plan.audience != Audience.CONSUMER and schema != settings.PUBLIC_SCHEMA_NAME:
        # The agent plan pays for a site on the network, the provider plan for a network
        # profile: both are sold on the network only.
        raise PlanNotAvailable(f"The {plan.name} plan can't be bought on this site.")
    if subscription_current(user=user, audience=plan.audience) is not None:
        raise AlreadySubscribed("You already have a plan: change it from the billing portal.")
    customer = billing_customer_get_or_create(user=user)
    metadata = {**(metadata or {}), "schema": schema, "user_id": str(user.pk), "plan": plan.key}
    subscription_data: dict[str, Any] = {"metadata": metadata}
    if trial_days:
        subscription_data["trial_period_days"] = trial_days
    session = stripe_call(
        "checkout create",
        stripe_client().v1.checkout.sessions.create,
        params={
            "mode": "subscription",
            "customer": customer.stripe_customer_id,
            "client_reference_id": f"{schema}:{user.pk}",
            "line_items": [{"price": price_id_for(plan=plan), "quantity": 1}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": metadata,
            # Copied onto the subscription, so every later subscription and invoice event
            # says which site and user it belongs to.
            "subscription_data": subscription_data,
            "payment_method_collection": "always",
        },
        options={"idempotency_key": f"checkout-{schema}-{user.pk}-{plan.key}-{attempt_id}"[:255]},
    )
    return session.url


def portal_session_create(*, user: Any, return_url: str, audience: Audience = Audience.CONSUMER) -> str:
    from billing.catalog import portal_configuration_for

    customer = BillingCustomer.objects.filter(user=user).first()
    if customer is None:
        raise NoBillingAccount("You have no paid plan yet.")
    client = stripe_client()
    params: dict[str, Any] = {"customer": customer.stripe_customer_id, "return_url": return_url}
    # The configuration decides which plans the portal offers (billing_sync_plans makes one
    # per audience); without one Stripe uses the account's default.
    configuration = stripe_call("portal configuration", portal_configuration_for, client=client, audience=audience)
    if configuration:
        params["configuration"] = configuration
    session = stripe_call("portal create", client.v1.billing_portal.sessions.create, params=params)
    return session.url


# -- usage ----------------------------------------------------------------------------------
_CONSUME_SQL = """
INSERT INTO {table} (subject, user_id, metric, period_start, period_end, used, updated_at)
VALUES (%(subject)s, %(user_id)s, %(metric)s, %(start)s, %(end)s, %(amount)s, now())
ON CONFLICT (subject, metric, period_start) DO UPDATE
   SET used = {table}.used + EXCLUDED.used, updated_at = now()
 WHERE %(limit)s::integer IS NULL OR {table}.used + EXCLUDED.used <= %(limit)s::integer
RETURNING used
"""


def _counter_add(*, subject: str, user: Any, feature: Feature, ctx: Any, amount: int, limit: int | None) -> int | None:
    """Add ``amount`` to this period's counter while it stays within ``limit``; the new total,
    or None when it would not."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CONSUME_SQL.format(table=UsageCounter._meta.db_table),
            {
                "subject": subject,
                "user_id": user.pk if subject.startswith("u:") else None,
                "metric": feature.value,
                "start": ctx.period_start,
                "end": ctx.period_end,
                "amount": amount,
                "limit": limit,
            },
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def usage_consume(
    *,
    user: Any,
    feature: Feature | str,
    amount: int = 1,
    visitor_id: str | None = None,
    client_address: str | None = None,
    now: dt.datetime | None = None,
) -> Entitlement:
    """Spend ``amount`` of a metered feature if the plan allows it, atomically.

    One statement: insert this period's counter or add to it, *only while it stays within
    the limit*. PostgreSQL locks the row for the upsert and re-checks the condition against
    the committed value, so 50 concurrent requests at the limit never overshoot. A visitor
    without an account spends from their client address's counter too (``address_key``:
    a fresh anonymous id is not a fresh allowance); both or neither."""
    feature = Feature(feature)
    if feature not in METERED_FEATURES:
        raise ValueError(f"{feature} is not metered")
    ctx = agent_context(user=user, feature=feature, now=now) or billing_context_get(user=user, now=now)
    limit = ctx.plan.limit(feature)
    subject = subject_key(user=user, visitor_id=visitor_id)
    if subject is None or (limit is not None and amount > limit):
        return entitlement_from(ctx=ctx, feature=feature, used=limit or 0)
    address = address_key(user=user, client_address=client_address) if limit is not None else None
    address_used = None
    with transaction.atomic():
        used = _counter_add(subject=subject, user=user, feature=feature, ctx=ctx, amount=amount, limit=limit)
        if used is not None and address is not None:
            shared = address_limit(limit)  # type: ignore[arg-type]  # limit is set when address is
            address_used = _counter_add(
                subject=address, user=user, feature=feature, ctx=ctx, amount=amount, limit=shared
            )
            if address_used is None:
                transaction.set_rollback(True)  # the address has used it up: the visitor's unit goes back
                used = None
    if used is None:
        return entitlement_from(ctx=ctx, feature=feature, used=limit or 0)
    # Allowed: the upsert succeeded. Report what is left *after* this use, as
    # ``entitlement_check`` would read it now (no more than the address has left).
    ent = entitlement_from(ctx=ctx, feature=feature, used=used)
    if address_used is not None:
        ent = address_bounded(ent, address_used=address_used)
    return dataclasses.replace(ent, allowed=True, upgrade=False)


def usage_release(
    *,
    user: Any,
    feature: Feature | str,
    amount: int = 1,
    visitor_id: str | None = None,
    client_address: str | None = None,
) -> None:
    """Give back units when the work they paid for failed (the model errored, the PDF broke)."""
    ctx = billing_context_get(user=user)
    subjects = [subject_key(user=user, visitor_id=visitor_id), address_key(user=user, client_address=client_address)]
    from django.db.models import F
    from django.db.models.functions import Greatest

    UsageCounter.objects.filter(
        subject__in=[s for s in subjects if s], metric=Feature(feature).value, period_start=ctx.period_start
    ).update(used=Greatest(F("used") - amount, 0), updated_at=timezone.now())
