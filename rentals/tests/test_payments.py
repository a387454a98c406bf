"""Paying for a stay through (fake) Stripe Checkout, confirmed by the webhook: replays and
out-of-order deliveries change nothing, a late payment for taken dates is refunded, and
cancellations refund what the policy gives."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail

from billing.models import WebhookEvent
from billing.tests.fake_helpers import control
from rentals.models import Booking, CalendarBlock, Payment, Payout
from rentals.payments import booking_cancel
from rentals.services import booking_checkout_start, booking_hold, holds_release_expired
from rentals.tests.conftest import NEXT_MONDAY

pytestmark = pytest.mark.django_db


def _hold(home: Any, *, start: dt.date = NEXT_MONDAY, nights: int = 3, **extra: Any) -> Booking:
    return booking_hold(
        prop=home,
        check_in=start,
        check_out=start + dt.timedelta(days=nights),
        guests=2,
        guest_name="Dana Guest",
        guest_email=extra.pop("email", "dana@example.com"),
        site_schema=extra.pop("site", "sarah"),
        **extra,
    )


def _checkout(booking: Booking) -> str:
    url = booking_checkout_start(
        booking=booking, success_url="http://x/ok?s={CHECKOUT_SESSION_ID}", cancel_url="http://x/"
    )
    booking.refresh_from_db()
    return url


def _pay(fake: Any, booking: Booking) -> None:
    control(fake, f"checkout/{booking.stripe_session_id}/complete")


def test_paid_checkout_confirms_the_booking_once_and_mails_both_sides_with_an_ics(
    home: Any, fake_stripe: Any, stripe_settings: Any, webhooks: Any
) -> None:
    booking = _hold(home)
    url = _checkout(booking)
    assert url.startswith(fake_stripe.url + "/checkout/")
    session = fake_stripe.store.objects[booking.stripe_session_id]
    # What the guest saw is what Stripe charges, line by line.
    assert [li["amount_total"] for li in session["_line_items"]] == [
        booking.nights_cents,
        booking.cleaning_cents,
        booking.tax_cents,
    ]
    assert session["amount_total"] == booking.total_cents
    _pay(fake_stripe, booking)
    outcomes = {r["type"]: r for r in webhooks.pump()}
    assert outcomes["checkout.session.completed"]["outcome"] == "confirmed"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.block.kind == CalendarBlock.Kind.BOOKING and booking.block.expires_at is None
    assert booking.paid_cents == booking.total_cents
    payout = Payout.objects.get(booking=booking)
    gross = booking.nights_cents + booking.cleaning_cents
    assert (payout.gross_cents, payout.fee_cents, payout.amount_cents) == (
        gross,
        round(gross * 0.03),
        gross - round(gross * 0.03),
    )
    to = {m.to[0]: m for m in mail.outbox}
    assert set(to) == {"dana@example.com", home.host.email}
    for message in to.values():
        name, content, mimetype = message.attachments[0]
        assert mimetype.startswith("text/calendar")
        assert f"DTSTART;VALUE=DATE:{booking.check_in:%Y%m%d}" in (
            content if isinstance(content, str) else content.decode()
        )
    assert "sarah.localhost" in to["dana@example.com"].body  # the site the guest booked on

    # Stripe delivers the same event again: a 200 that changes nothing.
    completed = next(e for e in fake_stripe.store.events if e["type"] == "checkout.session.completed")
    mail.outbox.clear()
    control(fake_stripe, f"events/{completed['id']}/resend", times=2)
    assert {r["outcome"] for r in webhooks.pump()} == {"duplicate"}
    assert not mail.outbox
    assert Payment.objects.filter(booking=booking).count() == 1


def test_an_expired_checkout_releases_the_dates(
    home: Any, fake_stripe: Any, stripe_settings: Any, webhooks: Any
) -> None:
    booking = _hold(home)
    _checkout(booking)
    control(fake_stripe, f"checkout/{booking.stripe_session_id}/expire")
    assert [r["outcome"] for r in webhooks.pump() if r["type"] == "checkout.session.expired"] == ["released"]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert not CalendarBlock.objects.filter(property=home).exists()
    # Now someone else can have them.
    assert _hold(home, email="next@example.com").status == Booking.Status.PENDING


def test_the_hold_timer_expires_the_stripe_session_and_frees_the_nights(
    home: Any, fake_stripe: Any, stripe_settings: Any
) -> None:
    from django.utils import timezone

    booking = _hold(home)
    _checkout(booking)
    assert holds_release_expired(now=timezone.now()) == 0
    assert holds_release_expired(now=timezone.now() + dt.timedelta(minutes=31)) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert fake_stripe.store.objects[booking.stripe_session_id]["status"] == "expired"


def test_payment_arriving_after_the_dates_went_to_someone_else_is_refunded_in_full(
    home: Any, fake_stripe: Any, stripe_settings: Any, webhooks: Any
) -> None:
    from django.utils import timezone

    slow = _hold(home, email="slow@example.com")
    _checkout(slow)
    # Out of order: the hold ran out and another guest took the nights before Stripe told us
    # that the first guest had paid after all.
    fast = _hold(home, email="fast@example.com", now=timezone.now() + dt.timedelta(minutes=31))
    _checkout(fast)
    _pay(fake_stripe, slow)
    _pay(fake_stripe, fast)
    outcomes = [r["outcome"] for r in webhooks.pump() if r["type"] == "checkout.session.completed"]
    assert outcomes == ["refused_refunded", "confirmed"]
    slow.refresh_from_db()
    fast.refresh_from_db()
    assert (slow.status, fast.status) == (Booking.Status.REFUSED, Booking.Status.CONFIRMED)
    assert slow.refunded_cents == slow.total_cents
    refund = next(o for o in fake_stripe.store.all("refund") if o["payment_intent"] == slow.stripe_payment_intent_id)
    assert refund["amount"] == slow.total_cents
    assert any("refunded" in m.subject for m in mail.outbox if m.to == ["slow@example.com"])
    # The refund's own webhook is known already.
    assert {r["outcome"] for r in webhooks.pump() if r["type"] == "refund.created"} <= {"refund_known"}


def test_out_of_order_expired_after_completed_does_not_undo_the_booking(
    home: Any, fake_stripe: Any, stripe_settings: Any, webhooks: Any, network_client: Any
) -> None:
    from billing.tests.conftest import WEBHOOK_SECRET
    from devtools.stripe.webhooks import sign

    booking = _hold(home)
    _checkout(booking)
    _pay(fake_stripe, booking)
    webhooks.pump()
    session = dict(fake_stripe.store.objects[booking.stripe_session_id])
    session = {k: v for k, v in session.items() if not k.startswith("_")}
    event = {
        "id": "evt_rental_expired_late",
        "object": "event",
        "type": "checkout.session.expired",
        "created": 1_700_000_000,
        "data": {"object": {**session, "status": "expired"}},
    }
    payload = json.dumps(event).encode()
    response = network_client.post(
        "/billing/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, secret=WEBHOOK_SECRET),
    )
    assert response.status_code == 200
    assert WebhookEvent.objects.get(event_id="evt_rental_expired_late").outcome == "not_pending"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.block.kind == CalendarBlock.Kind.BOOKING


@pytest.mark.parametrize(
    ("policy", "days_before", "nights_percent"),
    [
        ("flexible", 1, 100),
        ("flexible", 0, 0),
        ("moderate", 5, 100),
        ("moderate", 4, 50),
        ("strict", 14, 100),
        ("strict", 10, 50),
        ("strict", 6, 0),
    ],
)
def test_guest_cancellation_refunds_per_policy_through_stripe(
    home: Any, fake_stripe: Any, stripe_settings: Any, webhooks: Any, policy: str, days_before: int, nights_percent: int
) -> None:
    home.cancellation_policy = policy
    home.save()
    booking = _hold(home)
    _checkout(booking)
    _pay(fake_stripe, booking)
    webhooks.pump()
    booking.refresh_from_db()
    refund = booking_cancel(booking_id=booking.pk, by="guest", today=booking.check_in - dt.timedelta(days=days_before))
    nights_back = booking.nights_cents * nights_percent // 100
    cleaning_back = booking.cleaning_cents if days_before >= 1 else 0
    taxable = booking.nights_cents + booking.cleaning_cents
    tax_back = (booking.tax_cents * (nights_back + cleaning_back) * 2 + taxable) // (2 * taxable)
    assert (refund.nights_cents, refund.cleaning_cents, refund.tax_cents) == (nights_back, cleaning_back, tax_back)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.refunded_cents == refund.total_cents
    stripe_refunds = [
        o for o in fake_stripe.store.all("refund") if o["payment_intent"] == booking.stripe_payment_intent_id
    ]
    assert [r["amount"] for r in stripe_refunds] == ([refund.total_cents] if refund.total_cents else [])
    assert not CalendarBlock.objects.filter(booking=booking).exists()
    payout = Payout.objects.get(booking=booking)
    assert payout.gross_cents == taxable - nights_back - cleaning_back


def test_a_host_cancellation_refunds_everything(
    home: Any, fake_stripe: Any, stripe_settings: Any, webhooks: Any
) -> None:
    home.cancellation_policy = "strict"
    home.save()
    booking = _hold(home)
    _checkout(booking)
    _pay(fake_stripe, booking)
    webhooks.pump()
    refund = booking_cancel(booking_id=booking.pk, by="host", today=booking.check_in)
    booking.refresh_from_db()
    assert refund.total_cents == booking.total_cents == booking.refunded_cents
    assert Payout.objects.get(booking=booking).status == Payout.Status.VOID
