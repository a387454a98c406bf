"""The portfolio pages: the plan gate (a teaser below Investor 2, never a 404), adding from a
listing, a closed sale and an address, bad input as form errors with nothing saved, a home's
page with its value history, tenants apart, CSV export and import (preview, row errors, all or
nothing)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from invest.models import PortfolioProperty, PortfolioValue
from listings.tests.pages_support import RICH_KEY, SOLD_KEY, signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store", "geocoding")

GOOD = {
    "purchase_price": "990000",
    "purchase_date": "2026-10-01",
    "loan_amount": "742500",
    "loan_rate_pct": "6.5",
    "loan_term_years": "30",
    "rent_monthly": "4500",
    "tax_yearly": "10890",
    "insurance_yearly": "3465",
    "hoa_monthly": "0",
    "other_monthly": "250",
    "vacancy_pct": "5",
    "alert_pct": "5",
}


def investor(site: Any, email: str, plan: str = "investor_2") -> Any:
    user = user_in(site, email)
    subscribe(site, user, plan)
    return signed_in(site, user), user


def count(site: Any, **filters: Any) -> int:
    with schema_context(site.schema_name):
        return PortfolioProperty.objects.filter(**filters).count()


@pytest.mark.parametrize("plan", ["free", "investor_1", "investor_2", "investor_3"])
def test_portfolio_needs_investor_2(sarah_site: Any, plan: str) -> None:
    client, _ = investor(sarah_site, f"pf-{plan}@example.com", plan) if plan != "free" else (None, None)
    if client is None:
        client = signed_in(sarah_site, user_in(sarah_site, "pf-free@example.com"))
    r = client.get("/invest/portfolio/")
    body = r.content.decode()
    assert r.status_code == 200
    if plan in ("investor_2", "investor_3"):
        assert "Add a home" in body and "upgrade-prompt" not in body
    else:
        assert "upgrade-prompt" in body and "Investor 2" in body and "/billing/pricing/" in body
        assert client.post("/invest/portfolio/add/", {"listing": RICH_KEY, **GOOD}).status_code == 403
        assert client.get("/invest/portfolio.csv").status_code == 403
        assert count(sarah_site) == 0


def test_signed_out_visitor_sees_the_teaser(sarah_site: Any, site_client: Any) -> None:
    body = site_client(sarah_site).get("/invest/portfolio/").content.decode()
    assert "portfolio-teaser" in body and "Sign up" in body
    assert site_client(sarah_site).get("/invest/portfolio/add/").status_code == 302


def test_add_from_a_listing_values_it_and_shows_the_figures(sarah_site: Any) -> None:
    client, user = investor(sarah_site, "pf-add@example.com")
    form = client.get("/invest/portfolio/add/", {"listing": RICH_KEY}).content.decode()
    assert 'value="1250000.00"' in form  # the listing's price suggested
    r = client.post("/invest/portfolio/add/", {"listing": RICH_KEY, **GOOD})
    assert r.status_code == 302
    with schema_context(sarah_site.schema_name):
        p = PortfolioProperty.objects.get(user=user)
        assert p.source == "listing" and p.listing_key == RICH_KEY
        assert p.purchase_price_cents == 990_000_00 and p.loan_rate_pct == Decimal("6.5")
        assert p.value_cents and p.value_cents % 1000_00 == 0  # the CMA estimate, to $1,000
        assert PortfolioValue.objects.filter(property=p).count() == 1
    page = client.get(r["Location"]).content.decode()
    assert "data-value-history" in page and "Cash flow" in page
    # The cash flow shown is the finance module's: payment on $742,500 at 6.5 % for 30 years.
    assert "$4,693.11" in page  # the loan payment (6.3207 a month per $1,000 borrowed)
    listing = client.get("/invest/portfolio/").content.decode()
    assert "data-portfolio" in listing and "123 Palm Canyon Dr" in listing
    again = client.post("/invest/portfolio/add/", {"listing": RICH_KEY, **GOOD})
    assert again.status_code == 400 and "already in your portfolio" in again.content.decode()


def test_add_from_a_closed_sale_and_an_address(sarah_site: Any) -> None:
    client, user = investor(sarah_site, "pf-sources@example.com")
    assert client.post("/invest/portfolio/add/", {"listing": SOLD_KEY, **GOOD}).status_code == 302
    no_area = client.post("/invest/portfolio/add/", {"address": "5 Comp St, Palm Springs", **GOOD})
    assert no_area.status_code == 400 and "living area" in no_area.content.decode()
    ok = client.post("/invest/portfolio/add/", {"address": "5 Comp St, Palm Springs", "sqft": "1700", **GOOD})
    assert ok.status_code == 302
    with schema_context(sarah_site.schema_name):
        kinds = sorted(PortfolioProperty.objects.filter(user=user).values_list("source", flat=True))
    assert kinds == ["address", "closed"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"rent_monthly": "-100"}, "rent_monthly", "Rent cannot be negative"),
        ({"loan_amount": "990000"}, "loan_amount", "0 % down"),
        ({"loan_term_years": "100"}, "loan_term_years", "1 to 40 years"),
        ({"listing": "no-such-listing"}, "listing", "No listing with that key"),
        ({"purchase_price": "abc"}, "purchase_price", "Enter a number"),
        ({"listing": "", "address": ""}, "listing", "Give the home"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(
    sarah_site: Any, change: dict[str, str], field: str, words: str
) -> None:
    client, user = investor(sarah_site, f"pf-bad-{field}-{len(words)}@example.com")
    r = client.post("/invest/portfolio/add/", {"listing": RICH_KEY, **GOOD, **change})
    body = r.content.decode()
    assert r.status_code == 400
    error = re.search(rf'data-error-for="{field}">(.*?)</div>', body, re.S)
    assert error and words in error.group(1)
    assert count(sarah_site, user=user) == 0


def test_a_portfolio_on_one_site_is_never_seen_on_another(sarah_site: Any, mike_site: Any) -> None:
    client, _ = investor(sarah_site, "pf-tenant@example.com")
    r = client.post("/invest/portfolio/add/", {"listing": RICH_KEY, **GOOD})
    url = r["Location"]
    mike, _ = investor(mike_site, "pf-tenant@example.com")  # the same person signed up on mike's site
    assert "123 Palm Canyon Dr" not in mike.get("/invest/portfolio/").content.decode()
    assert mike.get(url).status_code == 404
    assert "Palm Canyon" not in mike.get("/invest/portfolio.csv").content.decode()
    assert count(mike_site) == 0 and count(sarah_site) == 1
    other, _ = investor(sarah_site, "pf-other@example.com")  # another user on the same site
    assert other.get(url).status_code == 404
    assert other.post(url.rstrip("/") + "/remove/").status_code == 404


def test_edit_and_remove(sarah_site: Any) -> None:
    client, user = investor(sarah_site, "pf-edit@example.com")
    url = client.post("/invest/portfolio/add/", {"listing": RICH_KEY, **GOOD})["Location"]
    bad = client.post(url, {**GOOD, "rent_monthly": "-5"})
    assert bad.status_code == 400 and "Rent cannot be negative" in bad.content.decode()
    assert client.post(url, {**GOOD, "rent_monthly": "5000"}).status_code == 302
    with schema_context(sarah_site.schema_name):
        assert PortfolioProperty.objects.get(user=user).rent_monthly_cents == 5000_00
    assert client.post(url.rstrip("/") + "/remove/").status_code == 302
    assert count(sarah_site, user=user) == 0


def upload(client: Any, text: str, **extra: Any) -> Any:
    f = SimpleUploadedFile("p.csv", text.encode(), content_type="text/csv")
    return client.post("/invest/portfolio/import/", {"file": f, **extra})


def test_csv_export_imports_back(sarah_site: Any) -> None:
    client, _ = investor(sarah_site, "pf-csv@example.com")
    client.post("/invest/portfolio/add/", {"listing": RICH_KEY, **GOOD})
    client.post("/invest/portfolio/add/", {"address": "5 Comp St, Palm Springs", "sqft": "1700", **GOOD})
    r = client.get("/invest/portfolio.csv")
    text = r.content.decode()
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    lines = text.strip().splitlines()
    assert lines[0].startswith("listing,address,sqft") and len(lines) == 3
    assert f"{RICH_KEY},,1850,3,2.0,990000,2026-10-01,742500,6.500,30,4500" in text
    newcomer, user = investor(sarah_site, "pf-csv2@example.com")
    preview = upload(newcomer, text)
    assert preview.status_code == 200 and "2 homes ready to import" in preview.content.decode()
    assert count(sarah_site, user=user) == 0  # a preview writes nothing
    done = newcomer.post("/invest/portfolio/import/", {"text": text, "confirm": "1"})
    assert done.status_code == 302 and count(sarah_site, user=user) == 2
    again = upload(newcomer, text)
    assert again.status_code == 400 and "already in your portfolio" in again.content.decode()


def test_csv_import_with_a_bad_row_writes_nothing(sarah_site: Any) -> None:
    client, user = investor(sarah_site, "pf-csvbad@example.com")
    text = (
        "listing,address,sqft,purchase_price,purchase_date,loan_amount,loan_term_years,rent_monthly\n"
        f"{RICH_KEY},,,990000,2026-10-01,700000,30,4500\n"
        ",5 Comp St Palm Springs,1700,500000,2025-03-01,400000,100,3000\n"
        "nope,,,300000,2024-01-01,0,30,-20\n"
        "nope,,,300000,2024-01-01,1000,30,2000\n"
    )
    r = upload(client, text)
    body = r.content.decode()
    assert r.status_code == 400 and "3 of 4 rows need correcting" in body
    assert "Loan term (years): The loan term must be 1 to 40 years." in body
    assert "Rent ($ a month): Rent cannot be negative." in body
    assert "listing: No listing with that key" in body
    assert body.count("data-bad-row") == 3 and "data-confirm" not in body
    forced = client.post("/invest/portfolio/import/", {"text": text, "confirm": "1"})
    assert forced.status_code == 400 and count(sarah_site, user=user) == 0
    for junk, words in (
        ("a,b\n1,2\n", "must name the columns"),
        ("", "empty"),
    ):
        bad = upload(client, junk)
        assert bad.status_code == 400 and words in bad.content.decode()
    latin = SimpleUploadedFile("p.csv", "address\nCaf\xe9".encode("latin-1"))
    assert "not UTF-8" in client.post("/invest/portfolio/import/", {"file": latin}).content.decode()


@pytest.mark.parametrize("plan", ["investor_1", "investor_2"])
def test_the_listing_panel_offers_the_portfolio_to_those_who_have_it(sarah_site: Any, plan: str) -> None:
    from listings.tests.pages_support import RICH_SLUG

    client, _ = investor(sarah_site, f"pf-panel-{plan}@example.com", plan)
    page = client.get(f"/listings/{RICH_SLUG}/").content.decode()
    assert "data-analyze" in page
    assert ("data-portfolio-add" in page) == (plan == "investor_2")
    if plan == "investor_2":
        assert f"/invest/portfolio/add/?listing={RICH_KEY}" in page


def test_a_listing_without_living_area_asks_for_it(sarah_site: Any, cma_store: Any) -> None:
    active, _ = cma_store
    key = next(d["listingKey"] for d in active if not d.get("livingArea") and d.get("mlsSource") == "gps")
    client, user = investor(sarah_site, "pf-noarea@example.com")
    assert client.get("/invest/portfolio/add/", {"listing": key}).status_code == 200  # suggestions, no error
    r = client.post("/invest/portfolio/add/", {"listing": key, **GOOD})
    error = re.search(r'data-error-for="sqft">(.*?)</div>', r.content.decode(), re.S)
    assert r.status_code == 400 and error and "living area" in error.group(1)
    assert client.post("/invest/portfolio/add/", {"listing": key, "sqft": "1600", **GOOD}).status_code == 302
    with schema_context(sarah_site.schema_name):
        assert PortfolioProperty.objects.get(user=user).facts["sqft"] == 1600.0
