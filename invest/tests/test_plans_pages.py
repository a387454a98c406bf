"""Plans people can read: the pricing page from the plans in code, meters that read what the
feature counts, billing dates as Stripe writes them, and the API keys page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from billing.plans import plan_comparison, plans_on_sale
from devtools.stripe.pages import _date as stripe_date
from listings.tests.pages_support import signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls")
CSS = Path(__file__).resolve().parents[2] / "billing" / "static" / "billing" / "billing.css"


def test_pricing_for_a_signed_out_visitor(sarah_site) -> None:
    client = Client(HTTP_HOST=sarah_site.get_primary_domain().domain)
    html = client.get("/billing/pricing/").content.decode()
    assert "Your plan" not in html and "is-current" not in html
    assert '<a href="/billing/pricing/">Pricing</a>' in html  # in the navigation
    assert "billing/billing.css" in html
    css = CSS.read_text()
    for cls in set(re.findall(r'class="([a-z-]+)', html)) & {
        "plan-grid",
        "plan-card",
        "plan-price",
        "plan-features",
        "plan-compare",
    }:
        assert f".{cls}" in css  # every pricing class is styled
    # The comparison table is the plans in code, row by row.
    plans = [p for p in plans_on_sale() if p.audience == "consumer"]
    rows = plan_comparison(plans)
    table = html[html.index('data-testid="plan-compare"') :]
    assert re.findall(r'<th scope="row">([^<]+)</th>', table) == [label for label, _ in rows]
    chat = dict(rows)["Chat messages a month"]
    assert [c.text for c in chat][:3] == ["10", "100", "Unlimited"]
    assert "Deal analysis" in " ".join(label for label, _ in rows)
    assert dict(rows)["Deal analysis: cash flow, cap rate, IRR, rent estimates"][0].included is False


def test_signed_in_user_sees_their_plan_once(sarah_site) -> None:
    user = user_in(sarah_site, "plan-reader@example.com")
    subscribe(sarah_site, user, "pro")
    html = signed_in(sarah_site, user).get("/billing/pricing/").content.decode()
    assert html.count('data-testid="current-plan">Your plan<') == 1
    assert re.search(r'class="plan-card is-current" data-plan="pro"', html)


def test_saved_search_meter_reads_what_the_feature_counts(sarah_site) -> None:
    user = user_in(sarah_site, "meter@example.com")
    client = signed_in(sarah_site, user)
    assert client.post("/saved-searches/", {"query": "city=Palm+Springs", "frequency": "daily"}).status_code == 302
    assert "1 of 3 saved searches" in client.get("/saved-searches/").content.decode()
    billing = client.get("/billing/").content.decode()
    meter = billing[billing.index('data-meter="saved_searches"') :][:400]
    assert "1 of 3" in meter


def test_billing_dates_are_written_as_stripe_writes_them(sarah_site) -> None:
    # 03:00 UTC on Jan 5 is still Jan 4 in the site's zone (Los Angeles): both pages now write
    # the UTC instant, and both rewrite it in the browser's zone.
    user = user_in(sarah_site, "dates@example.com")
    subscribe(sarah_site, user, "pro")
    end = dt.datetime(2027, 1, 5, 3, 0, tzinfo=dt.UTC)
    with schema_context(sarah_site.schema_name):
        from billing.models import Subscription

        Subscription.objects.filter(user=user).update(current_period_end=end)
    html = signed_in(sarah_site, user).get("/billing/").content.decode()
    ours = re.search(r'<time datetime="([^"]+)" data-local-date data-testid="renewal-date">([^<]+)</time>', html)
    theirs = re.search(r'<time datetime="([^"]+)" data-local-date>([^<]+)</time>', stripe_date(int(end.timestamp())))
    assert ours and theirs
    assert dt.datetime.fromisoformat(ours.group(1)) == dt.datetime.fromisoformat(theirs.group(1)) == end
    assert ours.group(2) == theirs.group(2) == "Jan 5, 2027"
    assert "billing/local-dates.js" in html


def test_api_keys_page_create_copy_once_revoke(sarah_site) -> None:
    user = user_in(sarah_site, "keys@example.com")
    subscribe(sarah_site, user, "investor_3")
    client = signed_in(sarah_site, user)
    assert client.get("/api/keys", HTTP_ACCEPT="text/html,application/xhtml+xml")["Location"] == "/api-keys/"
    assert client.get("/api/keys", HTTP_ACCEPT="application/json").status_code == 200
    created = client.post("/api-keys/", {"name": "Spreadsheet"})
    html = created.content.decode()
    raw = re.search(r'<code id="new-key">(cr_[^<]+)</code>', html).group(1)
    assert created["Cache-Control"] == "no-store" and "data-copy" in html
    again = client.get("/api-keys/").content.decode()
    assert raw not in again and "Spreadsheet" in again  # shown once
    with schema_context(sarah_site.schema_name):
        from listings.models import ApiKey

        key = ApiKey.objects.get(user=user)
    other = user_in(sarah_site, "keys-other@example.com")
    subscribe(sarah_site, other, "investor_3")
    signed_in(sarah_site, other).post(f"/api-keys/{key.pk}/revoke/")
    with schema_context(sarah_site.schema_name):
        assert ApiKey.objects.get(pk=key.pk).revoked_at is None  # not theirs
    client.post(f"/api-keys/{key.pk}/revoke/")
    with schema_context(sarah_site.schema_name):
        assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert "Spreadsheet" not in client.get("/api-keys/").content.decode()


def test_api_keys_page_needs_investor_3(sarah_site) -> None:
    user = user_in(sarah_site, "keys-free@example.com")
    client = signed_in(sarah_site, user)
    page = client.get("/api-keys/")
    assert page.status_code == 200 and "Investor 3" in page.content.decode()
    assert client.post("/api-keys/", {"name": "x"}).status_code == 403
    assert Client(HTTP_HOST=sarah_site.get_primary_domain().domain).get("/api-keys/").status_code == 302
