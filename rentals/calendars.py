"""iCalendar (RFC 5545) in and out, with the ``icalendar`` package.

Export: one all-day event per taken range (bookings, host blocks, imported events), the feed
Airbnb and VRBO read. Import: hosts' Airbnb/VRBO feeds, read on a schedule; all-day and timed
events, recurring events expanded (RRULE, RDATE, EXDATE) over the booking horizon; each
feed's blocks are replaced as a whole, and an event that overlaps a booking here is counted as
a conflict (the exclusion constraint refuses it) rather than dropped silently."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from dateutil.rrule import rruleset, rrulestr  # type: ignore[import-untyped]
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar, Event

from rentals.models import CalendarBlock, CalendarFeed, Property

logger = logging.getLogger(__name__)
HORIZON_DAYS = 540
MAX_FEED_BYTES = 2 * 1024 * 1024
MAX_EVENTS = 5000
PRODID = "-//ChatRealty//Vacation rentals//EN"


# -- export ------------------------------------------------------------------------------------
def property_ical(*, prop: Property, domain: str = "chatrealty") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{prop.title} (ChatRealty)")
    now = timezone.now()
    blocks = CalendarBlock.objects.filter(property=prop).exclude(kind=CalendarBlock.Kind.HOLD).order_by("period")
    for block in blocks:
        event = Event()
        event.add("uid", f"block-{block.pk}@{domain}")
        event.add("dtstamp", now)
        event.add("dtstart", block.period.lower)
        event.add("dtend", block.period.upper)
        event.add("summary", "Reserved" if block.kind == CalendarBlock.Kind.BOOKING else "Not available")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()


def booking_ical(*, booking: object, url: str, for_host: bool) -> bytes:
    """The stay as an all-day event to attach to confirmation mail."""
    from rentals.models import Booking

    assert isinstance(booking, Booking)
    prop = booking.property
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking.access_token}@chatrealty")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.check_in)
    event.add("dtend", booking.check_out)
    who = f"{booking.guest_name} ({booking.guests} guests)" if for_host else prop.title
    event.add("summary", f"Stay: {who}")
    event.add("location", f"{prop.address}, {prop.city}")
    event.add("description", f"Booking {booking.pk}. Details and messages: {url}")
    event.add("url", url)
    event.add("geo", (prop.latitude, prop.longitude))
    cal.add_component(event)
    return cal.to_ical()


# -- import ------------------------------------------------------------------------------------
def feed_url_validate(url: str) -> None:
    """Only http(s), and (in production) no loopback/private hosts: the server fetches it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Use the http(s) address of the calendar (Airbnb: 'Export calendar').")
    if settings.RENTALS_ICAL_ALLOW_PRIVATE_HOSTS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise ValidationError("That calendar's host could not be found.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ValidationError("That calendar address is not on the public internet.")


def _as_date(value: dt.date | dt.datetime, *, end: bool) -> dt.date:
    """An event's start or end as the night it starts or the morning it ends. A timed end
    after midnight still takes that night (a 10:00 check-out frees the night before)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value)
        if end and value.time() > dt.time(0) and value.hour >= 15:
            return value.date() + dt.timedelta(days=1)
        return value.date()
    return value


def _occurrences(event: Event, horizon: tuple[dt.date, dt.date]) -> list[tuple[dt.date, dt.date, str]]:
    start_prop = event.get("dtstart")
    if start_prop is None:
        return []
    start = start_prop.dt
    if event.get("dtend") is not None:
        end = event.get("dtend").dt
    elif event.get("duration") is not None:
        end = start + event.get("duration").dt
    else:
        end = start + dt.timedelta(days=1) if not isinstance(start, dt.datetime) else start
    length = end - start
    uid = str(event.get("uid") or "")
    if event.get("rrule") is None and event.get("rdate") is None:
        starts = [start]
    else:
        rules = rruleset()
        if event.get("rrule") is not None:
            rule = rrulestr(event.get("rrule").to_ical().decode(), dtstart=_moment(start), forceset=False)
            rules.rrule(rule)  # type: ignore[arg-type]
        for prop in _as_list(event.get("rdate")):
            for when in prop.dts:
                rules.rdate(_moment(when.dt, like=start))
        for prop in _as_list(event.get("exdate")):
            for when in prop.dts:
                rules.exdate(_moment(when.dt, like=start))
        first, last = horizon
        starts = []
        for occurrence in rules:
            day = occurrence.date() if isinstance(occurrence, dt.datetime) else occurrence
            if day > last:
                break
            if day >= first - dt.timedelta(days=60):
                starts.append(occurrence)
            if len(starts) > MAX_EVENTS:
                break
    out = []
    all_day = not isinstance(start, dt.datetime)
    for occurrence in starts:
        if all_day and isinstance(occurrence, dt.datetime):
            occurrence = occurrence.date()
        lower = _as_date(occurrence, end=False)
        upper = max(_as_date(occurrence + length, end=True), lower + dt.timedelta(days=1))
        out.append((lower, upper, f"{uid}#{lower.isoformat()}" if len(starts) > 1 else uid))
    return out


def _moment(value: dt.date, like: dt.date | None = None) -> dt.datetime:
    """dateutil compares datetimes only: an all-day date becomes its midnight, in the
    event's own time zone (or none) so start, RDATEs and EXDATEs compare."""
    tz = like.tzinfo if isinstance(like, dt.datetime) else None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo or tz is None else value.replace(tzinfo=tz)
    return dt.datetime.combine(value, dt.time(0), tzinfo=tz)


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_ranges(data: bytes, *, today: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """Every busy range in an iCalendar file, clipped to [today, today + horizon), merged
    where they touch or overlap (so one stay split in two events stays one block)."""
    try:
        cal = Calendar.from_ical(data)
    except ValueError as exc:
        raise ValidationError(f"This is not an iCalendar file: {exc}") from exc
    horizon = (today, today + dt.timedelta(days=HORIZON_DAYS))
    ranges = []
    for event in cal.walk("VEVENT"):
        if str(event.get("status", "")).upper() == "CANCELLED" or str(event.get("transp", "")).upper() == "TRANSPARENT":
            continue
        for lower, upper, uid in _occurrences(event, horizon):  # type: ignore[arg-type]
            lower, upper = max(lower, horizon[0]), min(upper, horizon[1])
            if lower < upper:
                ranges.append((lower, upper, uid))
        if len(ranges) > MAX_EVENTS:
            raise ValidationError(f"This calendar has more than {MAX_EVENTS} events.")
    ranges.sort()
    merged: list[tuple[dt.date, dt.date, str]] = []
    for lower, upper, uid in ranges:
        if merged and lower <= merged[-1][1]:
            prev = merged[-1]
            merged[-1] = (prev[0], max(prev[1], upper), prev[2])
        else:
            merged.append((lower, upper, uid))
    return merged


@dataclass(frozen=True)
class ImportResult:
    events: int
    imported: int
    conflicts: int
    error: str = ""

    @property
    def summary(self) -> str:
        if self.error:
            return f"failed: {self.error}"
        return f"{self.imported} of {self.events} busy ranges imported, {self.conflicts} conflicts"


def feed_fetch(url: str) -> bytes:
    feed_url_validate(url)
    with requests.get(
        url, timeout=settings.RENTALS_ICAL_TIMEOUT_SECONDS, stream=True, headers={"User-Agent": "ChatRealty-iCal/1.0"}
    ) as response:
        response.raise_for_status()
        body = response.raw.read(MAX_FEED_BYTES + 1, decode_content=True)
    if len(body) > MAX_FEED_BYTES:
        raise ValidationError("This calendar is larger than 2 MB.")
    return body


def feed_apply(*, feed: CalendarFeed, data: bytes, today: dt.date | None = None) -> ImportResult:
    """Replace the feed's blocks with the ranges in ``data``, one range at a time in a
    savepoint so a range overlapping a booking here is counted and skipped."""
    ranges = parse_ranges(data, today=today or timezone.localdate())
    imported = conflicts = 0
    with transaction.atomic():
        CalendarBlock.objects.filter(feed=feed).delete()
        for lower, upper, uid in ranges:
            try:
                with transaction.atomic():
                    CalendarBlock.objects.create(
                        property_id=feed.property_id,
                        period=(lower, upper),
                        kind=CalendarBlock.Kind.IMPORTED,
                        feed=feed,
                        external_uid=uid[:255],
                        note=feed.name[:200],
                    )
                imported += 1
            except IntegrityError:
                conflicts += 1
        CalendarFeed.objects.filter(pk=feed.pk).update(
            last_fetched_at=timezone.now(), last_error="", last_event_count=len(ranges), last_conflicts=conflicts
        )
    return ImportResult(events=len(ranges), imported=imported, conflicts=conflicts)


def feed_import(*, feed_id: int) -> ImportResult:
    feed = CalendarFeed.objects.get(pk=feed_id)
    try:
        data = feed_fetch(feed.url)
        return feed_apply(feed=feed, data=data)
    except (ValidationError, requests.RequestException) as exc:
        message = (
            exc.messages[0]
            if isinstance(exc, ValidationError)
            else f"could not read the feed ({exc.__class__.__name__})"
        )
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now(), last_error=message[:300])
        logger.info("calendar feed %s failed: %s", feed.pk, message)
        return ImportResult(events=0, imported=0, conflicts=0, error=message)


def feeds_due(*, now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.RENTALS_ICAL_REFRESH_MINUTES)
    from django.db.models import Q

    return list(
        CalendarFeed.objects.filter(Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lt=cutoff))
        .exclude(property__status=Property.Status.DRAFT)
        .values_list("id", flat=True)
    )
