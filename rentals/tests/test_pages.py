"""Rental pages through the real stack: guest search on an agent site, a home with its full
price, booking redirects to Stripe Checkout, host pages on the network, photo resizing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rentals.models import Booking, Photo
from rentals.tests.conftest import NEXT_MONDAY

pytestmark = pytest.mark.django_db


def _jpeg(size: tuple[int, int] = (3000, 2000)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format="JPEG")
    return SimpleUploadedFile("pool.jpg", out.getvalue(), content_type="image/jpeg")


def test_search_home_and_booking_on_an_agent_site(
    home: Any, sarah_site: Any, site_client: Any, fake_stripe: Any, stripe_settings: Any
) -> None:
    client = site_client(sarah_site)
    stay = {
        "check_in": NEXT_MONDAY.isoformat(),
        "check_out": (NEXT_MONDAY + dt.timedelta(days=3)).isoformat(),
        "guests": 2,
    }
    page = client.get("/rentals/", stay)
    assert page.status_code == 200 and home.title.encode() in page.content
    api = client.get("/api/rentals/search", {**stay, "bbox": "-117,33,-116,34"}).json()
    assert api["total"] == 1 and api["markers"][0]["slug"] == home.slug
    assert client.get("/api/rentals/search", {"bbox": "nonsense"}).status_code == 400
    detail = client.get(home.get_absolute_url(), stay)
    assert detail.status_code == 200 and b"Palm Springs" in detail.content
    # 3 weekday nights at $250 + $150 cleaning = $900; 11.5% = $103.50; total $1,003.50.
    assert b"$1,003.50" in detail.content
    response = client.post(f"{home.get_absolute_url()}book/", {**stay, "name": "Dana", "email": "dana@example.com"})
    assert response.status_code == 302 and response["Location"].startswith(fake_stripe.url + "/checkout/")
    booking = Booking.objects.get(guest_email="dana@example.com")
    assert booking.site_schema == "sarah" and booking.total_cents == 1003_50
    # The same dates again: a clear refusal, nothing written.
    again = client.post(f"{home.get_absolute_url()}book/", {**stay, "name": "Eve", "email": "eve@example.com"})
    assert again.status_code == 409 and b"just booked" in again.content
    assert not Booking.objects.filter(guest_email="eve@example.com").exists()
    trip = client.get(booking.get_absolute_url())
    assert trip.status_code == 200 and b"Awaiting payment" in trip.content
    ics = client.get(f"/rentals/calendar/{home.ical_token}.ics")
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")


def test_host_lists_a_home_with_photos_resized_and_permit_required(host: Any, public_tenant: Any, client: Any) -> None:
    client.defaults["HTTP_HOST"] = public_tenant.get_primary_domain().domain
    client.force_login(host)
    form = {
        "title": "Desert modern",
        "description": "Quiet.",
        "address": "1 Via Miraleste",
        "city": "Palm Springs",
        "latitude": 33.82,
        "longitude": -116.53,
        "sleeps": 4,
        "bedrooms": 2,
        "bathrooms": "2.0",
        "nightly_rate": "199.00",
        "cleaning_fee": "120.00",
        "min_nights": 2,
        "cancellation_policy": "flexible",
        "amenities": ["pool"],
    }
    refused = client.post("/hosting/new/", form)
    assert (
        refused.status_code == 200 and b"registration number" in refused.content.lower() or b"permit" in refused.content
    )
    created = client.post("/hosting/new/", {**form, "permit_number": "VR-2026-0042"})
    assert created.status_code == 302
    prop = host.rental_properties.get()
    assert prop.nightly_rate_cents == 199_00 and prop.city_slug == "palm-springs"
    upload = client.post(f"/hosting/{prop.pk}/calendar/", {"action": "photo", "image": _jpeg(), "caption": "Pool"})
    assert upload.status_code == 302
    photo = Photo.objects.get(property=prop)
    with Image.open(photo.large.path) as large, Image.open(photo.thumb.path) as thumb:
        assert large.size == (1600, 1067) and thumb.size == (480, 320)
    served = client.get(photo.thumb.url)
    assert served.status_code == 200
    not_image = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    client.post(f"/hosting/{prop.pk}/calendar/", {"action": "photo", "image": not_image})
    assert Photo.objects.filter(property=prop).count() == 1
    assert client.post(f"/hosting/{prop.pk}/calendar/", {"action": "list"}).status_code == 302
    prop.refresh_from_db()
    assert prop.status == "listed"
    dashboard = client.get("/hosting/")
    assert dashboard.status_code == 200 and b"occupancy" in dashboard.content.lower()
    assert client.get(f"/hosting/{prop.pk}/calendar/").status_code == 200


def test_hosts_pages_belong_to_their_host(home: Any, public_tenant: Any, client: Any) -> None:
    from rentals.tests.conftest import make_host

    client.defaults["HTTP_HOST"] = public_tenant.get_primary_domain().domain
    client.force_login(make_host())
    assert client.get(f"/hosting/{home.pk}/calendar/").status_code == 404
    assert client.get(f"/hosting/{home.pk}/edit/").status_code == 404
