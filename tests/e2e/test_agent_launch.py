"""In a real browser: an agent signs up on the network, goes through the wizard with a logo
upload, pays on the fake Stripe's Checkout, watches the site being set up, and lands on it at
``<sub>.localhost`` with that logo, layout and colours."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings
from PIL import Image, ImageDraw

from devtools.stripe import FakeStripe
from tests.e2e.fixtures import _free_port, app_server, app_server_env, sign_up_and_confirm

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]

SECRET = "whsec_e2e_launch"
PASSWORD = "browser-test-pass-2026"


@pytest.fixture(scope="module")
def launch_site(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    from billing.catalog import plans_sync

    if not connections["default"].settings_dict["NAME"].startswith("test"):
        pytest.fail("no test database was set up")
    port = _free_port()
    fake = FakeStripe(port=0, webhook_secret=SECRET, webhook_url=f"http://localhost:{port}/billing/webhook/").start()
    stripe_env = {"STRIPE_API_BASE": fake.url, "STRIPE_SECRET_KEY": "sk_test_e2e", "STRIPE_WEBHOOK_SECRET": SECRET}
    mail_dir = tmp_path_factory.mktemp("launch-mail")
    env = app_server_env(TEST_EMAIL_FILE_PATH=str(mail_dir), SITE_PORT_SUFFIX=f":{port}", **stripe_env)

    def prepare() -> None:
        with override_settings(**stripe_env):
            plans_sync()

    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(prepare).result()
    logo = tmp_path_factory.mktemp("logo") / "logo.png"
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).rounded_rectangle((10, 10, 190, 190), 30, fill="#7c3aed")
    image.save(logo)
    try:
        with app_server(port=port, env=env):
            yield {"port": port, "mail_dir": mail_dir, "logo": logo}
    finally:
        fake.stop()


def test_agent_signs_up_pays_and_lands_on_a_live_branded_site(launch_site: dict[str, Any], page: Any) -> None:
    base = f"http://localhost:{launch_site['port']}"
    sub = f"e2e-{uuid.uuid4().hex[:6]}"
    email = f"{sub}@example.com"
    page.goto(base + "/accounts/signup/?next=/network/start/site/")
    page.get_by_label(re.compile("^Full name")).fill("Eve Agent")
    page.get_by_label("I am a").select_option("agent")
    page.get_by_label(re.compile("^License number")).fill("DRE 02222222")
    page.get_by_label(re.compile("^Brokerage")).fill("Eve Realty")
    sign_up_and_confirm(page, mail_dir=launch_site["mail_dir"], email=email, password=PASSWORD)

    page.goto(base + "/network/start/site/")
    page.get_by_label("Site name").fill("Eve Desert Homes")
    page.get_by_label("Address").fill(sub)
    assert page.locator("[data-address-preview]").inner_text() == f"{sub}.localhost:{launch_site['port']}"
    page.locator("form[data-site-step] button[type=submit]").click()

    page.wait_for_url(re.compile("/network/start/brand/"))
    page.locator("label.preset-option", has_text="Luxury").click()
    page.set_input_files("#id_logo", str(launch_site["logo"]))
    page.locator("#id_primary_color").evaluate(
        "e => { e.value = '#7c2d12'; e.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    page.get_by_label(re.compile("^Tagline")).fill("Quiet luxury in the desert")
    preview = page.locator("[data-site-preview]")
    assert "preset-luxury" in (preview.get_attribute("class") or "")
    assert page.locator("[data-pv-logo]").is_visible()
    page.locator("form[data-brand-step] button[type=submit]").click()

    page.wait_for_url(re.compile("/network/start/market/"))
    page.get_by_label(re.compile("Greater Palm Springs")).check()
    page.locator("form[data-market-step] button[type=submit]").click()
    page.wait_for_url(re.compile("/network/start/review/"))
    assert "Luxury" in page.get_by_test_id("review").inner_text()

    page.get_by_test_id("launch").click()
    page.wait_for_url(re.compile(r"/checkout/cs_"))
    assert "free trial" in page.locator("#trial").inner_text()
    page.locator("#pay").click()
    # The progress page, then the new site once it answers.
    page.wait_for_url(re.compile(rf"http://{sub}\.localhost:\d+/$"), timeout=90_000)
    assert page.locator(".brand-name").inner_text() == "Eve Desert Homes"
    logo = page.locator("img.brand-logo")
    assert logo.is_visible() and re.search(r"/media/.+/images/logo.*\.png", logo.get_attribute("src") or "")
    assert "preset-luxury" in (page.locator("body").get_attribute("class") or "")
    colour = page.locator(".btn-primary").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(124, 45, 18)"  # #7c2d12
    assert "Quiet luxury in the desert" in page.content()
    # The footer credits only the feed the agent chose.
    assert "Greater Palm Springs MLS" in page.get_by_test_id("mls-credit").inner_text()


def test_phone_sized_pages_have_a_menu_and_the_map_above_the_fold(launch_site: dict[str, Any], browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(45_000)
    try:
        base = f"http://sarah.localhost:{launch_site['port']}"
        page.goto(base + "/")
        header = page.locator(".site-header").bounding_box()
        assert header and header["height"] < 80  # one row, not three
        nav = page.get_by_role("link", name="Communities")
        assert not nav.is_visible()
        page.get_by_role("button", name="Menu").click()
        assert nav.is_visible()
        page.goto(base + "/map/")
        box = page.locator("#map").bounding_box()
        assert box and box["y"] < 400 and box["y"] + 200 < 844  # the map starts above the fold
        assert "Swipe a card" in (page.goto(base + "/swipe/") and page.locator(".hint-touch").inner_text())
        assert not page.locator(".hint-pointer").is_visible()
    finally:
        context.close()
