"""No double booking: PostgreSQL's exclusion constraint, under real concurrency.

Committed data and one connection per thread (as billing's concurrency tests), cleaned up
afterwards instead of flushing the database (which would drop the session's sites)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from conftest import in_own_thread
from rentals.models import Booking, CalendarBlock, Property
from rentals.services import DatesUnavailable, booking_hold
from rentals.tests.conftest import NEXT_MONDAY, make_host, make_property

THREADS = 50


@pytest.fixture
def committed_home(django_db_setup: None, django_db_blocker: Any) -> Iterator[Property]:
    from accounts.models import User

    def make() -> Property:
        return make_property(make_host())

    def cleanup(prop: Property) -> None:
        host_id = prop.host_id
        CalendarBlock.objects.filter(property=prop).delete()
        Booking.objects.filter(property=prop).delete()
        prop.delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE id = %s", [host_id])

    with django_db_blocker.unblock():
        prop = in_own_thread(make)
        try:
            yield prop
        finally:
            in_own_thread(lambda: cleanup(prop))


def _race(fn: Callable[[int], Any], n: int = THREADS) -> list[Any]:
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        try:
            barrier.wait()
            return fn(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def test_50_concurrent_checkouts_of_the_same_dates_hold_exactly_one(committed_home: Property) -> None:
    def attempt(i: int) -> str:
        # Overlapping but not identical stays: every pair shares the night of day 2.
        start = NEXT_MONDAY + dt.timedelta(days=i % 3)
        try:
            booking_hold(
                prop=committed_home,
                check_in=start,
                check_out=start + dt.timedelta(days=3),
                guests=2,
                guest_name=f"Guest {i}",
                guest_email=f"guest{i}@example.com",
                site_schema="public",
            )
            return "held"
        except DatesUnavailable:
            return "refused"

    results = _race(attempt)
    assert results.count("held") == 1
    assert results.count("refused") == THREADS - 1

    def state() -> tuple[int, int]:
        return (
            Booking.objects.filter(property=committed_home).count(),
            CalendarBlock.objects.filter(property=committed_home).count(),
        )

    # Nothing half-written: the refused attempts left no booking row behind.
    assert in_own_thread(state) == (1, 1)


@pytest.mark.django_db
def test_the_database_itself_refuses_overlapping_nights(home: Property) -> None:
    CalendarBlock.objects.create(
        property=home, period=(NEXT_MONDAY, NEXT_MONDAY + dt.timedelta(days=3)), kind="blocked"
    )
    # Touching ranges are fine: check-out day is the next guest's check-in day.
    CalendarBlock.objects.create(
        property=home, period=(NEXT_MONDAY + dt.timedelta(days=3), NEXT_MONDAY + dt.timedelta(days=5)), kind="blocked"
    )
    with pytest.raises(IntegrityError, match="rentals_no_overlapping_nights"), transaction.atomic():
        CalendarBlock.objects.create(
            property=home,
            period=(NEXT_MONDAY + dt.timedelta(days=2), NEXT_MONDAY + dt.timedelta(days=4)),
            kind="blocked",
        )
    other = make_property(home.host)
    CalendarBlock.objects.create(
        property=other, period=(NEXT_MONDAY, NEXT_MONDAY + dt.timedelta(days=3)), kind="blocked"
    )


@pytest.mark.django_db
def test_an_expired_hold_no_longer_blocks_the_dates(home: Property) -> None:
    from django.utils import timezone

    first = booking_hold(
        prop=home,
        check_in=NEXT_MONDAY,
        check_out=NEXT_MONDAY + dt.timedelta(days=2),
        guests=2,
        guest_name="First",
        guest_email="first@example.com",
        site_schema="public",
    )
    with pytest.raises(DatesUnavailable):
        booking_hold(
            prop=home,
            check_in=NEXT_MONDAY,
            check_out=NEXT_MONDAY + dt.timedelta(days=2),
            guests=2,
            guest_name="Second",
            guest_email="second@example.com",
            site_schema="public",
        )
    later = timezone.now() + dt.timedelta(minutes=31)
    second = booking_hold(
        prop=home,
        check_in=NEXT_MONDAY,
        check_out=NEXT_MONDAY + dt.timedelta(days=2),
        guests=2,
        guest_name="Second",
        guest_email="second@example.com",
        site_schema="sarah",
        now=later,
    )
    first.refresh_from_db()
    assert first.status == Booking.Status.EXPIRED
    assert second.block.kind == CalendarBlock.Kind.HOLD and second.site_schema == "sarah"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("nights", "guests", "message"),
    [(1, 2, "minimum stay of 2"), (3, 7, "sleeps 6"), (61, 2, "at most 60")],
)
def test_stays_outside_the_homes_rules_are_refused(home: Property, nights: int, guests: int, message: str) -> None:
    from rentals.services import BookingError

    with pytest.raises(BookingError, match=message):
        booking_hold(
            prop=home,
            check_in=NEXT_MONDAY,
            check_out=NEXT_MONDAY + dt.timedelta(days=nights),
            guests=guests,
            guest_name="G",
            guest_email="g@example.com",
            site_schema="public",
        )
    assert not Booking.objects.filter(property=home).exists()
