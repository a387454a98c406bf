"""Webhook endpoint and handlers: signed events from the fake, posted through Django."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from billing.models import BillingCustomer, Invoice, Subscription, WebhookEvent
from billing.selectors import billing_context_get
from billing.tests.conftest import WEBHOOK_SECRET
from billing.tests.fake_helpers import control, pay_checkout
from billing.tests.flows import checkout_url, subscribe
from devtools.stripe.webhooks import sign

pytestmark = pytest.mark.django_db


def test_checkout_completed_links_customer_and_subscription(catalog: None, make_user: Any, webhooks: Any) -> None:
    user = make_user()
    pay_checkout(checkout_url(user=user, plan_key="pro"))
    results = {r["type"]: r["outcome"] for r in webhooks.pump()}
    assert results["checkout.session.completed"] == "linked"
    assert results["customer.subscription.created"] == "applied"  # incomplete, not paid yet
    assert results["invoice.paid"] == "applied"  # read back from Stripe: active
    sub = Subscription.objects.get(user=user)
    assert (sub.plan_key, sub.status) == ("pro", "active")
    assert sub.current_period_end > sub.current_period_start
    assert BillingCustomer.objects.get(user=user).stripe_customer_id == sub.stripe_customer_id
    assert Invoice.objects.get(subscription=sub).amount_paid == 1000
    assert billing_context_get(user=user).plan.key == "pro"


def test_subscription_created_before_checkout_completed(catalog: None, make_user: Any, webhooks: Any) -> None:
    user = make_user()
    pay_checkout(checkout_url(user=user, plan_key="ultimate"))
    pending = webhooks.pending()
    by_type = {d["type"]: d for d in pending}
    # Stripe does not promise order: the subscription can come first; metadata routes it.
    webhooks.post(by_type["customer.subscription.created"])
    assert Subscription.objects.get(user=user).plan_key == "ultimate"
    webhooks.post(by_type["checkout.session.completed"])
    assert Subscription.objects.filter(user=user).count() == 1


def test_replay_three_times_changes_state_once(catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any) -> None:
    user = make_user()
    sub = subscribe(user=user, plan_key="pro", webhooks=webhooks)
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/fail_payment")
    failed = [d for d in webhooks.pending() if d["type"] == "invoice.payment_failed"][0]
    outcomes = [webhooks.post(failed) for _ in range(3)]
    assert [o["duplicate"] for o in outcomes] == [False, True, True]
    assert WebhookEvent.objects.filter(event_id=failed["event_id"]).count() == 1
    sub.refresh_from_db()
    assert sub.status == "past_due"
    assert len([m for m in mail.outbox if "didn't go through" in m.subject]) == 1


def test_resend_from_stripe_is_a_duplicate(catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any) -> None:
    sub = subscribe(user=make_user(), plan_key="pro", webhooks=webhooks)
    event_id = WebhookEvent.objects.filter(type="customer.subscription.created").latest("received_at").event_id
    control(fake_stripe, f"events/{event_id}/resend", times=2)
    assert [r["duplicate"] for r in webhooks.pump()] == [True, True]
    assert Subscription.objects.filter(stripe_subscription_id=sub.stripe_subscription_id).count() == 1


def test_out_of_order_updated_after_deleted_is_ignored(
    catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any
) -> None:
    user = make_user()
    sub = subscribe(user=user, plan_key="pro", webhooks=webhooks)
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/cancel", out_of_order="true")
    outcomes = [(r["type"], r["outcome"]) for r in webhooks.pump()]
    assert outcomes == [("customer.subscription.deleted", "applied"), ("customer.subscription.updated", "stale")]
    sub.refresh_from_db()
    assert sub.status == "canceled" and sub.ended_at is not None
    assert billing_context_get(user=user).plan.key == "free"


def test_older_update_arriving_late_does_not_roll_back(
    catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any
) -> None:
    user = make_user()
    sub = subscribe(user=user, plan_key="pro", webhooks=webhooks)
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/renew")
    renewal = webhooks.pending()
    updated = next(d for d in renewal if d["type"] == "customer.subscription.updated")
    # Deliver the renewal, then a forged-looking-but-valid *older* snapshot of the same
    # subscription (as a slow retry of an earlier event would be).
    for d in renewal:
        webhooks.post(d)
    new_end = Subscription.objects.get(pk=sub.pk).current_period_end
    event = json.loads(updated["payload"])
    event["id"] += "old"
    event["created"] -= 3600
    event["data"]["object"]["items"]["data"][0]["current_period_end"] = int(sub.current_period_end.timestamp())
    payload = json.dumps(event)
    result = webhooks.post(
        {"type": event["type"], "payload": payload, "signature": sign(payload.encode(), secret=WEBHOOK_SECRET)}
    )
    assert result["outcome"] == "stale"
    assert Subscription.objects.get(pk=sub.pk).current_period_end == new_end


def test_bad_signature_is_400_and_stores_nothing(
    network_client: Any, catalog: None, make_user: Any, webhooks: Any
) -> None:
    pay_checkout(checkout_url(user=make_user(), plan_key="pro"))
    delivery = webhooks.pending()[0]
    stale = sign(delivery["payload"].encode(), secret=WEBHOOK_SECRET, timestamp=int(time.time()) - 3600)
    for signature in ("", "t=1,v1=deadbeef", sign(delivery["payload"].encode(), secret="whsec_other"), stale):
        response = network_client.post(
            "/billing/webhook/",
            data=delivery["payload"],
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
        assert response.status_code == 400
        assert response.json()["error"] == "bad_signature"
    assert not WebhookEvent.objects.filter(event_id=delivery["event_id"]).exists()


def test_renewal_moves_period_and_stores_invoice(
    catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any
) -> None:
    sub = subscribe(user=make_user(), plan_key="pro", webhooks=webhooks)
    old_end = sub.current_period_end
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/renew")
    outcomes = {r["type"]: r["outcome"] for r in webhooks.pump()}
    assert outcomes["invoice.paid"] == "invoice_stored"
    sub.refresh_from_db()
    assert sub.current_period_start == old_end and sub.status == "active"
    assert sub.invoices.count() == 2


def test_failed_payment_then_recovery(catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any) -> None:
    user = make_user()
    sub = subscribe(user=user, plan_key="pro", webhooks=webhooks)
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/fail_payment")
    webhooks.pump()
    sub.refresh_from_db()
    assert sub.status == "past_due" and sub.past_due_since is not None
    assert billing_context_get(user=user).plan.key == "pro"  # grace period
    assert [m.to for m in mail.outbox if "didn't go through" in m.subject] == [[user.email]]
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/pay")
    outcomes = {r["type"]: r["outcome"] for r in webhooks.pump()}
    assert outcomes["invoice.paid"] == "applied"
    sub.refresh_from_db()
    assert sub.status == "active" and sub.past_due_since is None


def test_invoice_payment_failed_alone_sets_past_due(
    catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any
) -> None:
    sub = subscribe(user=make_user(), plan_key="pro", webhooks=webhooks)
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/fail_payment")
    failed = next(d for d in webhooks.pending() if d["type"] == "invoice.payment_failed")
    assert webhooks.post(failed)["outcome"] == "applied"
    sub.refresh_from_db()
    assert sub.status == "past_due"


def test_trial_will_end_emails_the_user(catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any) -> None:
    user = make_user()
    sub = subscribe(user=user, plan_key="pro", webhooks=webhooks)
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/trial_will_end")
    assert [r["type"] for r in webhooks.pump()] == ["customer.subscription.trial_will_end"]
    assert any("trial ends" in m.subject for m in mail.outbox)


def test_billing_mail_comes_from_the_subscribers_site(
    catalog: None, sarah_site: Any, webhooks: Any, fake_stripe: Any
) -> None:
    """A subscriber of an agent's site hears about a trial ending and a failed payment from
    that site (its name, Reply-To its agent, its layout), like the rest of its mail; the
    flagship's subscribers from the flagship."""
    from accounts.models import User

    with schema_context(sarah_site.schema_name):
        visitor = User.objects.create_user(email="payer@example.com", password="x-pass-12345")
        pay_checkout(checkout_url(user=visitor, plan_key="pro"))
    webhooks.pump()
    with schema_context(sarah_site.schema_name):
        sub = Subscription.objects.get(user=visitor)
    mail.outbox.clear()
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/trial_will_end")
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/fail_payment")
    webhooks.pump()
    by_subject = {m.subject: m for m in mail.outbox}
    assert set(by_subject) == {"Your trial ends in 3 days", "Your Pro payment didn't go through"}
    for message in by_subject.values():
        assert message.to == ["payer@example.com"]
        assert "Sarah Chen Real Estate" in message.from_email and "ChatRealty" not in message.from_email
        assert message.reply_to == ["sarah@example.com"]
        html = message.alternatives[0][0]
        assert "#9f1239" in html and "Sarah Chen Real Estate" in html


def test_flagship_subscribers_get_billing_mail_from_the_flagship(
    catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any
) -> None:
    sub = subscribe(user=make_user(), plan_key="pro", webhooks=webhooks)
    mail.outbox.clear()
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/trial_will_end")
    webhooks.pump()
    [message] = mail.outbox
    assert "JPS Realtor" in message.from_email and message.alternatives


def test_unhandled_event_types_are_stored_and_acknowledged(
    catalog: None, make_user: Any, webhooks: Any, stripe_settings: Any
) -> None:
    make_user()
    from billing.clients import stripe_client

    stripe_client().v1.customers.create(params={"email": "x@example.com"})
    [result] = webhooks.pump()
    assert (result["type"], result["outcome"]) == ("customer.created", "ignored")


def test_event_for_another_site_is_applied_in_that_sites_schema(catalog: None, sarah_site: Any, webhooks: Any) -> None:
    from accounts.models import User

    with schema_context(sarah_site.schema_name):
        visitor = User.objects.create_user(email="visitor@example.com", password="x-pass-12345")
        pay_checkout(checkout_url(user=visitor, plan_key="investor_1"))
    webhooks.pump()  # delivered to the network host, routed by metadata
    assert not Subscription.objects.filter(plan_key="investor_1").exists()
    with schema_context(sarah_site.schema_name):
        sub = Subscription.objects.get(user=visitor)
        assert sub.plan_key == "investor_1"
        assert billing_context_get(user=visitor).plan.limit("cma_reports") == 10


def test_a_failing_handler_keeps_nothing_so_the_retry_starts_clean(
    catalog: None, make_user: Any, webhooks: Any, network_client: Any
) -> None:
    user = make_user()
    pay_checkout(checkout_url(user=user, plan_key="pro"))
    created = next(d for d in webhooks.pending() if d["type"] == "customer.subscription.created")
    event = json.loads(created["payload"])
    event["data"]["object"]["items"]["data"][0]["current_period_start"] = "not-a-timestamp"
    payload = json.dumps(event)
    with pytest.raises(TypeError):
        network_client.post(
            "/billing/webhook/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(payload.encode(), secret=WEBHOOK_SECRET),
        )
    assert not WebhookEvent.objects.filter(event_id=event["id"]).exists()
    assert not Subscription.objects.filter(user=user).exists()
    # Stripe retries the (correct) event: it is handled as new, not as a duplicate.
    assert webhooks.post(created)["outcome"] == "applied"
