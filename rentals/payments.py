"""Money after checkout: a paid Checkout Session confirms its booking (from the webhook or
the guest's return), refunds are recorded as Stripe reports them, each booking gets its host
payout, and cancellations refund what the policy gives. Replays and out-of-order webhook
deliveries change nothing; Stripe calls carry idempotency keys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.clients import stripe_client
from rentals import notifications, policies
from rentals.models import Booking, CalendarBlock, Payment, Payout
from rentals.services import BookingError, PaymentUnavailable, checkout_metadata


def _today() -> dt.date:
    return timezone.localdate()


def _refund(*, booking: Booking, amount: int, reason: str, key: str) -> Payment:
    refund = stripe_client().v1.refunds.create(
        params={
            "payment_intent": booking.stripe_payment_intent_id,
            "amount": amount,
            "reason": "requested_by_customer",
            "metadata": {**checkout_metadata(booking), "reason": reason},
        },
        options={"idempotency_key": key},
    )
    payment, created = Payment.objects.get_or_create(
        stripe_id=refund.id,
        defaults={
            "booking": booking,
            "kind": Payment.Kind.REFUND,
            "amount_cents": amount,
            "status": refund.status or "pending",
            "reason": reason,
        },
    )
    if created:
        booking.refunded_cents += amount
    return payment


def booking_payment_apply(*, session: dict[str, Any]) -> str:
    """A Checkout Session of ours was paid (webhook or success-page read-back): confirm the
    booking. Replays change nothing. If the hold had run out and another guest now has the
    nights, the payment is refunded in full and the booking refused."""
    meta = session.get("metadata") or {}
    booking_id = str(meta.get("booking_id") or "")
    if not booking_id.isdigit():
        return "no_booking"
    if session.get("payment_status") != "paid":
        return "unpaid"
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("property").filter(pk=int(booking_id)).first()
        if booking is None:
            return "no_booking"
        if booking.stripe_session_id and booking.stripe_session_id != session.get("id"):
            return "other_session"
        if booking.status in (Booking.Status.CONFIRMED, Booking.Status.CANCELLED, Booking.Status.REFUSED):
            return f"already_{booking.status}"
        booking.stripe_payment_intent_id = str(session.get("payment_intent") or "")
        booking.paid_cents = int(session.get("amount_total") or 0)
        Payment.objects.get_or_create(
            stripe_id=booking.stripe_payment_intent_id,
            defaults={
                "booking": booking,
                "kind": Payment.Kind.CHARGE,
                "amount_cents": booking.paid_cents,
                "status": "succeeded",
            },
        )
        if not CalendarBlock.objects.filter(booking=booking).update(kind=CalendarBlock.Kind.BOOKING, expires_at=None):
            try:
                with transaction.atomic():
                    CalendarBlock.objects.create(
                        property=booking.property,
                        period=(booking.check_in, booking.check_out),
                        kind=CalendarBlock.Kind.BOOKING,
                        booking=booking,
                    )
            except IntegrityError:
                return _refuse(booking)
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = timezone.now()
        booking.hold_expires_at = None
        booking.save()
        payout_record(booking=booking)
        transaction.on_commit(lambda: notifications.booking_confirmed(booking_id=booking.pk))
    return "confirmed"


def _refuse(booking: Booking) -> str:
    _refund(booking=booking, amount=booking.paid_cents, reason="dates_taken", key=f"rental-refuse-{booking.pk}")
    booking.status = Booking.Status.REFUSED
    booking.hold_expires_at = None
    booking.save()
    transaction.on_commit(lambda: notifications.booking_refused(booking_id=booking.pk))
    return "refused_refunded"


def booking_sync_from_stripe(*, booking: Booking) -> str:
    """On the trip page after Checkout: read the session back so the guest sees the booking
    confirmed even if the webhook is still on its way."""
    if booking.status != Booking.Status.PENDING or not booking.stripe_session_id:
        return "nothing_to_do"
    try:
        session = stripe_client().v1.checkout.sessions.retrieve(booking.stripe_session_id)
    except stripe.StripeError:
        return "unavailable"
    return booking_payment_apply(session=session.to_dict())


def refund_event_apply(*, refund: dict[str, Any]) -> str:
    """``refund.created`` / ``refund.updated``: keep the refund's status; a refund made in
    Stripe's dashboard is recorded too."""
    meta = refund.get("metadata") or {}
    payment = Payment.objects.select_for_update().filter(stripe_id=refund["id"]).first()
    if payment is not None:
        if payment.status != refund.get("status"):
            payment.status = str(refund.get("status") or "")
            payment.save(update_fields=["status"])
            return "refund_updated"
        return "refund_known"
    booking_id = str(meta.get("booking_id") or "")
    booking = Booking.objects.select_for_update().filter(pk=int(booking_id)).first() if booking_id.isdigit() else None
    if booking is None:
        return "no_booking"
    Payment.objects.create(
        booking=booking,
        kind=Payment.Kind.REFUND,
        amount_cents=int(refund.get("amount") or 0),
        stripe_id=refund["id"],
        status=str(refund.get("status") or ""),
        reason=str(meta.get("reason") or "stripe_dashboard"),
    )
    booking.refunded_cents += int(refund.get("amount") or 0)
    booking.save(update_fields=["refunded_cents"])
    return "refund_recorded"


def _fee(cents: int) -> int:
    return policies.percent_of(cents, Decimal(settings.RENTALS_PLATFORM_FEE_PERCENT))


def payout_record(*, booking: Booking) -> Payout:
    gross = (
        booking.nights_cents
        + booking.cleaning_cents
        - min(booking.refunded_cents, booking.nights_cents + booking.cleaning_cents)
    )
    fee = _fee(gross)
    payout, _ = Payout.objects.update_or_create(
        booking=booking,
        defaults={
            "gross_cents": gross,
            "fee_cents": fee,
            "amount_cents": gross - fee,
            "status": Payout.Status.SCHEDULED if gross else Payout.Status.VOID,
            "scheduled_for": booking.check_in + dt.timedelta(days=1),
        },
    )
    return payout


def booking_cancel(*, booking_id: int, by: str, today: dt.date | None = None) -> policies.Refund:
    """Cancel a confirmed booking: refund what the policy gives (everything when the host
    cancels) through Stripe, free the nights, shrink the host's payout."""
    if by not in ("guest", "host"):
        raise ValueError(by)
    today = today or _today()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("property").get(pk=booking_id)
        if booking.status != Booking.Status.CONFIRMED:
            raise BookingError("Only confirmed bookings can be cancelled.")
        if today >= booking.check_out:
            raise BookingError("This stay is over.")
        refund = policies.refund_for(
            policy=booking.cancellation_policy,
            check_in=booking.check_in,
            today=today,
            nights_cents=booking.nights_cents,
            cleaning_cents=booking.cleaning_cents,
            tax_cents=booking.tax_cents,
            by_host=by == "host",
        )
        amount = min(refund.total_cents, booking.paid_cents - booking.refunded_cents)
        if amount > 0:
            try:
                _refund(booking=booking, amount=amount, reason=f"cancelled_by_{by}", key=f"rental-cancel-{booking.pk}")
            except stripe.StripeError as exc:
                raise PaymentUnavailable("We couldn't reach our payment provider; nothing changed. Try again.") from exc
        CalendarBlock.objects.filter(booking=booking).delete()
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.cancelled_by = by
        booking.save()
        kept = booking.nights_cents - refund.nights_cents + booking.cleaning_cents - refund.cleaning_cents
        fee = _fee(kept)
        Payout.objects.filter(booking=booking).update(
            gross_cents=kept,
            fee_cents=fee,
            amount_cents=kept - fee,
            status=Payout.Status.SCHEDULED if kept else Payout.Status.VOID,
        )
        transaction.on_commit(lambda: notifications.booking_cancelled(booking_id=booking.pk, refund_cents=amount))
    return refund
