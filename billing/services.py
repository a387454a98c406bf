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

from billing import periods
from billing.clients import stripe_client
from billing.mail import billing_mail_on_commit
from billing.models import BillingCustomer, Subscription, UsageCounter
from billing.plans import (
    AGENT,
    METERED_FEATURES,
    NON_CONSUMER_KEYS,
    PLANS,
    Audience,
    Feature,
    Plan,
    plan_for_lookup_key,
    plan_get,
)
from billing.selectors import (
    Entitlement,
    address_key,
    address_limit,
    agent_context,
    billing_context_get,
    entitlement_from,
    subject_key,
    subscription_current,
)
from billing.signals import agent_plan_changed, network_plan_changed

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


def _stripe_call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
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
    customer = _stripe_call(
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
    found = _stripe_call(
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
    session = _stripe_call(
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
    configuration = _stripe_call("portal configuration", portal_configuration_for, client=client, audience=audience)
    if configuration:
        params["configuration"] = configuration
    session = _stripe_call("portal create", client.v1.billing_portal.sessions.create, params=params)
    return session.url


def checkout_session_sync(*, user: Any, session_id: str) -> Subscription | None:
    """On the success page, read the session back so the new plan shows at once even if the
    webhook is still on its way. Only the user the session was made for may sync it."""
    session = _stripe_call(
        "checkout retrieve",
        stripe_client().v1.checkout.sessions.retrieve,
        session_id,
        params={"expand": ["subscription"]},
    )
    if session.client_reference_id != f"{_schema()}:{user.pk}" or not session.subscription:
        return None
    with transaction.atomic():
        sub, _ = subscription_apply(data=session.subscription.to_dict(for_json=True), as_of=_read_stamp())
    return sub


# -- subscription state --------------------------------------------------------------------
def _user_for(data: dict[str, Any]) -> Any:
    from django.contrib.auth import get_user_model

    user_id = (data.get("metadata") or {}).get("user_id")
    if user_id and str(user_id).isdigit():
        user = get_user_model().objects.filter(pk=int(user_id)).first()
        if user:
            return user
    customer = BillingCustomer.objects.filter(stripe_customer_id=data.get("customer")).first()
    return customer.user if customer else None


def _plan_of(data: dict[str, Any]) -> Plan | None:
    for item in (data.get("items") or {}).get("data", []):
        plan = plan_for_lookup_key(lookup_key=(item.get("price") or {}).get("lookup_key") or "")
        if plan:
            return plan
    return PLANS.get((data.get("metadata") or {}).get("plan") or "")


# Where a subscription stands in its life, for ordering two snapshots stamped with the same
# second (Checkout's ``created`` and ``updated`` pair is one such): a later stage wins a tie.
_STAGE = {"incomplete": 0, "trialing": 1, "incomplete_expired": 3, "canceled": 3}  # others: 2
_TERMINAL = (Subscription.Status.CANCELED, Subscription.Status.INCOMPLETE_EXPIRED)


def _period_start(data: dict[str, Any]) -> int:
    items = (data.get("items") or {}).get("data") or [{}]
    return min(int(i.get("current_period_start") or 0) for i in items)


def _is_stale(*, existing: Subscription, data: dict[str, Any], as_of: dt.datetime) -> bool:
    """Whether ``data`` (a snapshot stamped ``as_of``) is older than what is stored."""
    status = data["status"]
    if existing.status in _TERMINAL and status != existing.status:
        return True  # canceled and incomplete_expired are final in Stripe
    if status == Subscription.Status.INCOMPLETE and existing.status != Subscription.Status.INCOMPLETE:
        return True  # incomplete is only ever a subscription's first state
    if as_of != existing.state_as_of:
        return as_of < existing.state_as_of
    # Same second: Stripe stamps events to the second, so order by the subscription's own
    # progress (its period, then its stage); an equal one is a replay or a sibling, applied.
    stored_start = int(existing.current_period_start.timestamp()) if existing.current_period_start else 0
    incoming = (_period_start(data), _STAGE.get(status, 2))
    return incoming < (stored_start, _STAGE.get(existing.status, 2))


def subscription_apply(*, data: dict[str, Any], as_of: dt.datetime) -> tuple[Subscription | None, str]:
    """Store a Stripe subscription object unless we already hold a newer one.

    Events arrive late, twice, or out of order: ``as_of`` (the event's ``created``, or the
    second of an API read) is compared with the stored snapshot's, ties are ordered by the
    subscription's own state (``_is_stale``), and ``canceled`` is terminal, as in Stripe."""
    existing = Subscription.objects.select_for_update().filter(stripe_subscription_id=data["id"]).first()
    if existing is not None and _is_stale(existing=existing, data=data, as_of=as_of):
        return existing, "stale"
    plan = _plan_of(data)
    if plan is None:
        logger.warning("subscription %s has no known plan; ignored", data["id"])
        return existing, "unknown_plan"
    items = (data.get("items") or {}).get("data") or [{}]
    status = data["status"]
    was_past_due = existing is not None and existing.status == Subscription.Status.PAST_DUE
    fields = {
        "stripe_customer_id": data.get("customer") or "",
        "plan_key": plan.key,
        "status": status,
        "current_period_start": periods.from_timestamp(min(i.get("current_period_start") or 0 for i in items)),
        "current_period_end": periods.from_timestamp(max(i.get("current_period_end") or 0 for i in items)),
        "cancel_at_period_end": bool(data.get("cancel_at_period_end")),
        "canceled_at": periods.from_timestamp(data.get("canceled_at")),
        "ended_at": periods.from_timestamp(data.get("ended_at")),
        "past_due_since": ((existing.past_due_since if was_past_due and existing else None) or as_of)
        if status == Subscription.Status.PAST_DUE
        else None,
        "state_as_of": as_of,
    }
    if existing is None:
        sub = Subscription.objects.create(stripe_subscription_id=data["id"], user=_user_for(data), **fields)
    else:
        for name, value in fields.items():
            setattr(existing, name, value)
        if existing.user_id is None:
            existing.user = _user_for(data)
        existing.save()
        sub = existing
    if status == Subscription.Status.PAST_DUE and not was_past_due:
        _notify_payment_failed(sub=sub)
    _after_change(sub=sub)
    return sub, "applied"


def _read_stamp() -> dt.datetime:
    """``as_of`` of a state read from the API: this second, as Stripe stamps its events, so an
    event from the same second is ordered by state rather than ignored as older."""
    return timezone.now().replace(microsecond=0)


def subscription_reconcile(*, subscription_id: str) -> tuple[Subscription | None, str]:
    """Read the subscription from Stripe and store it: what an invoice event relies on, since
    the subscription events around it may come late or in either order.

    Raises ``BillingUnavailable`` when Stripe cannot answer (the webhook asks for a retry); a
    subscription Stripe does not know is logged and left alone."""
    try:
        obj = _stripe_call("subscription retrieve", stripe_client().v1.subscriptions.retrieve, subscription_id)
    except BillingUnavailable as exc:
        if isinstance(exc.__cause__, stripe.InvalidRequestError):  # a 4xx: retrying won't help
            return None, "not_found"
        raise
    return subscription_apply(data=obj.to_dict(for_json=True), as_of=_read_stamp())


def _notify_payment_failed(*, sub: Subscription) -> None:
    user = sub.user
    if user is None or not user.email:
        return
    days = int(getattr(settings, "BILLING_GRACE_PERIOD_DAYS", 7))
    plan = plan_get(key=sub.plan_key)
    billing_mail_on_commit(
        to=user.email,
        subject=f"Your {plan.name} payment didn't go through",
        text=(
            f"We couldn't charge your card for the {plan.name} plan. Please update your "
            f"payment method within {days} days to keep your plan; after that your "
            "account moves to the Free plan (nothing you saved is deleted)."
        ),
    )


def _after_change(*, sub: Subscription) -> None:
    """A network plan's change is announced: an agent's sites follow the Agent plan
    (``tenants.site_plans``), a provider's listing its Provider plan."""
    if sub.plan_key != AGENT.key and sub.plan_key in NON_CONSUMER_KEYS and sub.user is not None:
        network_plan_changed.send(sender=Subscription, user=sub.user, subscription=sub)
    if sub.plan_key == AGENT.key and sub.user is not None:
        agent_plan_changed.send(sender=Subscription, user=sub.user, subscription=sub)


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
    with transaction.atomic():
        used = _counter_add(subject=subject, user=user, feature=feature, ctx=ctx, amount=amount, limit=limit)
        if used is not None and address is not None:
            shared = address_limit(limit)  # type: ignore[arg-type]  # limit is set when address is
            if _counter_add(subject=address, user=user, feature=feature, ctx=ctx, amount=amount, limit=shared) is None:
                transaction.set_rollback(True)  # the address has used it up: the visitor's unit goes back
                used = None
    if used is None:
        return entitlement_from(ctx=ctx, feature=feature, used=limit or 0)
    # Allowed: the upsert succeeded. Report what is left *after* this use.
    ent = entitlement_from(ctx=ctx, feature=feature, used=used)
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
