"""Rent estimates on constructed markets (read models built from documents, no store)."""

from __future__ import annotations

from datetime import date, timedelta

from invest.rent import rent_estimate
from listings.readmodel.model import ReadModel

TODAY = date(2026, 12, 6)
LAT, LON = 33.83, -116.54


def lease(i: int, *, rent: float, sqft: float, miles_north: float, closed: bool = False, beds: int = 3) -> dict:
    doc = {
        "listingKey": f"L{i:05d}",
        "slug": f"lease-{i}",
        "mlsSource": "gps",
        "standardStatus": "Closed" if closed else "Active",
        "propertyType": "Residential Lease",
        "propertySubType": "Single Family Residence",
        "listPrice": rent,
        "livingArea": sqft,
        "bedroomsTotal": beds,
        "unparsedAddress": f"{i} Lease Ln",
        "city": "Palm Springs",
        "latitude": LAT + miles_north / 69.0,
        "longitude": LON,
        "modificationTimestamp": "2026-11-01T00:00:00Z",
    }
    if closed:
        doc |= {"closePrice": rent, "closeDate": (TODAY - timedelta(days=60)).isoformat()}
    return doc


def models(active: list[dict], closed: list[dict]) -> tuple[ReadModel, ReadModel]:
    return ReadModel.from_documents(active), ReadModel.from_documents(closed)


def test_uniform_market_gives_its_rent_per_size() -> None:
    # Every rental rents at the same price for the same size: the estimate is that price.
    active = [lease(i, rent=3000, sqft=1800, miles_north=0.1 * i) for i in range(5)]
    closed = [lease(100 + i, rent=3000, sqft=1800, miles_north=0.2 * i, closed=True) for i in range(3)]
    a, c = models(active, closed)
    est = rent_estimate(lat=LAT, lon=LON, sqft=1800, beds=3, active=a, closed=c, as_of=TODAY)
    assert est.estimate == 3000 and est.low == 3000 and est.high == 3000
    assert len(est.comps) == 8 and est.radius_mi == 1.0


def test_size_scaling_and_range() -> None:
    # Rentals of 1,500 sq ft at $2,500: a 1,800 sq ft home rents for 2,500 x 1.2^0.6.
    active = [lease(i, rent=2400 + 50 * i, sqft=1500, miles_north=0.05 * (i + 1)) for i in range(5)]
    a, c = models(active, [])
    est = rent_estimate(lat=LAT, lon=LON, sqft=1800, beds=3, active=a, closed=c, as_of=TODAY)
    assert est.estimate is not None and est.low is not None and est.high is not None
    assert est.low < est.estimate < est.high
    expected = 2500 * 1.2**0.6
    assert abs(est.estimate - expected) < 80
    assert all(abs(comp["adjusted"] - comp["rent"] * 1.2**0.6) <= 1 for comp in est.comps)


def test_far_stale_and_odd_sized_rentals_do_not_count() -> None:
    far = [lease(i, rent=9000, sqft=1800, miles_north=7 + i) for i in range(4)]  # beyond 5 miles
    huge = [lease(10 + i, rent=9000, sqft=4000, miles_north=0.1) for i in range(4)]  # outside ±35 %
    stale = [lease(20 + i, rent=9000, sqft=1800, miles_north=0.1, closed=True) for i in range(4)]
    for d in stale:
        d["closeDate"] = (TODAY - timedelta(days=900)).isoformat()
    a, c = models(far + huge, stale)
    est = rent_estimate(lat=LAT, lon=LON, sqft=1800, beds=3, active=a, closed=c, as_of=TODAY)
    assert est.estimate is None and "enter the rent" in est.reason


def test_radius_widens_until_three_comps() -> None:
    active = [lease(i, rent=2800, sqft=1800, miles_north=2.5 + 0.1 * i) for i in range(3)]
    a, c = models(active, [])
    est = rent_estimate(lat=LAT, lon=LON, sqft=1800, beds=3, active=a, closed=c, as_of=TODAY)
    assert est.estimate == 2800 and est.radius_mi == 3.0


def test_the_subject_itself_is_not_its_comp() -> None:
    active = [lease(i, rent=2800, sqft=1800, miles_north=0.1 * i) for i in range(3)]
    a, c = models(active, [])
    est = rent_estimate(lat=LAT, lon=LON, sqft=1800, beds=3, active=a, closed=c, as_of=TODAY, exclude_key="L00000")
    assert all(comp["key"] != "L00000" for comp in est.comps)
