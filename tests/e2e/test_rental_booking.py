"""In a real browser: a guest on Sarah's site searches vacation rentals by dates and guests,
opens a home, sees the full price, books, pays on the fake Stripe's Checkout, and lands on a
confirmed trip (the webhook and the read-back both go through the real server); the host and
guest are mailed."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from conftest import in_own_thread
from devtools.stripe import FakeStripe
from tests.e2e.fixtures import _free_port, app_server, app_server_env, latest_mail_to

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]

SECRET = "whsec_e2e_rentals"


@pytest.fixture(scope="module")
def rental_site(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    from accounts.models import User
    from rentals.models import Booking, CalendarBlock, Payment, Payout, Property
    from rentals.tests.conftest import make_host, make_property

    port = _free_port()
    fake = FakeStripe(port=0, webhook_secret=SECRET, webhook_url=f"http://localhost:{port}/billing/webhook/").start()
    stripe_env = {"STRIPE_API_BASE": fake.url, "STRIPE_SECRET_KEY": "sk_test_e2e", "STRIPE_WEBHOOK_SECRET": SECRET}
    mail_dir = tmp_path_factory.mktemp("rental-mail")
    env = app_server_env(TEST_EMAIL_FILE_PATH=str(mail_dir), **stripe_env)
    tag = uuid.uuid4().hex[:6]

    def make() -> Property:
        return make_property(
            make_host(f"host-{tag}@example.com"),
            title=f"Desert modern {tag}",
            slug=f"desert-modern-{tag}",
            # far from any other test's homes, so the search finds this one first
            latitude=33.9611,
            longitude=-116.5017,
            city="Desert Hot Springs",
            city_slug="desert-hot-springs",
            nightly_rate_cents=200_00,
            weekend_rate_cents=None,
            cleaning_fee_cents=100_00,
            min_nights=2,
        )

    def cleanup(prop: Property) -> None:
        bookings = Booking.objects.filter(property=prop)
        Payout.objects.filter(booking__in=bookings).delete()
        Payment.objects.filter(booking__in=bookings).delete()
        CalendarBlock.objects.filter(property=prop).delete()
        bookings.delete()
        host_id = prop.host_id
        prop.delete()
        # The ORM's cascade would look for Wagtail's per-site tables in the public schema.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE id = %s", [host_id])

    with django_db_blocker.unblock():
        prop = in_own_thread(make)
        try:
            with app_server(port=port, env=env):
                yield {"port": port, "mail_dir": mail_dir, "prop": prop, "tag": tag}
        finally:
            fake.stop()
            in_own_thread(lambda: cleanup(prop))


def test_guest_searches_books_and_pays_for_a_rental(rental_site: dict[str, Any], page: Any, django_db_blocker: Any):
    from rentals.models import Booking

    prop, tag = rental_site["prop"], rental_site["tag"]
    check_in = dt.date.today() + dt.timedelta(days=40)
    check_out = check_in + dt.timedelta(days=3)
    base = f"http://sarah.localhost:{rental_site['port']}"
    page.goto(base + "/rentals/")
    page.get_by_label("Check-in").first.fill(check_in.isoformat())
    page.get_by_label("Check-out").first.fill(check_out.isoformat())
    page.get_by_label("Guests").first.fill("4")
    page.get_by_label("Max $/night").fill("250")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"/rentals/\?check_in="))
    card = page.locator(f"[data-rental='{prop.slug}']")
    assert card.locator("[data-total]").is_visible()
    card.get_by_role("link", name=f"Desert modern {tag}").click()

    page.wait_for_url(re.compile(rf"/rentals/{prop.slug}/\?"))
    page.get_by_label("Your name").fill("Gail Guest")
    page.get_by_label("Email").fill(f"gail-{tag}@example.com")
    pay_button = page.locator("#book-form button[type=submit]")
    label = pay_button.inner_text()
    assert re.search(r"Book and pay \$\d[\d,]*\.\d\d", label), label
    pay_button.click()

    page.wait_for_url(re.compile(r"/checkout/cs_"))
    assert "Desert modern" in page.content()
    page.locator("#pay").click()

    page.wait_for_url(re.compile(r"/rentals/trips/[0-9a-f-]+/\?paid=1"))
    assert page.locator("[data-status]").get_attribute("data-status") == "confirmed"
    assert "Confirmed" in page.locator("[data-status]").inner_text()

    with django_db_blocker.unblock():
        booking = in_own_thread(lambda: Booking.objects.get(property_id=prop.pk))
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.paid_cents == booking.total_cents == label_cents(label)
    assert (booking.check_in, booking.check_out, booking.guests) == (check_in, check_out, 4)
    assert booking.site_schema == "sarah"
    mail = latest_mail_to(rental_site["mail_dir"], f"gail-{tag}@example.com")
    assert "BEGIN:VCALENDAR" in mail or ".ics" in mail


def label_cents(label: str) -> int:
    match = re.search(r"\$([\d,]+)\.(\d\d)", label)
    assert match, label
    return int(match.group(1).replace(",", "")) * 100 + int(match.group(2))
