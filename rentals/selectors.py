"""Reads for rentals: prices, availability, guest search, the host's numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, DateField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, Lower, Upper

from rentals.models import Booking, CalendarBlock, CityRule, Photo, Property, Review, range_end, range_start
from rentals.pricing import Quote, Rates, nights_between, quote

MAX_MAP_MARKERS = 500
PAGE_SIZE = 24


def city_rule_get(*, city_slug: str) -> CityRule | None:
    return CityRule.objects.filter(city_slug=city_slug).first()


def tax_percent_for(*, city_slug: str) -> Decimal:
    rule = city_rule_get(city_slug=city_slug)
    if rule is not None:
        return Decimal(rule.occupancy_tax_percent)
    return Decimal(settings.RENTALS_DEFAULT_OCCUPANCY_TAX_PERCENT)


def property_rates(*, prop: Property) -> Rates:
    return Rates(
        nightly_cents=prop.nightly_rate_cents,
        weekend_cents=prop.weekend_rate_cents,
        cleaning_cents=prop.cleaning_fee_cents,
        seasons=tuple(prop.seasonal_rates.all()),
    )


def stay_quote(*, prop: Property, check_in: dt.date, check_out: dt.date) -> Quote:
    return quote(
        check_in=check_in,
        check_out=check_out,
        rates=property_rates(prop=prop),
        tax_percent=tax_percent_for(city_slug=prop.city_slug),
    )


def nights_taken(*, prop: Property, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Each taken night in [start, end) → the kind of block taking it (holds count as taken:
    someone is paying for them right now)."""
    taken: dict[dt.date, str] = {}
    for block in CalendarBlock.objects.filter(property=prop, period__overlap=(start, end)).only("period", "kind"):
        lower = max(block.period.lower, start)
        upper = min(block.period.upper, end)
        for night in nights_between(lower, upper):
            taken[night] = block.kind
    return taken


def is_available(*, prop: Property, check_in: dt.date, check_out: dt.date) -> bool:
    return not CalendarBlock.objects.filter(property=prop, period__overlap=(check_in, check_out)).exists()


@dataclass(frozen=True)
class SearchParams:
    check_in: dt.date | None = None
    check_out: dt.date | None = None
    guests: int = 1
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    amenities: tuple[str, ...] = ()
    city_slug: str = ""
    # (west, south, east, north)
    bbox: tuple[float, float, float, float] | None = None
    page: int = 1


def rental_search(*, params: SearchParams) -> QuerySet[Property]:
    """Listed homes that sleep the party, match price/amenities/area and have every night of
    the stay free. The "free" test is an anti-join on the exclusion constraint's GiST index."""
    qs = Property.objects.filter(status=Property.Status.LISTED, sleeps__gte=params.guests)
    if params.min_price_cents is not None:
        qs = qs.filter(nightly_rate_cents__gte=params.min_price_cents)
    if params.max_price_cents is not None:
        qs = qs.filter(nightly_rate_cents__lte=params.max_price_cents)
    if params.amenities:
        qs = qs.filter(amenities__contains=list(params.amenities))
    if params.city_slug:
        qs = qs.filter(city_slug=params.city_slug)
    if params.bbox:
        west, south, east, north = params.bbox
        qs = qs.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
    if params.check_in and params.check_out:
        qs = qs.filter(min_nights__lte=(params.check_out - params.check_in).days)
        last_end = Subquery(_last_block_end(check_out=params.check_out), output_field=DateField())
        qs = qs.alias(last_end=Coalesce(last_end, Value(dt.date.min))).filter(last_end__lte=params.check_in)
    return qs


def _last_block_end(*, check_out: dt.date) -> QuerySet[Any]:
    """The end of the home's last block starting before ``check_out``. A home's blocks never
    overlap (the exclusion constraint), so if any block overlaps the stay this one does: it
    starts after every earlier block ends. The home is free for the stay iff there is none or
    it ends by check-in. One backward step in ``rentals_block_starts`` per home, index-only
    (the constraint's GiST index answers "any overlap?" too, at ~50× the cost per home)."""
    return (
        CalendarBlock.objects.annotate(start=range_start("period"), end=range_end("period"))
        .filter(property=OuterRef("pk"), start__lt=check_out)
        .order_by("-start")
        .values("end")[:1]
    )


def search_page(*, params: SearchParams) -> dict[str, Any]:
    """One page of results (cards with their stay price) plus the map markers of all of them
    (capped) and their count. Answered from the process's in-memory index
    (``rentals.availability``: every home in the box tested at once against its taken-nights
    bitmap); stays beyond the index's horizon go to SQL (``_search_page_sql``)."""
    from rentals import availability

    if not settings.RENTALS_SEARCH_INDEX:
        return _search_page_sql(params=params)
    page_no = max(params.page, 1)
    start = (page_no - 1) * PAGE_SIZE
    with availability.index.lock:  # a change re-read by another thread patches the arrays
        snap = availability.index.current()
        rows = availability.matching_rows(snap, params)
        if rows is None:
            markers, ids, total = [], [], 0
        else:
            markers = availability.markers(snap, rows[:MAX_MAP_MARKERS])
            ids, total = snap.ids[rows[start : start + PAGE_SIZE]].tolist(), len(rows)
    if rows is None:
        return _search_page_sql(params=params)
    by_id = {p.pk: p for p in Property.objects.prefetch_related(*_card_prefetch()).filter(pk__in=ids)} if ids else {}
    return {
        "cards": _cards([by_id[i] for i in ids if i in by_id], params),
        "total": total,
        "markers": markers,
        "page": page_no,
        "pages": max(1, -(-total // PAGE_SIZE)),
    }


def _card_prefetch() -> tuple[Any, ...]:
    """What a card shows besides the home: its seasonal rates (the stay's price), its cover."""
    return (
        "seasonal_rates",
        Prefetch("photos", queryset=Photo.objects.order_by("position", "id"), to_attr="photo_list"),
    )


def _search_page_sql(*, params: SearchParams) -> dict[str, Any]:
    """One page of results (cards with their stay price) plus the map markers of all of
    them (capped) and their count, evaluating the search once: the markers query carries the
    total (a window count) and the page's homes are read by id from it."""
    qs = rental_search(params=params).order_by("nightly_rate_cents", "id")
    rows = list(
        qs.annotate(total=Window(Count("id"))).values_list(
            "id", "slug", "title", "latitude", "longitude", "nightly_rate_cents", "total"
        )[:MAX_MAP_MARKERS]
    )
    total = rows[0][6] if rows else 0
    page_no = max(params.page, 1)
    start = (page_no - 1) * PAGE_SIZE
    homes = Property.objects.prefetch_related(*_card_prefetch())
    if start + PAGE_SIZE <= MAX_MAP_MARKERS:
        ids = [r[0] for r in rows[start : start + PAGE_SIZE]]
        by_id = {p.pk: p for p in homes.filter(pk__in=ids)} if ids else {}
        page = [by_id[i] for i in ids if i in by_id]
    else:
        page = list(qs.prefetch_related(*_card_prefetch())[start : start + PAGE_SIZE])
    return {
        "cards": _cards(page, params),
        "total": total,
        "markers": [
            {"id": m[0], "slug": m[1], "title": m[2], "lat": m[3], "lng": m[4], "nightly_cents": m[5]} for m in rows
        ],
        "page": page_no,
        "pages": max(1, -(-total // PAGE_SIZE)),
    }


def _cards(page: Sequence[Property], params: SearchParams) -> list[dict[str, Any]]:
    taxes = {r.city_slug: Decimal(r.occupancy_tax_percent) for r in CityRule.objects.all()}
    default_tax = Decimal(settings.RENTALS_DEFAULT_OCCUPANCY_TAX_PERCENT)
    cards = []
    for prop in page:
        stay = None
        if params.check_in and params.check_out:
            stay = quote(
                check_in=params.check_in,
                check_out=params.check_out,
                rates=property_rates(prop=prop),
                tax_percent=taxes.get(prop.city_slug, default_tax),
            )
        cover_photo = prop.photo_list[0] if prop.photo_list else None  # type: ignore[attr-defined]
        cards.append({"property": prop, "quote": stay, "photo": cover_photo})
    return cards


def rating_of(*, prop: Property) -> dict[str, Any]:
    agg = Review.objects.filter(property=prop, status=Review.Status.APPROVED).aggregate(
        avg=Avg("rating"), n=Count("id")
    )
    return {"average": round(agg["avg"], 1) if agg["avg"] is not None else None, "count": agg["n"]}


def host_properties(*, host: Any) -> QuerySet[Property]:
    return Property.objects.filter(host=host).order_by("title")


def host_bookings(*, host: Any) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(property__host=host)
        .exclude(status=Booking.Status.EXPIRED)
        .select_related("property")
        .order_by("check_in")
    )


@dataclass
class MonthStats:
    month: dt.date
    end: dt.date
    nights: int = 0
    revenue_cents: int = 0
    occupancy: float = 0.0


def host_monthly_stats(*, host: Any, year: int) -> list[MonthStats]:
    """Per month of ``year``: nights booked, occupancy (booked ÷ available nights across the
    host's homes) and revenue kept (rent and cleaning the host is paid after refunds and the
    platform fee), counted in the month of check-in."""
    props = list(Property.objects.filter(host=host).exclude(status=Property.Status.DRAFT).values_list("id", flat=True))
    months = [MonthStats(month=dt.date(year, m, 1), end=dt.date(year + (m == 12), m % 12 + 1, 1)) for m in range(1, 13)]
    bookings = Booking.objects.filter(
        property_id__in=props,
        status__in=[Booking.Status.CONFIRMED, Booking.Status.CANCELLED],
        check_in__lt=dt.date(year + 1, 1, 1),
        check_out__gt=dt.date(year, 1, 1),
    ).select_related("payout")
    for b in bookings:
        payout = getattr(b, "payout", None)
        for m in months:
            if b.status == Booking.Status.CONFIRMED:
                m.nights += sum(1 for n in nights_between(b.check_in, b.check_out) if m.month <= n < m.end)
            if payout is not None and m.month <= b.check_in < m.end:
                m.revenue_cents += payout.amount_cents
    for m in months:
        available = len(props) * (m.end - m.month).days
        m.occupancy = round(100 * m.nights / available, 1) if available else 0.0
    return months


def booked_range_bounds() -> QuerySet[CalendarBlock]:
    """Blocks with their bounds as columns (the iCal export orders by them)."""
    return CalendarBlock.objects.annotate(start=Lower("period"), end=Upper("period"))


def trips_for(*, site_schema: str, user_id: int) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(site_schema=site_schema, guest_user_id=user_id)
        .filter(~Q(status=Booking.Status.EXPIRED))
        .select_related("property")
    )
