"""The CMA pages through the real stack: form pre-filled from a listing, report, PDF, history,
limits, leads and tenant scoping."""

from __future__ import annotations

import io
import re

import pytest
from django_tenants.utils import schema_context
from pypdf import PdfReader

from listings.tests.pages_support import RICH_KEY, signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store", "geocoding")


def investor(site, email, plan="investor_1"):
    user = user_in(site, email)
    subscribe(site, user, plan)
    return user, signed_in(site, user)


def test_listing_to_report_to_pdf(sarah_site):
    user, client = investor(sarah_site, "inv1-flow@example.com")
    form = client.get(f"/cma/?listing={RICH_KEY}")
    assert form.status_code == 200
    html = form.content.decode()
    assert "10/10 CMAs remaining" in html
    assert 'value="1850"' in html and "123 Palm Canyon Dr" in html  # pre-filled facts
    r = client.post("/cma/", {"listing": RICH_KEY, "sqft": "1850", "beds": "3", "baths": "2", "pool": "yes"})
    assert r.status_code == 302, r.content.decode()[:2000]
    page = client.get(r["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "9/10 CMAs remaining" in body
    estimate = re.search(r"data-estimate>\$([\d,]+)<", body).group(1)
    with schema_context(sarah_site.schema_name):
        from cma.models import CmaReport

        report = CmaReport.objects.get(user=user)
    assert f"{report.result['estimate']:,}" == estimate
    pdf = client.get(r["Location"] + "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert f"${estimate}" in text
    for c in report.result["comps"][:3]:
        assert c["address"] in text and f"${c['adjusted']:,}" in text


def _colours(data: bytes) -> set[tuple[int, int, int]]:
    """Every RGB fill/stroke colour the PDF's pages paint with, as 0-255 triples."""
    found = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        content = page.get_contents()
        raw = content.get_data().decode("latin-1") if content is not None else ""
        for m in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)\b", raw):
            found.add(tuple(round(float(x) * 255) for x in m.groups()))
    return found


def _hex(c: str) -> tuple[int, int, int]:
    return tuple(int(c[i : i + 2], 16) for i in (1, 3, 5))


def test_pdf_numbers_match_the_page_and_carry_the_brand(sarah_site):
    user, client = investor(sarah_site, "inv1-pdf@example.com")
    r = client.post("/cma/", {"listing": RICH_KEY, "sqft": "1850"})
    body = client.get(r["Location"]).content.decode()
    data = b"".join(client.get(r["Location"] + "pdf/").streaming_content)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    squash = re.sub(r"\s+", " ", text)
    # every dollar figure of the page's summary and comps table is in the PDF
    for label in ("data-estimate", "data-low", "data-high", "data-ppsf"):
        value = re.search(label + r">(\$[\d,]+)<", body).group(1)
        assert value in squash, label
    with schema_context(sarah_site.schema_name):
        from cma.models import CmaReport
        from themes.models import SiteBranding

        report = CmaReport.objects.get(user=user)
        brand = SiteBranding.objects.first()
    for c in report.result["comps"]:
        assert f"${c['adjusted']:,}" in body and f"${c['adjusted']:,}" in squash
    assert report.result["narrative"][:60] in squash or report.result["narrative"][:40] in squash
    colours = _colours(data)
    assert _hex(brand.primary_color) in colours and _hex(brand.accent_color) in colours
    assert brand.site_name in squash
    # stored under the site's own media directory and served again without re-rendering
    assert report.pdf.name.startswith("cma/") and sarah_site.schema_name in report.pdf.path
    again = b"".join(client.get(r["Location"] + "pdf/").streaming_content)
    assert again == data


def test_history_lists_only_my_reports_on_this_site(sarah_site, mike_site):
    me, client = investor(sarah_site, "inv1-hist@example.com")
    other, other_client = investor(sarah_site, "inv1-other@example.com")
    r = client.post("/cma/", {"listing": RICH_KEY})
    url = r["Location"]
    history = client.get("/cma/history/").content.decode()
    assert url.rstrip("/").split("/")[-1] in history
    # another user of the same site: not listed, not viewable, no PDF
    assert url.rstrip("/").split("/")[-1] not in other_client.get("/cma/history/").content.decode()
    assert other_client.get(url).status_code == 404 and other_client.get(url + "pdf/").status_code == 404
    # the same email on another site is another account in another schema: 404
    _, mike_client = investor(mike_site, "inv1-hist@example.com")
    assert mike_client.get(url).status_code == 404
    assert mike_client.get(url + "pdf/").status_code == 404
    assert url.rstrip("/").split("/")[-1] not in mike_client.get("/cma/history/").content.decode()
    with schema_context(mike_site.schema_name):
        from cma.models import CmaReport

        assert not CmaReport.objects.exists()


def test_free_plan_sees_the_upgrade_path(sarah_site):
    user = user_in(sarah_site, "free-cma@example.com")
    client = signed_in(sarah_site, user)
    listing = client.get("/listings/123-palm-canyon-dr-palm-springs-1900000001/").content.decode()
    assert "disabled" in listing and "/billing/pricing/" in listing and "Investor plans" in listing
    form = client.get(f"/cma/?listing={RICH_KEY}").content.decode()
    assert "See plans and upgrade" in form and '<form method="post" class="cma-form"' not in form
    r = client.post("/cma/", {"listing": RICH_KEY})
    assert r.status_code == 403 and "Upgrade" in r.content.decode()


def test_investor_1_gets_ten_then_the_upgrade_path(sarah_site):
    from billing.models import UsageCounter
    from billing.selectors import billing_context_get

    user, client = investor(sarah_site, "inv1-ten@example.com")
    with schema_context(sarah_site.schema_name):
        ctx = billing_context_get(user=user)
        UsageCounter.objects.create(
            subject=f"u:{user.pk}",
            user=user,
            metric="cma_reports",
            period_start=ctx.period_start,
            period_end=ctx.period_end,
            used=9,
        )
    listing = client.get("/listings/123-palm-canyon-dr-palm-springs-1900000001/").content.decode()
    assert "1/10 CMAs remaining" in listing
    assert client.post("/cma/", {"listing": RICH_KEY}).status_code == 302
    listing = client.get("/listings/123-palm-canyon-dr-palm-springs-1900000001/").content.decode()
    assert "0/10 CMAs remaining" in listing and "Upgrade for more" in listing
    r = client.post("/cma/", {"listing": RICH_KEY})
    assert r.status_code == 429 and "/billing/pricing/" in r.content.decode()


def test_agents_are_unlimited_and_a_visitors_cma_is_a_lead(sarah_site):
    from leads.models import Lead

    agent = user_in(sarah_site, "agent-cma@example.com", role="agent", license_number="1", brokerage="B")
    agent_client = signed_in(sarah_site, agent)
    form = agent_client.get(f"/cma/?listing={RICH_KEY}").content.decode()
    assert "Unlimited CMAs" in form
    for _ in range(2):
        assert agent_client.post("/cma/", {"listing": RICH_KEY}).status_code == 302
    visitor, client = investor(sarah_site, "visitor-lead@example.com")
    assert client.post("/cma/", {"listing": RICH_KEY}).status_code == 302
    with schema_context(sarah_site.schema_name):
        leads = list(Lead.objects.filter(source="cma"))
        from billing.models import UsageCounter

        agent_used = UsageCounter.objects.get(user=agent, metric="cma_reports").used
    assert [lead.email for lead in leads] == ["visitor-lead@example.com"]  # the agent's own CMAs are no leads
    assert "123 Palm Canyon Dr" in leads[0].message and leads[0].data["cma_report"]
    assert agent_used == 2  # counted, never refused


def test_flagship_cma_is_saved_in_the_public_schema_and_a_lead_for_the_brokerage(public_tenant):
    from cma.models import CmaReport
    from leads.models import Lead

    user, client = investor(public_tenant, "flag-inv@example.com")
    assert client.post("/cma/", {"listing": RICH_KEY}).status_code == 302
    assert CmaReport.objects.get(user=user).schema_name == "public"
    assert list(Lead.objects.filter(source="cma").values_list("email", flat=True)) == ["flag-inv@example.com"]


@pytest.mark.parametrize(
    ("post", "status", "message"),
    [
        ({}, 400, "Enter the home"),
        ({"address": "1 Nowhere Ln, Palm Springs, CA"}, 400, "Living area is needed"),
        ({"address": "1 Main St, Palm Springs, CA", "sqft": "-5"}, 400, "greater than or equal to 1"),
        ({"listing": "no-such-listing"}, 400, "No listing with that key"),
        ({"address": "Pacific Ocean", "sqft": "1500"}, 400, "in the water"),
        ({"address": "!!!", "sqft": "1500"}, 400, "could not be found"),
        ({"listing": RICH_KEY, "year": "3000"}, 400, "less than or equal to 2200"),
    ],
)
def test_bad_inputs_are_clear_errors_and_cost_nothing(sarah_site, post, status, message):
    user, client = investor(sarah_site, f"bad-{abs(hash(str(post)))}@example.com")
    r = client.post("/cma/", post)
    assert r.status_code == status and message in r.content.decode()
    assert "10/10 CMAs remaining" in r.content.decode()
    assert client.get("/cma/?listing=nope").status_code == 404


def test_address_geocoded_through_the_client_and_cached(sarah_site, geocoding):
    user, client = investor(sarah_site, "geo@example.com")
    before = geocoding.requests
    geocoding.places["12 test way palm springs ca"] = {
        "lat": 33.8310,
        "lng": -116.5440,
        "city": "Palm Springs",
        "postcode": "92262",
    }
    post = {
        "address": "12 Test Way, Palm Springs, CA",
        "sqft": "1800",
        "beds": "3",
        "baths": "2",
        "kind": "Residential",
    }
    r = client.post("/cma/", post)
    assert r.status_code == 302
    assert client.post("/cma/", post).status_code == 302
    assert geocoding.requests == before + 1  # the second lookup came from the cache
    # an address the store already has needs no geocoding at all
    assert client.post("/cma/", {"address": "123 Palm Canyon Dr, Palm Springs, CA", "sqft": "1850"}).status_code == 302
    assert geocoding.requests == before + 1
