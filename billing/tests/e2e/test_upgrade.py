"""In a real browser: a Free user upgrades to Pro through (fake) Stripe Checkout with a test
card, sees the new limits, and opens the Customer Portal."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from billing.tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _reload_until(page: Any, text: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while text not in page.content():
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared")
        time.sleep(0.3)
        page.reload()


@pytest.mark.django_db
def test_runs_on_the_test_database() -> None:
    # Collected first: makes pytest-django create the test database for this session.
    from django.db import connection

    assert connection.settings_dict["NAME"].startswith("test")


def test_free_user_upgrades_to_pro_and_opens_the_portal(billing_site: dict[str, Any], page: Any) -> None:
    base = billing_site["base"]
    page.goto(base + "/accounts/login/?next=/billing/")
    page.get_by_label(re.compile("^Email")).fill(billing_site["email"])
    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^Sign In$", re.I)).click()
    page.wait_for_url(re.compile(r"/billing/$"))
    assert page.get_by_test_id("current-plan").inner_text() == "Free"
    assert "0 of 10" in page.content()

    page.goto(base + "/billing/pricing/")
    page.get_by_test_id("choose-pro").click()
    page.wait_for_url(re.compile(r"/checkout/cs_test_"))
    assert "$10.00" in page.content()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.locator("#pay").click()
    page.wait_for_url(re.compile(r"/billing/success/\?session_id=cs_test_"))
    assert page.get_by_test_id("current-plan").inner_text() == "Pro"

    page.goto(base + "/billing/")
    assert page.get_by_test_id("current-plan").inner_text() == "Pro"
    assert "0 of 100" in page.content()  # the new limits
    _reload_until(page, "paid")  # invoice.paid arrived through the signed webhook

    page.get_by_test_id("open-portal").click()
    page.wait_for_url(re.compile(r"/portal/bps_"))
    assert "Switch to ChatRealty Ultimate" in page.content()
    page.locator("#return").click()
    page.wait_for_url(re.compile(r"/billing/$"))
