"""axe-core (WCAG 2.1 A/AA and best practices, any impact) finds nothing on the pages that
matter, on the flagship and an agent site, at 1366×900 and 390×844, signed out and signed in.

One test per viewport and sign-in state walks every page (a browser context per test, axe
injected from bench/node/node_modules) and reports all violations at once. The map is checked
with its clusters and pins drawn, the listing with its small map loaded."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from devtools.a11y import VIEWPORTS, axe_report, axe_source, axe_violations
from tests.e2e.fixtures import site_over_listings

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "axe-browser-pass-2026"
FLAGSHIP, AGENT = "localhost", "sarah.localhost"


@pytest.fixture(scope="module")
def a11y_site(
    mongo_db: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """A server of its own over these listings, and a confirmed buyer account on the flagship
    and on sarah's site."""
    from django_tenants.utils import schema_context

    from accounts.services import user_create
    from devtools.synthetic.listings import documents
    from tenants.models import Tenant

    docs = list(documents(200, seed=19))
    email = f"axe-{uuid.uuid4().hex[:8]}@example.com"
    homes = [d for d in docs if d.get("latitude") and d["propertyType"] == "Residential" and d.get("listPrice")]
    people: dict[str, Any] = {"investor": f"inv-{email}", "agent": f"agent-{email}", "owner": f"owner-{email}"}

    def users() -> None:
        for schema in ("public", Tenant.objects.get(slug="sarah").schema_name):
            with schema_context(schema):
                user_create(email=email, password=PASSWORD, email_verified=True)
        roles_setup(people)

    # Playwright's event loop runs in this thread, where Django refuses database calls.
    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(users).result()
    listing = next(d for d in docs if d.get("latitude") and d["propertyType"] == "Residential")
    with site_over_listings(docs, mail_dir=tmp_path_factory.mktemp("mail")) as site:
        yield {
            **people,
            "port": site["port"],
            "email": email,
            "slug": listing["slug"],
            "city": listing["city"],
            "compare": ",".join(d["listingKey"] for d in homes[:3]),
        }


def roles_setup(people: dict[str, Any]) -> None:
    """An Investor 3 member on the flagship; an agent of sarah's site with a lead (a client)."""
    from django_tenants.utils import schema_context

    from accounts.models import Role
    from accounts.services import user_create
    from leads.models import Lead
    from leads.services import lead_create
    from listings.tests.pages_support import subscribe
    from tenants.models import Tenant

    with schema_context("public"):
        investor = user_create(email=people["investor"], password=PASSWORD, email_verified=True)
    subscribe(Tenant.objects.get(schema_name="public"), investor, "investor_3")
    with schema_context(Tenant.objects.get(slug="sarah").schema_name):
        agent = user_create(
            email=people["agent"], password=PASSWORD, email_verified=True, role=Role.AGENT,
            license_number="DRE #01234567", brokerage="Desert Realty",
        )  # fmt: skip
        lead = lead_create(
            source=Lead.Source.SHOWING_REQUEST, name="Ann Lee", email="ann@example.com", phone="(760) 555-0101",
            message="Can we see it on Saturday?", notify=False,
        )  # fmt: skip
        Lead.objects.filter(pk=lead.pk).update(assigned_to=agent)  # an agent sees her own leads
        people["client"] = lead.contact_id
        people["deal"] = owner_setup(people, agent)


def owner_setup(people: dict[str, Any], agent: Any) -> int:
    """The site's owner (its superuser, as a real site's is), a routing rule so the routing page
    lists one, and a deal split with the agent for the deal-edit page; returns the deal's id."""
    from datetime import date

    from accounts.models import Role
    from accounts.services import user_create
    from leads.commission import SplitTerm
    from leads.routing import routing_rule_create
    from leads.services import deal_record

    owner = user_create(
        email=people["owner"], password=PASSWORD, email_verified=True, role=Role.AGENT, is_superuser=True,
        license_number="DRE #07654321", brokerage="Desert Realty",
    )  # fmt: skip
    routing_rule_create(kind="city", position=10, city="Indio", agent=agent)
    deal = deal_record(
        title="12 Palm Way", sale_price_cents=65_000_000, rate_bp=250, closed_on=date(2026, 11, 20),
        terms=[SplitTerm(agent_id=agent.pk, percent_bp=6_000)], actor=owner,
    )  # fmt: skip
    return int(deal.pk)


def _pages(site: dict[str, Any], signed_in: bool) -> list[tuple[str, str, str]]:
    city = site["city"].lower().replace(" ", "-")
    pages = [
        ("home", FLAGSHIP, "/"),
        ("search", FLAGSHIP, f"/search/?city={site['city']}"),
        ("map preview", FLAGSHIP, "/map/?lat=33.8&lng=-116.45&z=10"),
        ("map", FLAGSHIP, "/map/?lat=33.8&lng=-116.45&z=10"),
        ("listing", FLAGSHIP, f"/listings/{site['slug']}/"),
        ("community", FLAGSHIP, f"/communities/{city}/"),
        ("agent home", AGENT, "/"),
        ("agent map", AGENT, "/map/?lat=33.8&lng=-116.45&z=10"),
        ("pricing", FLAGSHIP, "/billing/pricing/"),
        ("chat", FLAGSHIP, "/chat/"),
        ("CMA", FLAGSHIP, "/cma/"),
    ]
    if signed_in:
        pages += [
            ("favourites", FLAGSHIP, "/favorites/"),
            ("saved searches", FLAGSHIP, "/saved-searches/"),
            ("billing", FLAGSHIP, "/billing/"),
            ("CMA history", FLAGSHIP, "/cma/history/"),
            ("agent favourites", AGENT, "/favorites/"),
        ]
    else:
        pages += [("sign-in", FLAGSHIP, "/accounts/login/"), ("sign-up", AGENT, "/accounts/signup/")]
    return pages


def _role_pages(site: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The agent's CRM and analytics on her site; the investor's tools on the flagship."""
    return [
        ("CRM pipeline", AGENT, "/crm/"),
        ("CRM leads", AGENT, "/crm/leads/"),
        ("CRM client", AGENT, f"/crm/clients/{site['client']}/"),
        ("CRM deals", AGENT, "/crm/deals/"),
        ("CRM earnings", AGENT, "/crm/earnings/"),
        ("analytics", AGENT, "/analytics/"),
        ("invest analyze", FLAGSHIP, f"/invest/analyze/?listing={site['slug']}"),
        ("invest compare", FLAGSHIP, f"/invest/compare/?listings={site['compare']}"),
        ("invest trends", FLAGSHIP, "/invest/trends/"),
        ("invest portfolio", FLAGSHIP, "/invest/portfolio/"),
        ("invest portfolio add", FLAGSHIP, "/invest/portfolio/add/"),
        ("invest branding", FLAGSHIP, "/invest/branding/"),
    ]


def _owner_pages(site: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What only the site's owner reaches in the CRM: routing, recording and correcting deals."""
    return [
        ("CRM routing", AGENT, "/crm/routing/"),
        ("CRM deals (owner)", AGENT, "/crm/deals/"),
        ("CRM deal new", AGENT, "/crm/deals/new/"),
        ("CRM deal edit", AGENT, f"/crm/deals/{site['deal']}/edit/"),
    ]


def _sign_in(page: Any, host: str, port: int, email: str) -> None:
    page.goto(f"http://{host}:{port}/accounts/login/")
    page.get_by_label(re.compile("^Email")).fill(email)
    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^Sign In$", re.I)).click()
    page.get_by_test_id("signed-in-as").wait_for(state="attached")  # in the closed menu on a phone


def _walk(page: Any, port: int, pages: list[tuple[str, str, str]]) -> list[str]:
    source, found = axe_source(), []
    for name, host, path in pages:
        response = page.goto(f"http://{host}:{port}{path}")
        assert response is not None and response.status == 200, f"{name}: {response and response.status}"
        _settle(page, name)
        violations = axe_violations(page, source=source)
        if violations:
            found.append(f"{name} ({host}{path}):\n{axe_report(violations)}")
    return found


def _settle(page: Any, name: str) -> None:
    """Let the page draw what scripts add: map markers, the listing's lazily loaded map."""
    if name.endswith("map preview"):
        page.wait_for_selector("#map [data-map-preview] .pv-cluster")  # as loaded, before MapLibre
    elif name.endswith("map"):
        page.locator("#map").hover()  # reaching for the map starts MapLibre
        page.wait_for_selector("#map[data-ready=true]")
        page.wait_for_selector(".cluster-marker, .price-pin")
    elif name == "listing":
        page.locator("#listing-map").scroll_into_view_if_needed()
        page.wait_for_selector("#listing-map[data-map-state=ready] canvas")


@contextmanager
def _browser_page(browser: Any, viewport: str) -> Iterator[Any]:
    """A page in a fresh browser context at ``viewport`` (a phone is a touch device)."""
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], is_mobile=viewport == "phone", has_touch=viewport == "phone"
    )
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.route(re.compile(r"^https?://[^/]*\.invalid/"), lambda route: route.abort())  # synthetic photos
    try:
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_pages_have_no_axe_violations(a11y_site: dict[str, Any], browser: Any, viewport: str, signed_in: bool) -> None:
    port = a11y_site["port"]
    with _browser_page(browser, viewport) as page:
        if signed_in:
            for host in (FLAGSHIP, AGENT):
                _sign_in(page, host, port, a11y_site["email"])
        found = _walk(page, port, _pages(a11y_site, signed_in))
    assert not found, "axe-core violations:\n" + "\n".join(found)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_crm_and_investor_pages_have_no_axe_violations(a11y_site: dict[str, Any], browser: Any, viewport: str) -> None:
    """Signed in as who uses them: the site's agent (CRM, analytics), an Investor 3 member
    (deal analysis with its result and chart, a comparison of three homes, market trends)."""
    port = a11y_site["port"]
    with _browser_page(browser, viewport) as page:
        _sign_in(page, AGENT, port, a11y_site["agent"])
        _sign_in(page, FLAGSHIP, port, a11y_site["investor"])
        found = _walk(page, port, _role_pages(a11y_site))
    assert not found, "axe-core violations:\n" + "\n".join(found)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_owner_crm_pages_have_no_axe_violations(a11y_site: dict[str, Any], browser: Any, viewport: str) -> None:
    """Signed in as the agent site's owner: the routing rules, the deals list with its edit
    and delete buttons, a new deal's form and a recorded deal's."""
    port = a11y_site["port"]
    with _browser_page(browser, viewport) as page:
        _sign_in(page, AGENT, port, a11y_site["owner"])
        found = _walk(page, port, _owner_pages(a11y_site))
    assert not found, "axe-core violations:\n" + "\n".join(found)
