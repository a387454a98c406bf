"""Guest pages, on every site of the network: search (list and map), a home, booking, the
trip page (messages, cancellation, review) and each home's iCal export. Thin: decisions are
in services, hosting and selectors."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from listings.web import map_style
from rentals import hosting, payments, selectors, services
from rentals.calendars import property_ical
from rentals.forms import BookingForm, MessageForm, QuoteForm, ReviewForm, SearchForm
from rentals.models import Booking, CalendarBlock, Property, Review
from rentals.pricing import money


def _schema() -> str:
    return str(connection.schema_name)  # type: ignore[attr-defined]


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    result = selectors.search_page(params=form.params()) if form.is_bound and form.is_valid() else None
    if not form.is_bound:
        form = SearchForm(initial={"guests": 2})
        form.is_valid()
        result = selectors.search_page(params=selectors.SearchParams())
    return render(
        request,
        "rentals/search.html",
        {"form": form, "result": result, "map_style": map_style(request), "query": request.GET.urlencode()},
    )


def _month_grid(prop: Property, start: dt.date) -> list[list[dict[str, Any]]]:
    end = (start + dt.timedelta(days=32)).replace(day=1)
    taken = selectors.nights_taken(prop=prop, start=start, end=end)
    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(start.year, start.month)
    today = timezone.localdate()
    return [
        [
            {"date": d, "in_month": d.month == start.month, "taken": d in taken or d < today, "kind": taken.get(d, "")}
            for d in week
        ]
        for week in weeks
    ]


def _property_context(request: HttpRequest, prop: Property, form: BookingForm) -> dict[str, Any]:
    quote, problem = None, ""
    dates = QuoteForm(form.data if form.is_bound else None)
    if dates.is_bound and dates.is_valid():
        d = dates.cleaned_data
        try:
            services.stay_validate(
                prop=prop,
                check_in=d["check_in"],
                check_out=d["check_out"],
                guests=d["guests"] or 1,
                today=timezone.localdate(),
            )
            quote = selectors.stay_quote(prop=prop, check_in=d["check_in"], check_out=d["check_out"])
            if not selectors.is_available(prop=prop, check_in=d["check_in"], check_out=d["check_out"]):
                problem = "Some of these nights are already booked. Please pick other dates."
        except services.BookingError as exc:
            problem = str(exc)
    this_month = timezone.localdate().replace(day=1)
    next_month = (this_month + dt.timedelta(days=32)).replace(day=1)
    rule = selectors.city_rule_get(city_slug=prop.city_slug)
    return {
        "prop": prop,
        "photos": list(prop.photos.all()),
        "form": form,
        "quote": quote,
        "problem": problem,
        "hold_minutes": settings.RENTALS_HOLD_MINUTES,
        "months": [(m, _month_grid(prop, m)) for m in (this_month, next_month)],
        "rating": selectors.rating_of(prop=prop),
        "reviews": prop.reviews.filter(status=Review.Status.APPROVED)[:10],
        "rule": rule,
        "tax_percent": selectors.tax_percent_for(city_slug=prop.city_slug),
        "map_style": map_style(request),
    }


@require_GET
def property_page(request: HttpRequest, slug: str) -> HttpResponse:
    prop = get_object_or_404(Property.objects.prefetch_related("seasonal_rates"), slug=slug)
    if prop.status != Property.Status.LISTED and prop.host_id != getattr(request.user, "pk", None):
        raise Http404("No such rental.")
    initial: dict[str, Any] = {"guests": 2}
    if request.user.is_authenticated:
        initial.update(name=request.user.get_full_name(), email=request.user.email)  # type: ignore[union-attr]
    data = request.GET if "check_in" in request.GET else None
    form = BookingForm(data, initial=initial)
    return render(request, "rentals/property.html", _property_context(request, prop, form))


@require_POST
def book(request: HttpRequest, slug: str) -> HttpResponse:
    prop = get_object_or_404(Property, slug=slug, status=Property.Status.LISTED)
    form = BookingForm(request.POST)
    if not form.is_valid():
        return render(request, "rentals/property.html", _property_context(request, prop, form), status=400)
    d = form.cleaned_data
    user_id = request.user.pk if request.user.is_authenticated else None
    try:
        booking = services.booking_hold(
            prop=prop,
            check_in=d["check_in"],
            check_out=d["check_out"],
            guests=d["guests"],
            guest_name=d["name"],
            guest_email=d["email"],
            guest_phone=d["phone"],
            site_schema=_schema(),
            guest_user_id=user_id,
        )
        trip = request.build_absolute_uri(booking.get_absolute_url())
        url = services.booking_checkout_start(
            booking=booking,
            success_url=f"{trip}?paid=1",
            cancel_url=request.build_absolute_uri(reverse("rentals:cancel_checkout", args=[booking.access_token])),
        )
    except services.BookingError as exc:
        form.add_error(None, str(exc))
        status = 409 if isinstance(exc, services.DatesUnavailable) else 400
        return render(request, "rentals/property.html", _property_context(request, prop, form), status=status)
    return redirect(url)


@require_GET
def cancel_checkout(request: HttpRequest, token: str) -> HttpResponse:
    """The guest came back from Checkout without paying: free the dates now."""
    booking = get_object_or_404(Booking, access_token=token)
    services.booking_release(booking_id=booking.pk)
    messages.info(request, "No payment was taken; the dates are free again.")
    return redirect(booking.property.get_absolute_url())


@require_http_methods(["GET", "POST"])
def trip_page(request: HttpRequest, token: str) -> HttpResponse:
    booking = get_object_or_404(Booking.objects.select_related("property"), access_token=token)
    if request.GET.get("paid") and booking.status == Booking.Status.PENDING:
        payments.booking_sync_from_stripe(booking=booking)
        booking.refresh_from_db()
    message_form, review_form = MessageForm(), ReviewForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "message":
                message_form = MessageForm(request.POST)
                if message_form.is_valid():
                    hosting.message_post(booking=booking, sender="guest", body=message_form.cleaned_data["body"])
                    return redirect(booking.get_absolute_url())
            elif action == "review":
                review_form = ReviewForm(request.POST)
                if review_form.is_valid():
                    hosting.review_submit(booking=booking, **review_form.cleaned_data)
                    messages.success(request, "Thank you! Your review will appear once it has been checked.")
                    return redirect(booking.get_absolute_url())
            elif action == "cancel":
                refund = payments.booking_cancel(booking_id=booking.pk, by="guest")
                messages.success(request, f"Your stay is cancelled; {money(refund.total_cents)} is on its way back.")
                return redirect(booking.get_absolute_url())
        except (ValidationError, services.BookingError) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            return redirect(booking.get_absolute_url())
    today = timezone.localdate()
    return render(
        request,
        "rentals/trip.html",
        {
            "booking": booking,
            "messages_list": booking.messages.all(),
            "message_form": message_form,
            "review_form": review_form,
            "can_review": booking.status == Booking.Status.CONFIRMED
            and today >= booking.check_out
            and not hasattr(booking, "review"),
            "can_cancel": booking.status == Booking.Status.CONFIRMED and today < booking.check_out,
            "money": {
                k: money(getattr(booking, k)) for k in ("nights_cents", "cleaning_cents", "tax_cents", "total_cents")
            },
        },
    )


@require_GET
def ical_export(request: HttpRequest, token: str) -> HttpResponse:
    prop = get_object_or_404(Property, ical_token=token)
    response = HttpResponse(property_ical(prop=prop, domain=settings.FLAGSHIP_DOMAIN), content_type="text/calendar")
    response["Content-Disposition"] = f'inline; filename="{prop.slug}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def blocks_of(prop: Property) -> list[CalendarBlock]:
    return list(CalendarBlock.objects.filter(property=prop).select_related("booking", "feed").order_by("period"))
