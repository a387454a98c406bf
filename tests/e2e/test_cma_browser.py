"""In a real browser: an investor on Sarah's site opens a listing, clicks "Generate CMA", checks
the pre-filled facts and lands on the report with its estimate, range and comparable sales,
the same numbers the report row holds; the allowance on the listing page goes down by one."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conftest import in_own_thread
from tests.e2e.fixtures import _free_port, app_server, app_server_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]

PASSWORD = "browser-test-pass-2026"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def cma_site(django_db_setup: None, django_db_blocker: Any, mongo_db: Any) -> Iterator[dict[str, Any]]:
    """Closed sales around the subject in the store, an investor of Sarah's site, and a server
    started after both, so its read model loads them."""
    from django_tenants.utils import schema_context

    from cma.tests.support import cma_store_documents
    from listings.tests.pages_support import clear_store, load_store, subscribe
    from tenants.models import Tenant

    active, closed = cma_store_documents()
    load_store(active, closed=closed)
    email = f"cma-{uuid.uuid4().hex[:8]}@example.com"

    def prepare() -> Any:
        from accounts.services import user_create

        sarah = Tenant.objects.get(slug="sarah")
        with schema_context(sarah.schema_name):
            user = user_create(email=email, password=PASSWORD, email_verified=True)
        subscribe(sarah, user, "investor_1")
        return sarah

    def cleanup() -> None:
        from accounts.models import User
        from leads.models import Lead

        with schema_context("sarah"):
            Lead.objects.filter(email=email).delete()
            User.objects.filter(email=email).delete()

    port = _free_port()
    with django_db_blocker.unblock():
        sarah = in_own_thread(prepare)
        try:
            with app_server(port=port, env=app_server_env()):
                yield {"base": f"http://{sarah.get_primary_domain().domain}:{port}", "email": email, "schema": "sarah"}
        finally:
            in_own_thread(cleanup)
            clear_store()


@pytest.fixture
def page(page: Any) -> Any:
    """The synthetic listings' photos live on an unresolvable host: fail them at once."""
    page.route(re.compile(r"^https?://[^/]*\.invalid/"), lambda route: route.abort())
    return page


def test_listing_page_to_cma_report(cma_site: dict[str, Any], page: Any, django_db_blocker: Any) -> None:
    from listings.tests.pages_support import RICH_SLUG

    base = cma_site["base"]
    page.goto(base + "/accounts/login/")
    page.get_by_label(re.compile("^Email")).fill(cma_site["email"])
    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^Sign In$", re.I)).click()
    page.wait_for_url(re.compile(r"sarah\.localhost:\d+/$"))

    page.goto(base + f"/listings/{RICH_SLUG}/")
    assert page.locator("[data-cma-remaining]").inner_text() == "10/10 CMAs remaining"
    page.get_by_role("link", name="Generate CMA").click()
    page.wait_for_url(re.compile(r"/cma/\?listing="))
    assert "123 Palm Canyon Dr" in page.locator("main").inner_text()
    assert page.get_by_label("Living area (sq ft)").input_value() == "1850"
    page.get_by_role("button", name="Generate CMA").click()
    page.wait_for_url(re.compile(r"/cma/[0-9a-f-]{36}/$"))

    estimate = page.locator("[data-estimate]").inner_text()
    assert re.fullmatch(r"\$[\d,]+", estimate), estimate
    low, high = (int(page.locator(s).inner_text().strip("$").replace(",", "")) for s in ("[data-low]", "[data-high]"))
    value = int(estimate.strip("$").replace(",", ""))
    assert low <= value <= high
    rows = page.locator("tr[data-comp]")
    assert rows.count() >= 3
    page.get_by_role("heading", name="Adjusted prices against the estimate").wait_for()

    def saved() -> dict[str, Any]:
        from django.db import connections
        from django_tenants.utils import schema_context

        from cma.models import CmaReport

        try:
            with schema_context(cma_site["schema"]):
                return CmaReport.objects.filter(user__email=cma_site["email"]).get().result
        finally:
            connections.close_all()

    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(saved).result()
    assert value == result["estimate"]
    shown = rows.evaluate_all("rows => rows.map(r => r.dataset.comp)")
    assert shown == [c["key"] for c in result["comps"]]
    assert result["comps"][0]["address"] in rows.first.inner_text()

    page.goto(base + f"/listings/{RICH_SLUG}/")
    assert page.locator("[data-cma-remaining]").inner_text() == "9/10 CMAs remaining"
