"""Writes for bookings up to payment: hold the dates, open Stripe Checkout, release abandoned
holds. What happens to the money afterwards (confirmation from the webhook, refunds, payouts,
cancellation) is in ``rentals.payments``.

The dates are held by a ``CalendarBlock`` row; PostgreSQL's exclusion constraint refuses a
second overlapping row, so of many guests starting checkout for the same nights at the same
moment exactly one gets the hold and the others a clear "just taken" (no Python check-then-
insert race). Stripe calls happen outside the hold's transaction, with idempotency keys."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.clients import stripe_client
from rentals.models import Booking, CalendarBlock, Property
from rentals.selectors import stay_quote

logger = logging.getLogger(__name__)
PURPOSE = "rental_booking"
MAX_NIGHTS = 60
BOOKING_HORIZON_DAYS = 540


class BookingError(Exception):
    """A booking could not be made or changed; the message is for the guest or host."""


class DatesUnavailable(BookingError):
    pass


class PaymentUnavailable(BookingError):
    pass


def stay_validate(*, prop: Property, check_in: dt.date, check_out: dt.date, guests: int, today: dt.date) -> None:
    if prop.status != Property.Status.LISTED:
        raise BookingError("This home is not taking bookings right now.")
    if check_in < today:
        raise BookingError("Check-in can't be in the past.")
    if check_out <= check_in:
        raise BookingError("Check-out must be after check-in.")
    if check_in > today + dt.timedelta(days=BOOKING_HORIZON_DAYS):
        raise BookingError("This home takes bookings up to 18 months ahead.")
    nights = (check_out - check_in).days
    if nights < prop.min_nights:
        raise BookingError(f"This home has a minimum stay of {prop.min_nights} nights.")
    if nights > MAX_NIGHTS:
        raise BookingError(f"Stays are at most {MAX_NIGHTS} nights; contact the host for longer.")
    if not 1 <= guests <= prop.sleeps:
        raise BookingError(f"This home sleeps {prop.sleeps}.")


def checkout_metadata(booking: Booking) -> dict[str, str]:
    # ``schema`` routes the webhook (bookings live in the public schema); ``site`` is where the
    # guest booked.
    return {
        "schema": settings.PUBLIC_SCHEMA_NAME,
        "purpose": PURPOSE,
        "booking_id": str(booking.pk),
        "site": booking.site_schema,
    }


def booking_hold(
    *,
    prop: Property,
    check_in: dt.date,
    check_out: dt.date,
    guests: int,
    guest_name: str,
    guest_email: str,
    guest_phone: str = "",
    site_schema: str,
    guest_user_id: int | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Price the stay and hold its nights; ``DatesUnavailable`` if any night is taken."""
    now = now or timezone.now()
    stay_validate(prop=prop, check_in=check_in, check_out=check_out, guests=guests, today=timezone.localdate(now))
    quote = stay_quote(prop=prop, check_in=check_in, check_out=check_out)
    period = (check_in, check_out)
    try:
        with transaction.atomic():
            # A hold whose time ran out no longer keeps anyone else from these nights.
            stale = CalendarBlock.objects.filter(
                property=prop, kind=CalendarBlock.Kind.HOLD, expires_at__lt=now, period__overlap=period
            )
            Booking.objects.filter(block__in=stale, status=Booking.Status.PENDING).update(
                status=Booking.Status.EXPIRED, hold_expires_at=None
            )
            stale.delete()
            expires = now + dt.timedelta(minutes=settings.RENTALS_HOLD_MINUTES)
            booking = Booking.objects.create(
                property=prop,
                check_in=check_in,
                check_out=check_out,
                guests=guests,
                guest_name=guest_name.strip()[:120],
                guest_email=guest_email.strip().lower(),
                guest_phone=guest_phone.strip()[:32],
                site_schema=site_schema,
                guest_user_id=guest_user_id,
                nights=quote.nights,
                nights_cents=quote.nights_cents,
                cleaning_cents=quote.cleaning_cents,
                tax_cents=quote.tax_cents,
                tax_percent=quote.tax_percent,
                total_cents=quote.total_cents,
                nightly_breakdown=quote.breakdown(),
                cancellation_policy=prop.cancellation_policy,
                hold_expires_at=expires,
            )
            CalendarBlock.objects.create(
                property=prop, period=period, kind=CalendarBlock.Kind.HOLD, booking=booking, expires_at=expires
            )
    except IntegrityError as exc:
        if "rentals_no_overlapping_nights" not in str(exc):
            raise
        raise DatesUnavailable("Sorry, some of these nights were just booked. Please pick other dates.") from None
    return booking


def _line_items(booking: Booking) -> list[dict[str, Any]]:
    prop = booking.property
    lines = [
        (f"{booking.nights} night{'s' if booking.nights != 1 else ''} at {prop.title}", booking.nights_cents),
        ("Cleaning fee", booking.cleaning_cents),
        (f"Transient occupancy tax ({booking.tax_percent.normalize()}%, {prop.city})", booking.tax_cents),
    ]
    return [
        {"quantity": 1, "price_data": {"currency": "usd", "unit_amount": cents, "product_data": {"name": name}}}
        for name, cents in lines
        if cents > 0
    ]


def booking_checkout_start(*, booking: Booking, success_url: str, cancel_url: str) -> str:
    """Open Stripe Checkout (payment mode) for a held booking; returns its URL. If Stripe
    fails, the hold is released at once so the dates are not blocked for nothing."""
    expires_at = booking.hold_expires_at or timezone.now() + dt.timedelta(minutes=settings.RENTALS_HOLD_MINUTES)
    metadata = checkout_metadata(booking)
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": _line_items(booking),  # type: ignore[typeddict-item]
                "customer_email": booking.guest_email,
                "client_reference_id": f"rental:{booking.pk}",
                "success_url": success_url,
                "cancel_url": cancel_url,
                # Stripe accepts 30 minutes to 24 hours.
                "expires_at": int(max(expires_at, timezone.now() + dt.timedelta(minutes=30)).timestamp()),
                "metadata": metadata,
                "payment_intent_data": {"metadata": metadata, "description": f"Booking {booking.pk}"},
            },  # type: ignore[arg-type]
            options={"idempotency_key": f"rental-checkout-{booking.pk}"},
        )
    except stripe.StripeError as exc:
        logger.warning("rental checkout for booking %s failed: %s", booking.pk, exc)
        booking_release(booking_id=booking.pk, status=Booking.Status.EXPIRED)
        raise PaymentUnavailable(
            "We couldn't reach our payment provider, so nothing was charged and the dates are free again. "
            "Please try again in a minute."
        ) from exc
    Booking.objects.filter(pk=booking.pk).update(stripe_session_id=session.id)
    booking.stripe_session_id = session.id
    return str(session.url)


def booking_release(*, booking_id: int, status: str = Booking.Status.EXPIRED) -> bool:
    """Free the nights of a booking that was never paid. False if it is no longer pending."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or booking.status != Booking.Status.PENDING:
            return False
        CalendarBlock.objects.filter(booking=booking).delete()
        booking.status = status
        booking.hold_expires_at = None
        booking.save(update_fields=["status", "hold_expires_at"])
    return True


def holds_release_expired(*, now: dt.datetime | None = None) -> int:
    """Periodic: expire the Checkout Session of each hold whose time ran out, then free its
    nights. A session Stripe says is already complete is left to its webhook."""
    now = now or timezone.now()
    released = 0
    for booking in Booking.objects.filter(status=Booking.Status.PENDING, hold_expires_at__lt=now):
        if booking.stripe_session_id:
            try:
                stripe_client().v1.checkout.sessions.expire(booking.stripe_session_id)
            except stripe.InvalidRequestError:
                session = stripe_client().v1.checkout.sessions.retrieve(booking.stripe_session_id)
                if session.status == "complete":
                    continue
            except stripe.StripeError as exc:
                logger.warning("could not expire session of booking %s: %s", booking.pk, exc)
                continue
        released += booking_release(booking_id=booking.pk)
    return released
