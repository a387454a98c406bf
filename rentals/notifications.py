"""Mail to guests and hosts about bookings; confirmations carry the stay as an .ics file.
Called after commit, so a rolled-back webhook (Stripe retries it) never mails twice."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage

from marketplace import site_base_url
from rentals.calendars import booking_ical
from rentals.models import Booking
from rentals.pricing import money

logger = logging.getLogger(__name__)


def _trip_url(booking: Booking) -> str:
    return f"{site_base_url(booking.site_schema)}{booking.get_absolute_url()}"


def _host_url(booking: Booking) -> str:
    return f"{site_base_url(settings.PUBLIC_SCHEMA_NAME)}/hosting/bookings/{booking.pk}/"


def _send(*, to: str, subject: str, body: str, ics: bytes | None = None, name: str = "stay.ics") -> None:
    message = EmailMessage(subject=subject, body=body, to=[to])
    if ics is not None:
        message.attach(name, ics, "text/calendar; method=PUBLISH; charset=utf-8")
    try:
        message.send()
    except OSError:
        logger.exception("mail to %s failed", to)


def _summary(b: Booking) -> str:
    return (
        f"{b.property.title}, {b.property.address}, {b.property.city}\n"
        f"Check-in {b.check_in:%a %b %d, %Y} · check-out {b.check_out:%a %b %d, %Y} · "
        f"{b.nights} night{'s' if b.nights != 1 else ''} · {b.guests} guest{'s' if b.guests != 1 else ''}\n\n"
        f"Nights: {money(b.nights_cents)}\nCleaning fee: {money(b.cleaning_cents)}\n"
        f"Occupancy tax ({b.tax_percent.normalize()}%): {money(b.tax_cents)}\nTotal paid: {money(b.total_cents)}\n"
    )


def booking_confirmed(*, booking_id: int) -> None:
    b = Booking.objects.select_related("property__host").get(pk=booking_id)
    trip = _trip_url(b)
    _send(
        to=b.guest_email,
        subject=f"Booking confirmed: {b.property.title}, {b.check_in:%b %d}–{b.check_out:%b %d}",
        body=f"Hi {b.guest_name},\n\nYour stay is booked.\n\n{_summary(b)}\n"
        f"House rules:\n{b.property.house_rules or 'None given.'}\n\n"
        f"Cancellation policy: {b.get_cancellation_policy_display()}\n\n"
        f"Your trip, messages with the host and cancellation: {trip}\n",
        ics=booking_ical(booking=b, url=trip, for_host=False),
    )
    host_url = _host_url(b)
    _send(
        to=b.property.host.email,
        subject=f"New booking: {b.property.title}, {b.check_in:%b %d}–{b.check_out:%b %d}",
        body=f"{b.guest_name} ({b.guest_email}) booked your home.\n\n{_summary(b)}\n"
        f"Your payout: {money(b.payout.amount_cents)} on {b.payout.scheduled_for:%b %d, %Y}.\n\n{host_url}\n",
        ics=booking_ical(booking=b, url=host_url, for_host=True),
    )


def booking_refused(*, booking_id: int) -> None:
    b = Booking.objects.select_related("property").get(pk=booking_id)
    _send(
        to=b.guest_email,
        subject=f"Your booking of {b.property.title} could not be completed: refunded",
        body=f"Hi {b.guest_name},\n\nYour payment arrived after your hold on these dates had run out, and "
        f"another guest booked them meanwhile. We have refunded the full {money(b.paid_cents)}; it reaches "
        "your card in 5–10 days.\n",
    )


def booking_cancelled(*, booking_id: int, refund_cents: int) -> None:
    b = Booking.objects.select_related("property__host").get(pk=booking_id)
    who = "You" if b.cancelled_by == "guest" else "The host"
    body = f"{who} cancelled this stay.\n\n{_summary(b)}\nRefund to the guest: {money(refund_cents)}.\n"
    _send(
        to=b.guest_email, subject=f"Cancelled: {b.property.title}", body=body.replace("You cancelled", "You cancelled")
    )
    _send(
        to=b.property.host.email,
        subject=f"Cancelled: {b.property.title}",
        body=body.replace("You cancelled", "The guest cancelled"),
    )


def message_posted(*, booking_id: int, sender: str) -> None:
    b = Booking.objects.select_related("property__host").get(pk=booking_id)
    if sender == "guest":
        _send(to=b.property.host.email, subject=f"Message from {b.guest_name}", body=f"Reply: {_host_url(b)}\n")
    else:
        _send(
            to=b.guest_email, subject=f"Message from your host at {b.property.title}", body=f"Reply: {_trip_url(b)}\n"
        )
