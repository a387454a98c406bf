"""Host pages, on the network (public schema, where hosts' accounts are): dashboard with
calendar, bookings and a monthly occupancy/revenue chart; listing, photos, rates, calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import login_required
from rentals import hosting, payments, selectors, services
from rentals.calendars import feed_import
from rentals.forms import BlockForm, FeedForm, MessageForm, PhotoForm, PropertyForm, SeasonForm, month_start
from rentals.models import Booking, Property
from rentals.pricing import money
from rentals.views import _month_grid, blocks_of


def _own(request: HttpRequest, pk: int) -> Property:
    return get_object_or_404(Property, pk=pk, host=request.user)


def _chart(months: list[selectors.MonthStats]) -> dict[str, Any]:
    """Bars for revenue, a line for occupancy, as numbers the SVG template draws."""
    top = max((m.revenue_cents for m in months), default=0) or 1
    bars: list[dict[str, Any]] = []
    for i, m in enumerate(months):
        height = round(160 * m.revenue_cents / top)
        bars.append(
            {
                "x": 40 + i * 50,
                "y": 180 - height,
                "height": height,
                "label": m.month.strftime("%b"),
                "revenue": money(m.revenue_cents),
                "occupancy": m.occupancy,
                "occ_y": round(180 - 1.6 * m.occupancy),
            }
        )
    points = " ".join(f"{b['x'] + 18},{b['occ_y']}" for b in bars)
    return {"bars": bars, "points": points, "top": money(top)}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year
    months = selectors.host_monthly_stats(host=request.user, year=year)
    bookings = selectors.host_bookings(host=request.user).filter(check_out__gte=timezone.localdate())
    return render(
        request,
        "rentals/host/dashboard.html",
        {
            "properties": selectors.host_properties(host=request.user),
            "bookings": bookings[:50],
            "months": months,
            "chart": _chart(months),
            "year": year,
            "year_revenue": money(sum(m.revenue_cents for m in months)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def property_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    prop = _own(request, pk) if pk else None
    cities = hosting.rental_cities()
    initial: dict[str, Any] = {}
    if prop is not None:
        initial = {f: getattr(prop, f) for f in hosting.PROPERTY_FIELDS if not f.endswith("_cents")}
        initial.update(
            nightly_rate=prop.nightly_rate_cents / 100,
            weekend_rate=(prop.weekend_rate_cents or 0) / 100 or None,
            cleaning_fee=prop.cleaning_fee_cents / 100,
        )
    form = PropertyForm(request.POST or None, initial=initial, cities=cities)
    if request.method == "POST" and form.is_valid():
        try:
            prop = hosting.property_save(host=request.user, data=form.model_data(), prop=prop)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Saved.")
            return redirect("rentals_host:calendar", pk=prop.pk)
    return render(request, "rentals/host/property_form.html", {"form": form, "prop": prop})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Photos, seasonal rates, blocked dates, calendar feeds and the month view of one home."""
    prop = _own(request, pk)
    forms = {"photo": PhotoForm(), "block": BlockForm(), "season": SeasonForm(), "feed": FeedForm()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            with transaction.atomic():
                done = _calendar_action(request, prop, action, forms)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            done = False
        if done:
            return redirect("rentals_host:calendar", pk=prop.pk)
    start = month_start(request.GET.get("month"))
    return render(
        request,
        "rentals/host/calendar.html",
        {
            "prop": prop,
            "forms": forms,
            "photos": prop.photos.all(),
            "seasons": prop.seasonal_rates.all(),
            "feeds": prop.feeds.all(),
            "blocks": blocks_of(prop),
            "month": start,
            "grid": _month_grid(prop, start),
            "prev_month": (start - dt.timedelta(days=1)).replace(day=1),
            "next_month": (start + dt.timedelta(days=32)).replace(day=1),
            "ical_url": request.build_absolute_uri(f"/rentals/calendar/{prop.ical_token}.ics"),
        },
    )


def _calendar_action(request: HttpRequest, prop: Property, action: str, forms: dict[str, Any]) -> bool:
    form: Any
    if action == "photo":
        form = forms["photo"] = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            hosting.photo_add(prop=prop, upload=form.cleaned_data["image"], caption=form.cleaned_data["caption"])
            return True
    elif action == "block":
        form = forms["block"] = BlockForm(request.POST)
        if form.is_valid():
            hosting.dates_block(prop=prop, **form.cleaned_data)
            return True
    elif action == "unblock":
        return hosting.block_remove(prop=prop, block_id=int(request.POST.get("block") or 0))
    elif action == "season":
        form = forms["season"] = SeasonForm(request.POST)
        if form.is_valid():
            hosting.season_add(prop=prop, data=form.model_data())
            return True
    elif action == "feed":
        form = forms["feed"] = FeedForm(request.POST)
        if form.is_valid():
            feed = hosting.feed_add(prop=prop, **form.cleaned_data)
            transaction.on_commit(lambda: _import_now(request, feed.pk))
            return True
    elif action in ("list", "pause"):
        hosting.property_publish(prop=prop, listed=action == "list")
        return True
    return False


def _import_now(request: HttpRequest, feed_id: int) -> None:
    result = feed_import(feed_id=feed_id)
    (messages.error if result.error else messages.success)(request, f"Calendar: {result.summary}.")


@login_required
@require_http_methods(["GET", "POST"])
def booking_page(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.select_related("property", "payout"), pk=pk, property__host=request.user
    )
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            try:
                payments.booking_cancel(booking_id=booking.pk, by="host")
                messages.success(request, "Cancelled; the guest is refunded in full.")
            except services.BookingError as exc:
                messages.error(request, str(exc))
            return redirect("rentals_host:booking", pk=booking.pk)
        if form.is_valid():
            hosting.message_post(booking=booking, sender="host", body=form.cleaned_data["body"])
            return redirect("rentals_host:booking", pk=booking.pk)
    return render(
        request,
        "rentals/host/booking.html",
        {
            "booking": booking,
            "form": form,
            "messages_list": booking.messages.all(),
            "total": money(booking.total_cents),
        },
    )


@login_required
@require_POST
def photo_delete(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    prop = _own(request, pk)
    hosting.photo_delete(photo=get_object_or_404(prop.photos, pk=photo_id))
    return redirect("rentals_host:calendar", pk=prop.pk)
