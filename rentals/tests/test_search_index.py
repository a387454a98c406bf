"""The in-memory search index (rentals.availability) against a brute-force reference: every
home and every night checked in Python from the database's rows. And its freshness: bookings,
holds, host blocks, price changes, new and deleted homes, raw SQL writes are seen by the next
search."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from psycopg.types.range import DateRange

from rentals import availability, selectors
from rentals.models import AvailabilityChange, CalendarBlock, Property
from rentals.selectors import SearchParams
from rentals.tests.conftest import make_property

AMENITIES = ["pool", "hot_tub", "wifi", "kitchen", "parking"]
CITIES = [("palm-springs", 33.80, -116.54), ("indio", 33.72, -116.22), ("la-quinta", 33.66, -116.31)]


@pytest.fixture(autouse=True)
def _fresh_index() -> Any:
    """Each test starts and ends with no index in this process (a test's rows are rolled back
    after it: the next test's index must not have read them)."""
    availability.index.reset()
    yield
    availability.index.reset()


def _homes(host: Any, rng: random.Random, n: int) -> list[Property]:
    homes = []
    today = timezone.localdate()
    for i in range(n):
        city, lat, lng = rng.choice(CITIES)
        homes.append(
            make_property(
                host,
                slug=f"idx-{i}-{rng.getrandbits(32):x}",
                city_slug=city,
                latitude=lat + rng.uniform(-0.05, 0.05),
                longitude=lng + rng.uniform(-0.05, 0.05),
                sleeps=rng.choice([2, 4, 6, 8]),
                amenities=rng.sample(AMENITIES, rng.randrange(0, 4)),
                nightly_rate_cents=rng.choice([100_00, 150_00, 200_00, 300_00]),  # ties: ordered by id
                min_nights=rng.choice([1, 2, 3]),
                status=rng.choice([Property.Status.LISTED] * 4 + [Property.Status.PAUSED]),
            )
        )
        day = today + dt.timedelta(days=rng.randrange(0, 5))
        while day < today + dt.timedelta(days=60):
            nights = rng.randrange(1, 6)
            kind = rng.choice(list(CalendarBlock.Kind.values))
            CalendarBlock.objects.create(
                property=homes[-1], period=DateRange(day, day + dt.timedelta(days=nights)), kind=kind
            )
            day += dt.timedelta(days=nights + rng.randrange(0, 6))
    return homes


def _reference(params: SearchParams) -> list[int]:
    """Brute force: every home, every night of the stay, in Python."""
    found = []
    for home in Property.objects.all():
        nights = set()
        for block in home.blocks.all():
            day = block.period.lower
            while day < block.period.upper:
                nights.add(day)
                day += dt.timedelta(days=1)
        ok = home.status == Property.Status.LISTED and home.sleeps >= params.guests
        ok &= params.min_price_cents is None or home.nightly_rate_cents >= params.min_price_cents
        ok &= params.max_price_cents is None or home.nightly_rate_cents <= params.max_price_cents
        ok &= set(params.amenities) <= set(home.amenities)
        ok &= not params.city_slug or home.city_slug == params.city_slug
        if params.bbox:
            west, south, east, north = params.bbox
            ok &= south <= home.latitude <= north and west <= home.longitude <= east
        if params.check_in and params.check_out:
            stay = (params.check_out - params.check_in).days
            ok &= home.min_nights <= stay
            ok &= not any(params.check_in + dt.timedelta(days=d) in nights for d in range(stay))
        if ok:
            found.append(home)
    return [h.pk for h in sorted(found, key=lambda h: (h.nightly_rate_cents, h.pk))]


def _random_params(rng: random.Random) -> SearchParams:
    check_in = timezone.localdate() + dt.timedelta(days=rng.randrange(0, 55))
    city, lat, lng = rng.choice(CITIES)
    half = rng.choice([0.01, 0.03, 0.2])
    return SearchParams(
        check_in=check_in if rng.random() < 0.9 else None,
        check_out=check_in + dt.timedelta(days=rng.randrange(1, 8)),
        guests=rng.choice([1, 2, 4, 6, 8]),
        min_price_cents=rng.choice([None, None, 150_00]),
        max_price_cents=rng.choice([None, None, 200_00]),
        amenities=tuple(rng.sample(AMENITIES, rng.choice([0, 0, 1, 2]))),
        city_slug=rng.choice(["", "", "", city]),
        bbox=rng.choice([None, (lng - 1.25 * half, lat - half, lng + 1.25 * half, lat + half)]),
    )


def test_the_index_answers_as_the_brute_force_reference(host: Any) -> None:
    rng = random.Random(15)
    _homes(host, rng, 40)
    for _ in range(150):
        params = _random_params(rng)
        page = selectors.search_page(params=params)
        expected = _reference(params)
        assert page["total"] == len(expected), params
        assert [m["id"] for m in page["markers"]] == expected[: selectors.MAX_MAP_MARKERS], params
        assert [c["property"].pk for c in page["cards"]] == expected[: selectors.PAGE_SIZE]


def test_the_index_agrees_with_the_sql_search(host: Any) -> None:
    """The SQL search (kept for stays beyond the index's horizon) gives the same answers."""
    rng = random.Random(17)
    _homes(host, rng, 25)
    for _ in range(40):
        params = _random_params(rng)
        memory = selectors.search_page(params=params)
        sql = selectors._search_page_sql(params=params)
        assert memory["total"] == sql["total"] and memory["markers"] == sql["markers"], params


def _ids(params: SearchParams) -> list[int]:
    return [m["id"] for m in selectors.search_page(params=params)["markers"]]


def test_changes_are_seen_by_the_next_search(host: Any) -> None:
    home = make_property(host, min_nights=1)
    other = make_property(host, min_nights=1, nightly_rate_cents=400_00)
    stay_in = timezone.localdate() + dt.timedelta(days=10)
    stay = SearchParams(check_in=stay_in, check_out=stay_in + dt.timedelta(days=3), guests=2)
    assert _ids(stay) == [home.pk, other.pk]
    block = CalendarBlock.objects.create(
        property=home, period=DateRange(stay_in + dt.timedelta(days=2), stay_in + dt.timedelta(days=4)), kind="hold"
    )
    assert _ids(stay) == [other.pk]  # the stay's last night is held
    block.delete()
    assert _ids(stay) == [home.pk, other.pk]  # the hold expired
    Property.objects.filter(pk=home.pk).update(nightly_rate_cents=900_00)
    assert _ids(stay) == [other.pk, home.pk]  # re-priced
    with connection.cursor() as cursor:  # written behind the ORM's back: the triggers log it too
        cursor.execute(
            "INSERT INTO rentals_calendarblock (property_id, period, kind, external_uid, note)"
            " VALUES (%s, daterange(%s, %s), 'imported', '', '')",
            [other.pk, stay_in, stay_in + dt.timedelta(days=1)],
        )
    assert _ids(stay) == [home.pk]
    newcomer = make_property(host, min_nights=1, nightly_rate_cents=50_00)
    assert _ids(stay) == [newcomer.pk, home.pk]
    Property.objects.filter(pk=newcomer.pk).update(status=Property.Status.PAUSED)
    assert _ids(stay) == [home.pk]
    gone = home.pk
    home.delete()
    assert _ids(stay) == []
    assert AvailabilityChange.objects.filter(property_id=gone).exists()


def test_rows_read_from_a_rolled_back_transaction_are_dropped(host: Any) -> None:
    """The index read a home that is then gone without a log row it can see (a rolled-back
    transaction, a truncated table): the home count no longer matches and it rebuilds."""
    from django.db import transaction

    stay_in = timezone.localdate() + dt.timedelta(days=5)
    stay = SearchParams(check_in=stay_in, check_out=stay_in + dt.timedelta(days=2), guests=1)
    kept = make_property(host, min_nights=1)
    try:
        with transaction.atomic():
            ghost = make_property(host, min_nights=1, nightly_rate_cents=10_00)
            assert _ids(stay) == [ghost.pk, kept.pk]
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert _ids(stay) == [kept.pk]


def test_stays_beyond_the_horizon_are_answered_by_sql(host: Any) -> None:
    home = make_property(host, min_nights=1)
    far = timezone.localdate() + dt.timedelta(days=availability.HORIZON_DAYS + 10)
    stay = SearchParams(check_in=far, check_out=far + dt.timedelta(days=2), guests=1)
    assert availability.matching_rows(availability.index.current(), stay) is None
    assert _ids(stay) == [home.pk]
    CalendarBlock.objects.create(property=home, period=DateRange(far, far + dt.timedelta(days=1)), kind="blocked")
    assert _ids(stay) == []


def test_the_log_is_pruned(host: Any) -> None:
    make_property(host)
    AvailabilityChange.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    make_property(host)
    assert availability.log_prune() >= 1
    assert AvailabilityChange.objects.count() >= 1
    assert not AvailabilityChange.objects.filter(created_at__lt=timezone.now() - availability.LOG_KEEP).exists()
