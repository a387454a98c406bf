"""Market-trends pages per plan, the CSV and bad input, through the real stack."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from listings.tests.pages_support import signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store")

Q = {"kind": "city", "place": "Palm Springs", "period": "3y"}


def client_on(site, email: str, plan: str | None) -> Client:
    user = user_in(site, email)
    if plan:
        subscribe(site, user, plan)
    return signed_in(site, user)


@pytest.mark.parametrize("plan", [None, "pro", "ultimate", "investor_1", "investor_3"])
def test_headline_for_everyone_detail_for_investors(sarah_site, plan) -> None:
    client = client_on(sarah_site, f"trends-{plan}@example.com", plan)
    r = client.get("/invest/trends/", Q)
    body = r.content.decode()
    assert r.status_code == 200 and "data-headline" in body
    assert 'data-metric="sales_12m">' in body and 'data-metric="sales_12m">0<' not in body
    csv_response = client.get("/invest/trends.csv", Q)
    if plan in ("investor_1", "investor_3"):
        assert "data-trends-detail" in body and "<svg" in body and "trends-teaser" not in body
        assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
        assert len(rows) == 36 and sum(int(x["sales"]) for x in rows) > 100
    else:
        assert "trends-teaser" in body and "data-trends-detail" not in body
        assert csv_response.status_code == 403


def test_signed_out_and_bad_input(sarah_site) -> None:
    client = Client(HTTP_HOST=sarah_site.get_primary_domain().domain)
    assert "data-headline" in client.get("/invest/trends/", Q).content.decode()
    assert client.get("/invest/trends/", {**Q, "period": "99y"}).status_code == 400
    assert client.get("/invest/trends/", {**Q, "kind": "county"}).status_code == 400
    assert client.get("/invest/trends/").status_code == 200  # the picker alone
