"""Deal analysis through the real stack: the listing panel and /invest/analyze per plan, save,
PDF, bad inputs, other users and other sites."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from pypdf import PdfReader

from listings.tests.pages_support import RICH_KEY, RICH_SLUG, signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store", "geocoding")

PLANS = ["free", "pro", "ultimate", "investor_1", "investor_2", "investor_3"]
ALLOWED = {"investor_1", "investor_2", "investor_3"}


def member(site, email: str, plan: str | None) -> tuple[object, Client]:
    user = user_in(site, email)
    if plan and plan != "free":
        subscribe(site, user, plan)
    return user, signed_in(site, user)


@pytest.mark.parametrize("plan", PLANS)
def test_plan_gates_the_listing_panel_and_the_analysis_page(sarah_site, plan: str) -> None:
    _, client = member(sarah_site, f"gate-{plan}@example.com", plan)
    page = client.get(f"/listings/{RICH_SLUG}/").content.decode()
    analyze = client.get(f"/invest/analyze/?listing={RICH_KEY}")
    body = analyze.content.decode()
    assert analyze.status_code == 200
    if plan in ALLOWED:
        assert 'data-testid="deal-panel"' in page and 'data-metric="cap_rate"' in page
        assert "deal-teaser" not in page
        assert 'data-metric="irr"' in body and "data-sensitivity" in body and "<svg" in body
    else:
        assert "deal-teaser" in page and 'data-metric="cap_rate"' not in page
        assert "deal-teaser" in body and 'data-metric="irr"' not in body
        assert "data-rent-estimate" not in body  # the teaser carries no real numbers


def test_signed_out_visitor_sees_the_teaser(sarah_site) -> None:
    client = Client(HTTP_HOST=sarah_site.get_primary_domain().domain)
    page = client.get(f"/listings/{RICH_SLUG}/").content.decode()
    assert "deal-teaser" in page and "Sign up" in page
    assert "deal-teaser" in client.get("/invest/analyze/").content.decode()


def test_listing_analysis_uses_listing_costs_rent_comps_and_local_index(sarah_site) -> None:
    _, client = member(sarah_site, "inv-analysis@example.com", "investor_1")
    body = client.get(f"/invest/analyze/?listing={RICH_KEY}").content.decode()
    # Price and costs from the listing, California tax 1 % + local.
    assert 'name="price" value="1250000.00"' in body
    assert 'name="land_lease_monthly" value="0"' in body  # this listing has no land lease
    assert 'name="tax_rate_pct" value="1.1"' in body
    rent = re.search(r'name="rent_monthly" value="(\d+)"', body)
    assert rent and 3000 <= int(rent.group(1)) <= 3500  # the store's lease listings rent 3,000-3,500
    assert body.count("For rent") >= 3  # the comps are shown
    assert "data-appreciation-note" in body and "Local price index" in body


def test_save_open_pdf_and_scoping(sarah_site, mike_site) -> None:
    user, client = member(sarah_site, "inv-save@example.com", "investor_2")
    form = client.get(f"/invest/analyze/?listing={RICH_KEY}").content.decode()
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))
    fields["rent_monthly"] = "6000"
    r = client.post("/invest/analyses/", fields)
    assert r.status_code == 302, r.content.decode()[:1000]
    page = client.get(r["Location"])
    assert page.status_code == 200
    with schema_context(sarah_site.schema_name):
        from invest.models import SavedAnalysis

        saved = SavedAnalysis.objects.get(user=user)
    assert saved.inputs["rent_monthly"] == "6000"
    cash_flow = Decimal(saved.result["monthly_cash_flow"])
    html = page.content.decode()
    shown = f"{'−' if cash_flow < 0 else ''}${abs(cash_flow.quantize(Decimal(1))):,}"
    assert f'data-metric="monthly_cash_flow" class="{"neg" if cash_flow < 0 else ""}">{shown}<' in html
    pdf = client.get(r["Location"] + "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert shown in text and "Sensitivity" in text
    # Another user on the same site, and the same user id on another site: not found.
    _, other = member(sarah_site, "inv-other@example.com", "investor_3")
    assert other.get(r["Location"]).status_code == 404
    assert other.get(r["Location"] + "pdf/").status_code == 404
    _, elsewhere = member(mike_site, "inv-save@example.com", "investor_2")
    assert elsewhere.get(r["Location"]).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rent_monthly": "-100"}, "Rent cannot be negative."),
        ({"term_years": "100"}, "The loan term must be 1 to 40 years."),
        ({"price": "abc"}, "Enter a number."),
        ({"down_pct": "150"}, "The down payment (%) must be between"),
    ],
)
def test_bad_inputs_are_clear_errors_and_save_nothing(sarah_site, change: dict, message: str) -> None:
    user, client = member(sarah_site, f"inv-bad-{list(change)[0]}@example.com", "investor_1")
    base = {"price": "500000", "rent_monthly": "3000", "down_pct": "25", "term_years": "30"}
    page = client.get("/invest/analyze/", {**base, **change})
    assert page.status_code == 400 and message in page.content.decode()
    post = client.post("/invest/analyses/", {**base, **change})
    assert post.status_code == 400
    with schema_context(sarah_site.schema_name):
        from invest.models import SavedAnalysis

        assert not SavedAnalysis.objects.filter(user=user).exists()


def test_zero_down_is_analysed(sarah_site) -> None:
    _, client = member(sarah_site, "inv-zero@example.com", "investor_1")
    page = client.get(
        "/invest/analyze/", {"price": "500000", "rent_monthly": "3000", "down_pct": "0", "closing_costs": "0"}
    )
    assert page.status_code == 200
    assert 'data-metric="cash_on_cash">–<' in page.content.decode()  # nothing invested: no ratio


def test_unknown_listing_is_404_and_unknown_address_a_form_error(sarah_site, geocoding) -> None:
    _, client = member(sarah_site, "inv-unknown@example.com", "investor_1")
    assert client.get("/invest/analyze/?listing=nope-000").status_code == 404
    r = client.get("/invest/analyze/", {"address": "!!!"})
    assert r.status_code == 400 and "could not be found" in r.content.decode()
    # An address the store knows: its rent estimate, the price left to the investor.
    known = client.get("/invest/analyze/", {"address": "123 Palm Canyon Dr, Palm Springs, CA"})
    assert known.status_code == 200 and 'name="price" step' in known.content.decode()


def test_save_needs_the_plan(sarah_site) -> None:
    _, client = member(sarah_site, "inv-nosave@example.com", "ultimate")
    r = client.post("/invest/analyses/", {"price": "500000", "rent_monthly": "3000"})
    assert r.status_code == 403 and "Upgrade" in r.content.decode()
