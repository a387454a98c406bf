"""In a real browser: a visitor opens Sarah's site, sees her branding, signs up, verifies
their email and logs in."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.fixtures import sign_up_and_confirm

# django_db: pytest-django creates the test database only when a collected test asks for it.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]

PASSWORD = "browser-test-pass-2026"


def test_visitor_signs_up_and_logs_in_on_sarahs_site(live_site, page):
    base = f"http://sarah.localhost:{live_site['port']}"
    page.goto(base + "/")
    assert "Sarah Chen Real Estate" in page.title()
    brand = page.locator(".brand-name")
    assert brand.inner_text() == "Sarah Chen Real Estate"
    header_colour = page.locator(".btn-primary").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_colour == "rgb(159, 18, 57)"  # #9f1239, Sarah's brand colour
    assert page.locator("text=Mike Alvarez").count() == 0

    email = f"buyer-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_role("link", name="Sign up").click()
    sign_up_and_confirm(page, mail_dir=live_site["mail_dir"], email=email, password=PASSWORD)
    page.wait_for_url(re.compile(r"sarah\.localhost:\d+/$"))
    assert page.get_by_test_id("signed-in-as").inner_text() == email

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label(re.compile("^Email")).fill(email)
    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^Sign In$", re.I)).click()
    page.wait_for_url(re.compile(r"sarah\.localhost:\d+/$"))
    assert page.get_by_test_id("signed-in-as").inner_text() == email


def test_mike_site_has_its_own_branding(live_site, page):
    page.goto(f"http://mike.localhost:{live_site['port']}/")
    assert page.locator(".brand-name").inner_text() == "Mike Alvarez Homes"
    colour = page.locator(".btn-primary").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(30, 64, 175)"  # #1e40af
