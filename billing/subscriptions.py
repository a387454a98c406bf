"""Subscription state, written only from Stripe's word: a verified webhook's subscription
object (``billing.webhooks``), a direct API read of it (``subscription_reconcile``) or the
Checkout session read back on the success page. Events may arrive late, twice or out of order:
``subscription_apply`` keeps the newest state only.

A network plan's change is announced (``billing.signals``): an agent's sites follow the Agent
plan in ``tenants.site_plans``, so billing imports no other app."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing import periods
from billing.clients import stripe_client
from billing.mail import billing_mail_on_commit
from billing.models import BillingCustomer, Subscription
from billing.plans import AGENT, NON_CONSUMER_KEYS, PLANS, Plan, plan_for_lookup_key, plan_get
from billing.services import BillingUnavailable, stripe_call
from billing.signals import agent_plan_changed, network_plan_changed
from core.tenancy import current_schema

logger = logging.getLogger(__name__)


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
        obj = stripe_call("subscription retrieve", stripe_client().v1.subscriptions.retrieve, subscription_id)
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


def checkout_session_sync(*, user: Any, session_id: str) -> Subscription | None:
    """On the success page, read the session back so the new plan shows at once even if the
    webhook is still on its way. Only the user the session was made for may sync it."""
    session = stripe_call(
        "checkout retrieve",
        stripe_client().v1.checkout.sessions.retrieve,
        session_id,
        params={"expand": ["subscription"]},
    )
    if session.client_reference_id != f"{current_schema()}:{user.pk}" or not session.subscription:
        return None
    with transaction.atomic():
        sub, _ = subscription_apply(data=session.subscription.to_dict(for_json=True), as_of=_read_stamp())
    return sub
