"""Raw record -> listing document."""

from __future__ import annotations

from typing import Any

import pytest

from mls_sync.flatten import MalformedRecord, flatten, street_line


def raw(**fields: Any) -> dict[str, Any]:
    base = {
        "ListingKey": "20100000000000001",
        "ListingId": "219000001",
        "StandardStatus": "Active",
        "ListPrice": "549,000.00",
        "BedsTotal": "3",
        "BathsTotal": 2.5,
        "BuildingAreaTotal": "1850",
        "LotSizeSquareFeet": "********",
        "YearBuilt": 1962,
        "City": "Palm Springs",
        "StreetNumber": "123",
        "StreetName": "Via Lola",
        "UnparsedAddress": "123 Via Lola",
        "Latitude": "33.83",
        "Longitude": -116.54,
        "ModificationTimestamp": "2026-11-20T06:03:00-08:00",
        "PoolPrivateYN": "Y",
        "AssociationFee": "1200",
        "AssociationFeeFrequency": "Annually",
        "LandLeaseAmount": 500,
        "LandLeaseExpirationDate": "2059-01-01",
        "Photos": [{"Id": "a", "Uri640": "a640", "Primary": False}, {"Id": "b", "Uri640": "b640", "Primary": True}],
        "OpenHouses": [{"Date": "11/29/2026", "StartTime": "10:00 am", "EndTime": "1:00 pm"}],
    }
    base.update(fields)
    return {"Id": base.get("ListingKey"), "StandardFields": base}


def test_flatten_normalises_a_sloppy_record() -> None:
    doc = flatten(raw(), source="gps")
    assert doc["listPrice"] == 549000.0 and doc["bedroomsTotal"] == 3 and doc["livingArea"] == 1850.0
    assert doc["bathroomsTotalInteger"] == 2
    assert doc["lotSizeSquareFeet"] is None  # masked
    assert doc["modificationTimestamp"] == "2026-11-20T14:03:00Z"
    assert doc["location"] == {"type": "Point", "coordinates": [-116.54, 33.83]}
    assert doc["slug"] == "123-via-lola-palm-springs-20100000000000001"
    assert doc["poolPrivateYN"] is True and doc["associationFee"] == 100.0  # annual -> monthly
    assert doc["landLease"] is True and doc["landLeaseAmount"] == 500.0  # derived from amount
    assert [p["id"] for p in doc["photos"]] == ["b", "a"] and doc["primaryPhotoUrl"] == "b640"
    assert doc["openHouses"] == [{"date": "2026-11-29", "startTime": "10:00 am", "endTime": "1:00 pm"}]
    assert doc["mlsSource"] == "gps" and len(doc["contentHash"]) == 32


def test_content_hash_tracks_feed_content() -> None:
    assert flatten(raw(), source="gps")["contentHash"] == flatten(raw(), source="gps")["contentHash"]
    assert flatten(raw(), source="gps")["contentHash"] != flatten(raw(ListPrice=1), source="gps")["contentHash"]
    # A photo's size, a caption or a photo order is content too.
    photos = raw()["StandardFields"]["Photos"]
    for changed in (
        [{**photos[0], "Uri2048": "a2048"}, photos[1]],
        [{**photos[0], "Caption": "Pool"}, photos[1]],
        [photos[0], {**photos[1], "Primary": False}],
    ):
        assert flatten(raw(), source="gps")["contentHash"] != flatten(raw(Photos=changed), source="gps")["contentHash"]


def test_photos_keep_every_size_primary_first() -> None:
    sizes = ("UriThumb", "Uri300", "Uri640", "Uri800", "Uri1024", "Uri1280", "Uri1600", "Uri2048", "UriLarge")
    feed = [{"Id": str(n), "Caption": f" c{n} ", "Primary": n == 2, **{s: f"{n}-{s}" for s in sizes}} for n in range(4)]
    photos = flatten(raw(Photos=[*feed, "not a photo"]), source="gps")["photos"]
    assert [p["id"] for p in photos] == ["2", "0", "1", "3"]
    assert photos[0] == {
        "id": "2",
        "caption": "c2",
        "primary": True,
        **{s[0].lower() + s[1:]: f"2-{s}" for s in sizes},
    }


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"ListPrice": "Call agent"}, "ListPrice"),
        ({"Latitude": 1234.5}, "coordinates"),
        ({"StandardStatus": "Sold-ish"}, "StandardStatus"),
        ({"ModificationTimestamp": "yesterday"}, "ModificationTimestamp"),
        ({"YearBuilt": "1e30"}, "cannot hold"),  # an int no 64-bit store field takes
    ],
)
def test_malformed_records_say_why(fields: dict[str, Any], reason: str) -> None:
    with pytest.raises(MalformedRecord) as exc:
        flatten(raw(**fields), source="gps")
    assert reason in exc.value.reason and exc.value.listing_key == "20100000000000001"


def test_record_without_fields_is_malformed() -> None:
    with pytest.raises(MalformedRecord):
        flatten({"Id": "x"}, source="gps")


@pytest.mark.parametrize("field", ["BedsTotal", "BathsTotal", "YearBuilt", "ListPrice", "LivingArea", "GarageSpaces"])
@pytest.mark.parametrize("junk", ["NaN", "Infinity", "-Infinity", "1e400", float("nan"), float("inf"), 10**400])
def test_non_finite_numbers_quarantine_the_record(field: str, junk: Any) -> None:
    with pytest.raises(MalformedRecord) as exc:
        flatten(raw(**{field: junk}), source="gps")
    assert exc.value.reason.startswith(f"{field} is not a finite number")


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("ActiveUnderContract", "Active Under Contract"),
        ("Active Under Contract", "Active Under Contract"),
        ("ACTIVE_UNDER_CONTRACT", "Active Under Contract"),
        ("ComingSoon", "Coming Soon"),
        ("Coming Soon", "Coming Soon"),
        ("Pending", "Pending"),
        ("Closed", "Closed"),
        ("Leased", "Closed"),
        ("Sold", "Closed"),
    ],
)
def test_statuses_in_any_spelling_are_stored_as_display_names(sent: str, stored: str) -> None:
    assert flatten(raw(StandardStatus=sent), source="gps")["standardStatus"] == stored


@pytest.mark.parametrize("sent", ["Hold", "Delete", "Incomplete", "Withdrawn", "Expired", "Canceled", "Cancelled"])
def test_off_market_records_become_tombstones_even_when_stripped(sent: str) -> None:
    doc = flatten(raw(StandardStatus=sent, ListPrice=None, Latitude=None, BedsTotal="NaN"), source="gps")
    assert doc == {
        "listingKey": "20100000000000001",
        "mlsSource": "gps",
        "standardStatus": "Canceled" if sent == "Cancelled" else sent,
        "modificationTimestamp": "2026-11-20T14:03:00Z",
    }


@pytest.mark.parametrize(
    ("full", "city", "state", "postal", "line"),
    [
        ("1420 8th Street N, Fargo, ND 58102", "Fargo", "ND", "58102", "1420 8th Street N"),
        ("1420 8th Street N Fargo ND 58102-4411", "Fargo", "ND", "58102", "1420 8th Street N"),
        ("1 Oak Ct, Hartford, CT 06103", "Hartford", "CT", "06103", "1 Oak Ct"),
        ("123 Palm Springs Dr, Palm Springs, CA 92262, USA", "Palm Springs", "CA", "92262", "123 Palm Springs Dr"),
        ("100 Palm Springs", "Palm Springs", "CA", None, "100 Palm Springs"),
        ("77 Main St", "Fargo", "ND", "58102", "77 Main St"),
    ],
)
def test_street_line_strips_only_this_records_locality(
    full: str, city: str, state: str, postal: str | None, line: str
) -> None:
    assert street_line(full, city=city, state=state, postal=postal) == line


def test_property_type_from_spark_code_and_class_or_reso_enum() -> None:
    assert flatten(raw(PropertyType="A", PropertyClass="Residential"), source="gps")["propertyType"] == "Residential"
    assert flatten(raw(PropertyType="ResidentialLease"), source="gps")["propertyType"] == "Residential Lease"
    assert flatten(raw(PropertyType="B", PropertyClass="MultiFamily"), source="gps")["propertyType"] == (
        "Residential Income"
    )
    assert flatten(raw(PropertyType="Z", PropertyClass="Boat Slip"), source="gps")["propertyType"] == "Boat Slip"


def test_tours_only_as_http_urls() -> None:
    assert flatten(raw(VirtualTourURLBranded="javascript:alert(1)"), source="gps")["virtualTourUrl"] is None
    doc = flatten(
        raw(VirtualTourURLBranded="https://b.example", VirtualTourURLUnbranded="https://u.example"), source="gps"
    )
    assert doc["virtualTourUrl"] == "https://u.example"
