"""Side-by-side comparison: plan gate, the rows from the CMA engine and the deal analysis, the
best value marked, bad input, the PDF."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from listings.tests.pages_support import RICH_KEY, signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store", "geocoding")


def others(cma_store, n: int) -> list[str]:
    active, _ = cma_store
    keys = [
        d["listingKey"]
        for d in active
        if d.get("mlsSource") == "gps"
        and d.get("propertyType") == "Residential"
        and d.get("standardStatus") == "Active"
        and d.get("livingArea")
        and d["listingKey"] != RICH_KEY
    ]
    return sorted(keys)[:n]


@pytest.mark.parametrize("plan", ["investor_1", "investor_2", "investor_3"])
def test_comparison_needs_investor_2(sarah_site, cma_store, plan: str) -> None:
    user = user_in(sarah_site, f"cmp-{plan}@example.com")
    subscribe(sarah_site, user, plan)
    client = signed_in(sarah_site, user)
    keys = ",".join([RICH_KEY, *others(cma_store, 1)])
    r = client.get("/invest/compare/", {"listings": keys})
    body = r.content.decode()
    if plan == "investor_1":
        assert "upgrade-prompt" in body and "data-compare" not in body
        assert client.get("/invest/compare/pdf/", {"listings": keys}).status_code == 403
    else:
        assert r.status_code == 200 and "data-compare" in body


def test_rows_best_values_and_pdf(sarah_site, cma_store) -> None:
    user = user_in(sarah_site, "cmp-rows@example.com")
    subscribe(sarah_site, user, "investor_2")
    client = signed_in(sarah_site, user)
    keys = [RICH_KEY, *others(cma_store, 2)]
    body = client.get("/invest/compare/", {"listings": ",".join(keys)}).content.decode()
    table = body[body.index("data-compare") :]
    assert table.count('<th scope="col">') == 4  # a header cell and three homes
    for label in ("Price", "$ per sq ft", "CMA estimate (range)", "Rent estimate", "Cash flow a month", "Cap rate"):
        assert f'<th scope="row">{label}</th>' in table
    # The best price is the lowest one shown.
    price_row = re.search(r'<th scope="row">Price</th>(.*?)</tr>', table, re.S).group(1)
    prices = [int(p.replace(",", "")) for p in re.findall(r"\$([\d,]+)", price_row)]
    best = re.search(r"data-best>\$([\d,]+)", price_row)
    if len(set(prices)) > 1:
        assert best and int(best.group(1).replace(",", "")) == min(prices)
    assert "data-share" in body
    pdf = client.get("/invest/compare/pdf/", {"listings": ",".join(keys)})
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert "Comparison of 3 homes" in text and "Cap rate" in text


def test_bad_comparisons(sarah_site, cma_store) -> None:
    user = user_in(sarah_site, "cmp-bad@example.com")
    subscribe(sarah_site, user, "investor_3")
    client = signed_in(sarah_site, user)
    five = ",".join([RICH_KEY, *others(cma_store, 4)])
    r = client.get("/invest/compare/", {"listings": five})
    assert r.status_code == 400 and "Compare 2 to 4 listings" in r.content.decode()
    r = client.get("/invest/compare/", {"listings": f"{RICH_KEY},no-such-listing"})
    assert r.status_code == 400 and "No listing with that key" in r.content.decode()
    one = client.get("/invest/compare/", {"listings": RICH_KEY})
    assert one.status_code == 200  # the first step: add another
