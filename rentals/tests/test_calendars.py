"""iCalendar in and out: a host's Airbnb/VRBO-style calendar file (all-day, timed, recurring
with an exception, cancelled, touching events) read over HTTP into blocks, and our export
read back by the ``icalendar`` package."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from rentals.calendars import feed_import, parse_ranges, property_ical
from rentals.hosting import dates_block, feed_add
from rentals.models import CalendarBlock, CalendarFeed

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2027, 1, 1)
D = dt.date
EXPECTED = [
    (D(2027, 1, 11), D(2027, 1, 14)),  # all-day, 3 nights
    (D(2027, 1, 20), D(2027, 1, 21)),  # all-day without DTEND: one night
    (D(2027, 2, 1), D(2027, 2, 3)),  # 16:00 → 10:00 two days later: 2 nights
    (D(2027, 3, 1), D(2027, 3, 2)),  # weekly on Mondays, 4 times, except the 15th
    (D(2027, 3, 8), D(2027, 3, 9)),
    (D(2027, 3, 22), D(2027, 3, 23)),
    (D(2027, 4, 12), D(2027, 4, 17)),  # two touching events merged
]


def test_the_file_parses_into_the_nights_it_blocks() -> None:
    ranges = parse_ranges((DATA / "host_calendar.ics").read_bytes(), today=TODAY)
    assert [(lo, hi) for lo, hi, _ in ranges] == EXPECTED


@pytest.fixture
def served_calendar() -> Iterator[str]:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(DATA))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/host_calendar.ics"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_round_trip_import_over_http_then_export(home: Any, served_calendar: str, monkeypatch: Any) -> None:
    # The feed's dates are in 2027: read it as of New Year's Day 2027.
    monkeypatch.setattr("rentals.calendars.timezone.localdate", lambda *a: TODAY)
    # A booking here on one of the Monday maintenance nights: that event is a conflict.
    dates_block(prop=home, start=D(2027, 3, 22), end=D(2027, 3, 24), note="our own guest")
    feed = feed_add(prop=home, name="Airbnb", url=served_calendar)
    result = feed_import(feed_id=feed.pk)
    assert (result.events, result.imported, result.conflicts) == (7, 6, 1)
    feed.refresh_from_db()
    assert feed.last_error == "" and feed.last_conflicts == 1
    imported = sorted((b.period.lower, b.period.upper) for b in CalendarBlock.objects.filter(feed=feed))
    assert imported == [r for r in EXPECTED if r != (D(2027, 3, 22), D(2027, 3, 23))]
    # Reading the feed again replaces, never duplicates.
    assert feed_import(feed_id=feed.pk).imported == 6
    assert CalendarBlock.objects.filter(feed=feed).count() == 6

    exported = Calendar.from_ical(property_ical(prop=home))
    events = [(e.get("dtstart").dt, e.get("dtend").dt) for e in exported.walk("VEVENT")]
    assert sorted(events) == sorted(imported + [(D(2027, 3, 22), D(2027, 3, 24))])
    assert all(not isinstance(start, dt.datetime) for start, _ in events)  # all-day events
    # And our export read by our own importer gives the same nights back.
    assert [(lo, hi) for lo, hi, _ in parse_ranges(property_ical(prop=home), today=TODAY)] == sorted(
        imported + [(D(2027, 3, 22), D(2027, 3, 24))]
    )


@pytest.mark.django_db
def test_a_broken_feed_is_reported_and_keeps_the_blocks_it_had(
    home: Any, served_calendar: str, monkeypatch: Any
) -> None:
    monkeypatch.setattr("rentals.calendars.timezone.localdate", lambda *a: TODAY)
    feed = feed_add(prop=home, name="Airbnb", url=served_calendar)
    feed_import(feed_id=feed.pk)
    CalendarFeed.objects.filter(pk=feed.pk).update(url=served_calendar.replace("host_calendar", "missing"))
    result = feed_import(feed_id=feed.pk)
    assert result.error and CalendarBlock.objects.filter(feed=feed).count() == 7
    feed.refresh_from_db()
    assert "could not read" in feed.last_error


def test_private_addresses_are_refused_in_production(settings: Any) -> None:
    from django.core.exceptions import ValidationError

    from rentals.calendars import feed_url_validate

    settings.RENTALS_ICAL_ALLOW_PRIVATE_HOSTS = False
    for url in ("http://127.0.0.1/cal.ics", "http://10.0.0.8/cal.ics", "file:///etc/passwd", "ftp://x/cal.ics"):
        with pytest.raises(ValidationError):
            feed_url_validate(url)
