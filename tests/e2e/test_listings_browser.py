"""In a real browser: the map shows clusters, zooming splits them, a price pin opens the
listing; five cards are swiped; a visitor saves a home after signing up."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.fixtures import sign_up_and_confirm, site_over_listings

# django_db: so an e2e-only run still sets up (and serves) the test database.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]

PASSWORD = "browser-test-pass-2026"
BUILDING = (33.8251, -116.5402)  # lat, lon
# Playwright's sync API keeps an event loop running in this thread; the per-test database
# transaction of ``django_db`` is plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def listings_site(
    mongo_db: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """A server of its own over these listings: two MLS sources and a condo building; a Pro
    member of sarah's site (drawing an area is a Pro filter)."""
    from concurrent.futures import ThreadPoolExecutor

    from devtools.synthetic.listings import documents

    # Playwright's event loop runs in this thread, where Django refuses database calls.
    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_pro_member).result()

    docs = list(documents(300, seed=41)) + list(documents(40, seed=42, source="crmls", start=300))
    # A condo building: four homes at one point, which no zoom can pull apart.
    building = [d for d in docs if d["mlsSource"] == "gps"][:4]
    for d in building:
        d["latitude"], d["longitude"] = BUILDING
        d["location"] = {"type": "Point", "coordinates": [BUILDING[1], BUILDING[0]]}
    with site_over_listings(docs, mail_dir=tmp_path_factory.mktemp("mail")) as site:
        yield {**site, "docs": docs}


PRO_EMAIL = f"pro-{uuid.uuid4().hex[:8]}@example.com"


def _pro_member() -> None:
    from django_tenants.utils import schema_context

    from accounts.services import user_create
    from listings.tests.pages_support import subscribe
    from tenants.models import Tenant

    sarah = Tenant.objects.get(slug="sarah")
    with schema_context(sarah.schema_name):
        user = user_create(email=PRO_EMAIL, password=PASSWORD, email_verified=True)
    subscribe(sarah, user, "pro")


@pytest.fixture(scope="module")
def listings_store(listings_site: dict[str, Any]) -> list[dict[str, Any]]:
    return list(listings_site["docs"])


@pytest.fixture
def page(page: Any) -> Any:
    """The synthetic listings' photos live on an unresolvable host: fail them at once."""
    page.route(re.compile(r"^https?://[^/]*\.invalid/"), lambda route: route.abort())
    return page


def test_homes_at_one_point_show_as_a_stack_that_lists_them(
    listings_site: dict[str, Any], listings_store: list[dict[str, Any]], page: Any
) -> None:
    at_building = {
        d["slug"] for d in listings_store if (d["latitude"], d["longitude"]) == BUILDING and d["mlsSource"] == "gps"
    }
    assert len(at_building) == 4
    base = f"http://sarah.localhost:{listings_site['port']}"
    page.goto(base + f"/map/?lat={BUILDING[0]}&lng={BUILDING[1]}&z=18")
    _live_map(page)
    stack = page.locator(".pin-stack[data-count='4']")
    stack.wait_for()
    # No single price pin sits under the stack: the four homes are only reachable through it.
    assert not at_building & set(page.eval_on_selector_all(".price-pin", "els => els.map(e => e.dataset.slug)"))
    stack.click()
    links = page.locator(".pin-stack-list a")
    links.first.wait_for()
    assert set(links.evaluate_all("els => els.map(e => e.dataset.slug)")) == at_building
    slug = links.nth(2).get_attribute("data-slug")
    links.nth(2).click()
    page.wait_for_url(re.compile(rf"/listings/{re.escape(slug or '')}/$"))


def _live_map(page: Any) -> None:
    """Reach for the map (a mouse over it starts MapLibre) and wait for its markers."""
    page.locator("#map").hover()
    page.wait_for_selector("#map[data-ready=true]")


def test_map_opens_on_a_server_drawn_preview_and_starts_from_the_keyboard(
    listings_site: dict[str, Any], listings_store: Any, page: Any
) -> None:
    """Issue 19: before anyone reaches for it, the map box shows the first view drawn on the
    server and MapLibre is not even fetched; its start button (for the keyboard) starts the map
    at the same view with the keyboard on the map, and the preview's clusters become the live
    ones at the same place. A click on a preview cluster zooms in, as on a live one."""
    base = f"http://sarah.localhost:{listings_site['port']}"
    page.goto(base + "/map/?lat=33.78&lng=-116.40&z=9")
    page.wait_for_timeout(1500)  # idle after load: nothing starts by itself
    assert page.evaluate("typeof window.maplibregl") == "undefined"
    assert page.locator("#map [data-map-preview] .pv-cluster").count() >= 1
    preview = _cluster_centres(page, ".pv-cluster")
    assert preview
    start = page.locator("[data-map-start]")
    start.focus()
    assert start.is_visible()  # shown once focused
    page.wait_for_selector("#map[data-ready=true]")
    page.wait_for_selector("[data-map-preview]", state="detached")
    assert page.evaluate("document.activeElement === window.listingsMap.getCanvas()")
    assert abs(page.evaluate("window.listingsMap.getZoom()") - 9) < 0.01
    live = _cluster_centres(page, ".cluster-marker")
    # The same clusters at the same place (within a pixel or two of rounding).
    for x, y, text in preview:
        assert any(abs(x - lx) <= 2 and abs(y - ly) <= 2 for lx, ly, lt in live if lt == text), (x, y, text)

    page.goto(base + "/map/?lat=33.78&lng=-116.40&z=9")
    x, y, _ = preview[0]
    page.locator("#map").click(position={"x": x, "y": y})  # on the preview's cluster
    page.wait_for_selector("#map[data-ready=true]")
    page.wait_for_function("window.listingsMap.getZoom() > 10.9 && !window.listingsMap.isMoving()")


def _cluster_centres(page: Any, selector: str) -> list[tuple[float, float, str]]:
    """(x, y, label) of the clusters whose centre is well inside the map box, from its top left
    corner (the page may scroll); the live map asks for its own view's clusters only, the
    preview draws a wider area."""
    box = page.locator("#map").bounding_box()
    out = []
    for el in page.locator(selector).all():
        b = el.bounding_box()
        if not b:
            continue
        x, y = b["x"] + b["width"] / 2 - box["x"], b["y"] + b["height"] / 2 - box["y"]
        if 40 < x < box["width"] - 40 and 40 < y < box["height"] - 40:
            out.append((x, y, el.inner_text()))
    return out


def _markers(page: Any) -> tuple[int, int]:
    return page.locator(".cluster-marker").count(), page.locator(".price-pin").count()


def test_map_clusters_split_on_zoom_and_open_a_listing(
    listings_site: dict[str, Any], listings_store: Any, page: Any
) -> None:
    base = f"http://sarah.localhost:{listings_site['port']}"
    page.goto(base + "/map/?lat=33.78&lng=-116.40&z=8")
    _live_map(page)
    page.wait_for_selector(".cluster-marker")
    # The offline basemap's layers, converted from TopoJSON off the main thread, are drawn.
    page.wait_for_selector("#map[data-basemap=offline]")
    assert page.evaluate(
        "!!window.listingsMap.getSource('basemap-counties') && !!window.listingsMap.getLayer('basemap-land')"
    )
    clusters, pins = _markers(page)
    assert clusters >= 1
    first_total = clusters + pins
    assert re.search(r"\d+ homes", page.locator("[data-map-count]").inner_text())
    # Zoom into the biggest cluster: it splits into more markers.
    biggest = max(
        range(clusters),
        key=lambda i: int(re.sub(r"\D", "", page.locator(".cluster-marker").nth(i).get_attribute("aria-label") or "0")),
    )
    zoom_before = page.evaluate("window.listingsMap.getZoom()")
    page.locator(".cluster-marker").nth(biggest).click()
    page.wait_for_function(f"window.listingsMap.getZoom() > {zoom_before} + 0.5")
    page.wait_for_function(
        f"document.querySelectorAll('.cluster-marker, .price-pin').length > {first_total}"
        " || document.querySelectorAll('.price-pin').length > 0"
    )
    page.wait_for_timeout(400)
    assert sum(_markers(page)) > 1
    assert re.search(r"z=\d", page.url)  # the URL restores the view
    # Keep zooming into clusters until price pins show; click one.
    for _ in range(12):
        if page.locator(".price-pin").count():
            break
        z = page.evaluate("window.listingsMap.getZoom()")
        page.locator(".cluster-marker").first.click()
        page.wait_for_function(f"window.listingsMap.getZoom() > {z}")
        page.wait_for_timeout(500)
    # Markers are redrawn after each move: let the last redraw land. Pins may overlap, so pick
    # one that is on top at its centre, and click it by its slug so a redraw between reading and
    # clicking cannot swap it for another listing's pin.
    page.wait_for_load_state("networkidle")
    slug = page.evaluate(
        """() => [...document.querySelectorAll('.price-pin')].map(el => {
             const r = el.getBoundingClientRect();
             const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
             return top && el.contains(top) ? el.dataset.slug : null;
           }).find(Boolean)"""
    )
    assert slug, "no price pin is clickable"
    page.locator(f".price-pin[data-slug='{slug}']").click()
    page.wait_for_url(re.compile(rf"/listings/{re.escape(slug)}/$"))
    assert page.locator("h1.listing-title").is_visible()
    # A restored URL shows the same view. (Signed in as a Pro member: the drawn area is theirs.)
    page.goto(base + "/accounts/login/")
    page.get_by_label(re.compile("^Email")).fill(PRO_EMAIL)
    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^Sign In$", re.I)).click()
    page.get_by_test_id("signed-in-as").wait_for(state="attached")
    page.goto(base + "/map/?lat=33.8303&lng=-116.5453&z=13.5&minBeds=2")
    _live_map(page)
    assert abs(page.evaluate("window.listingsMap.getZoom()") - 13.5) < 0.01
    assert page.locator("#f-minBeds").input_value() == "2"
    # Draw an area: three corners around the centre; the list only counts homes inside it.
    before = page.locator("[data-map-count]").inner_text()
    page.locator("[data-draw]").click()
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-60, -60), (60, -60), (0, 60)):
        page.mouse.click(cx + dx, cy + dy)
    page.locator("[data-draw]").click()
    page.wait_for_function("location.search.includes('polygon=')")
    page.wait_for_function(f"document.querySelector('[data-map-count]').textContent !== {before!r}")
    assert page.locator("[data-draw-clear]").is_visible()


def test_chat_map_link_shows_the_same_count_on_the_map(
    listings_site: dict[str, Any], listings_store: list[dict[str, Any]], page: Any
) -> None:
    """Issue 12: the chat's "Show these on the map" keeps subdivision, sub-type and max beds:
    the map opens on those homes and counts what the search counted, before and after its script
    has run, and an Apply of the form keeps them."""
    from collections import Counter

    from chat.tools import map_url

    on_sale = [d for d in listings_store if d["mlsSource"] == "gps" and d["propertyType"] != "Residential Lease"]
    (subdivision, _), _ = Counter(
        (d.get("subdivisionName"), d.get("propertySubType")) for d in on_sale if d.get("subdivisionName")
    ).most_common(1)[0]
    link = map_url(
        {"subdivision": subdivision, "propertySubType": ["SingleFamilyResidence", "Condominium"], "maxBeds": 3}
    )
    base = f"http://sarah.localhost:{listings_site['port']}"
    page.goto(base + link)
    first = page.locator("[data-map-count]").inner_text()  # listed by the server
    fetch = "q => fetch('/api/listings?listingType=sale' + q).then(r => r.json())"
    search = page.evaluate(fetch, "&" + link.split("?", 1)[1])
    assert 0 < search["total"] < page.evaluate(fetch, "")["total"]
    words = f"{search['total']:,} home{'' if search['total'] == 1 else 's'}"
    assert first == words
    _live_map(page)
    page.wait_for_function(f"document.querySelector('[data-map-count]').textContent === {words!r}")
    assert page.locator(".map-cards .listing-card").count() == min(24, search["total"])
    page.locator("form[data-filters] button[type=submit]").click()
    page.wait_for_timeout(500)
    assert page.locator("[data-map-count]").inner_text() == words
    assert "subdivision=" in page.url and "propertySubType=" in page.url and "maxBeds=3" in page.url


def test_swipe_five_cards(listings_site: dict[str, Any], listings_store: Any, page: Any) -> None:
    page.goto(f"http://sarah.localhost:{listings_site['port']}/swipe/")
    seen = []
    for i in range(5):
        top = page.locator(".swipe-card.top").last
        top.wait_for()
        key = top.get_attribute("data-key")
        assert key not in seen
        seen.append(key)
        if i == 0:
            page.locator("[data-swipe-like]").click()
        elif i == 1:
            page.locator("[data-swipe-pass]").click()
        elif i == 2:  # drag with the mouse
            box = top.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 3, steps=4)
            page.mouse.move(box["x"] + box["width"] / 2 + 220, box["y"] + box["height"] / 3, steps=4)
            page.mouse.up()
        else:
            page.keyboard.press("ArrowRight" if i == 3 else "ArrowLeft")
        page.wait_for_function(f"!document.querySelector('.swipe-card[data-key=\"{key}\"]')")
    page.wait_for_function("document.querySelector('[data-swipe-status]').textContent.length > 0")
    # A reload never shows the swiped cards again.
    page.reload()
    page.locator(".swipe-card.top").wait_for()
    keys = page.eval_on_selector_all(".swipe-card", "els => els.map(e => e.dataset.key)")
    assert not set(keys) & set(seen)


def test_favourite_after_sign_up(
    listings_site: dict[str, Any], listings_store: list[dict[str, Any]], page: Any
) -> None:
    base = f"http://sarah.localhost:{listings_site['port']}"
    doc = next(d for d in listings_store if d["mlsSource"] == "gps" and d["standardStatus"] == "Active")
    listing = f"{base}/listings/{doc['slug']}/"
    page.goto(listing)
    page.locator("[data-favorite-signup]").click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    email = f"saver-{uuid.uuid4().hex[:8]}@example.com"
    sign_up_and_confirm(page, mail_dir=listings_site["mail_dir"], email=email, password=PASSWORD)
    page.wait_for_load_state()
    page.goto(listing)
    assert page.get_by_test_id("signed-in-as").inner_text() == email
    button = page.locator("[data-favorite-button]")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    page.wait_for_function("document.querySelector('[data-favorite-button]').getAttribute('aria-pressed') === 'true'")
    page.goto(base + "/favorites/")
    assert page.locator(f".listing-card[data-listing-key='{doc['listingKey']}']").count() == 1
