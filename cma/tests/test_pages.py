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
