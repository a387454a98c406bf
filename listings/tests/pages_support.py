"""Shared setup of the listing-page tests: a URLconf with the listing pages (whatever the
project's URLconfs include yet), a store with known documents and the read model loaded
from it, and signed-in clients on a site."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import include, path
from django_tenants.utils import schema_context

from config.urls_common import api_urlpatterns, common_urlpatterns
from devtools.synthetic.listings import documents
from listings.readmodel import loader

urlpatterns = [p for p in common_urlpatterns if getattr(p, "urlconf_name", None) != "listings.urls"]
urlpatterns = [*api_urlpatterns, path("", include("listings.urls")), *urlpatterns]

PASSWORD = "a-long-enough-pass-2026"
TODAY = date.today()
RICH_KEY = "1900000001"
RICH_SLUG = "123-palm-canyon-dr-palm-springs-1900000001"
CRMLS_KEY = "2900000001"
CRMLS_SLUG = "9-ocean-blvd-long-beach-2900000001"
SOLD_KEY = "1900000002"
SOLD_SLUG = "77-sold-st-palm-springs-1900000002"
SIZES = ("uri300", "uri640", "uri800", "uri1024", "uri1280", "uri1600", "uri2048")


def photo(key: str, n: int) -> dict[str, Any]:
    base = f"https://photos.example.invalid/gps/{key}-{n}"
    return {
        "id": f"{key}-{n}",
        "caption": f"Room {n}",
        "primary": n == 1,
        "uriThumb": f"{base}/thumb.jpg",
        **{s: f"{base}/{s[3:]}.jpg" for s in SIZES},
        "uriLarge": f"{base}/large.jpg",
    }


def rich_document(**over: Any) -> dict[str, Any]:
    doc = {
        "listingKey": RICH_KEY,
        "listingId": "24999001",
        "mlsSource": "gps",
        "slug": RICH_SLUG,
        "standardStatus": "Active",
        "propertyType": "Residential",
        "propertySubType": "Single Family Residence",
        "listPrice": 1_250_000.0,
        "originalListPrice": 1_300_000.0,
        "bedroomsTotal": 3,
        "bathroomsTotalInteger": 2,
        "livingArea": 1850.0,
        "lotSizeSquareFeet": 9000.0,
        "yearBuilt": 1958,
        "poolPrivateYN": True,
        "associationFee": None,
        "landLease": True,
        "landLeaseAmount": 450.0,
        "landLeaseExpirationDate": "2064-12-31",
        "unparsedAddress": "123 Palm Canyon Dr",
        "city": "Palm Springs",
        "stateOrProvince": "CA",
        "postalCode": "92262",
        "subdivisionName": "Movie Colony",
        "latitude": 33.8303,
        "longitude": -116.5453,
        "location": {"type": "Point", "coordinates": [-116.5453, 33.8303]},
        "publicRemarks": "Mid century modern home with mountain views & a <b>pool</b>.",
        "listingContractDate": (TODAY - timedelta(days=12)).isoformat(),
        "onMarketDate": (TODAY - timedelta(days=12)).isoformat(),
        "modificationTimestamp": f"{TODAY.isoformat()}T10:00:00Z",
        "daysOnMarket": 12,
        "primaryPhotoUrl": photo(RICH_KEY, 1)["uri640"],
        "photos": [photo(RICH_KEY, n) for n in (1, 2, 3)],
        "openHouses": [{"date": (TODAY + timedelta(days=3)).isoformat(), "startTime": "11:00", "endTime": "14:00"}],
        "virtualTourUrl": "https://tours.example.invalid/123",
        "priceHistory": [
            {"date": (TODAY - timedelta(days=12)).isoformat(), "price": 1_300_000.0, "event": "Listed"},
            {"date": (TODAY - timedelta(days=2)).isoformat(), "price": 1_250_000.0, "event": "Price change"},
        ],
        "listAgentFullName": "Pat Agent",
        "listOfficeName": "Desert Realty",
    }
    doc.update(over)
    return doc


def crmls_document() -> dict[str, Any]:
    return rich_document(
        listingKey=CRMLS_KEY,
        listingId="OC24999",
        mlsSource="crmls",
        slug=CRMLS_SLUG,
        unparsedAddress="9 Ocean Blvd",
        city="Long Beach",
        postalCode="90802",
        latitude=33.7701,
        longitude=-118.1937,
        location={"type": "Point", "coordinates": [-118.1937, 33.7701]},
        landLease=False,
        photos=[],
        priceHistory=[],
    )


def sold_document() -> dict[str, Any]:
    return rich_document(
        listingKey=SOLD_KEY,
        slug=SOLD_SLUG,
        unparsedAddress="77 Sold St",
        standardStatus="Closed",
        closePrice=990_000.0,
        closeDate="2026-10-01",
        landLease=False,
    )


def store_documents() -> list[dict[str, Any]]:
    docs = list(documents(240, seed=31)) + list(documents(60, seed=32, source="crmls", start=240))
    return [*docs, rich_document(), crmls_document()]


def load_store(docs: list[dict[str, Any]], closed: list[dict[str, Any]] | None = None) -> None:
    from listings.store import CLOSED, LISTINGS, get_db

    db = get_db()
    db[LISTINGS].delete_many({})
    db[CLOSED].delete_many({})
    db[LISTINGS].insert_many([dict(d) for d in docs])
    if closed:
        db[CLOSED].insert_many([dict(d) for d in closed])
    loader.holder(loader.LISTINGS).reload()
    loader.holder(loader.CLOSED).reload()


def clear_store() -> None:
    from listings.store import CLOSED, LISTINGS, get_db

    get_db()[LISTINGS].delete_many({})
    get_db()[CLOSED].delete_many({})


@pytest.fixture(scope="module")
def store(django_db_setup: None, django_db_blocker: Any, mongo_db: Any) -> Iterator[list[dict[str, Any]]]:
    docs = store_documents()
    load_store(docs, closed=[sold_document()])
    yield docs
    clear_store()


@pytest.fixture
def pages_urls(settings: Any) -> Any:
    """The listing pages on every host, and no background refresher thread."""
    settings.ROOT_URLCONF = settings.PUBLIC_SCHEMA_URLCONF = "listings.tests.pages_support"
    settings.LISTINGS_READMODEL_REFRESH = False
    return settings


def user_in(tenant: Any, email: str, **extra: Any) -> Any:
    with schema_context(tenant.schema_name):
        from accounts.models import User

        return User.objects.create_user(email=email, password=PASSWORD, **extra)


def signed_in(tenant: Any, user: Any) -> Client:
    client = Client(HTTP_HOST=tenant.get_primary_domain().domain)
    with schema_context(tenant.schema_name):
        client.force_login(user)
    return client


def subscribe(tenant: Any, user: Any, plan_key: str) -> None:
    from django.utils import timezone

    now = timezone.now()
    with schema_context(tenant.schema_name):
        from billing.models import Subscription

        Subscription.objects.create(
            user=user,
            stripe_subscription_id=f"sub_{plan_key}_{user.pk}",
            stripe_customer_id=f"cus_{user.pk}",
            plan_key=plan_key,
            status="active",
            current_period_start=now - timedelta(days=1),
            current_period_end=now + timedelta(days=29),
            state_as_of=now,
        )
