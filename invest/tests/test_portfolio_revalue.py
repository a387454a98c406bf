"""Revaluation after a closed-sales sync, through the sync's own hand-over
(``listings.changes.changes_dispatch`` -> the Celery task -> ``core.events.listings_changed`` ->
one revaluation task per site): the new value is the CMA engine's, a snapshot a day, the alert
recorded once and mailed, other sites untouched."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from cma.services import CmaInputs, cma_run
from invest.models import PortfolioAlert, PortfolioProperty, PortfolioValue
from invest.portfolio_revalue import portfolio_revalue
from invest.tasks import portfolio_on_changed
from listings.changes import changes_dispatch
from listings.readmodel import loader
from listings.selectors import site_scope
from listings.store import CLOSED, get_db
from listings.tests.pages_support import SOLD_KEY, TODAY, rich_document, signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store", "geocoding")

HOLDING = {
    "purchase_price": "990000",
    "purchase_date": "2026-10-01",
    "loan_amount": "742500",
    "loan_rate_pct": "6.5",
    "loan_term_years": "30",
    "rent_monthly": "4500",
    "vacancy_pct": "5",
}


def boom_sales(n: int, price: float) -> list[dict[str, Any]]:
    """Homes like the subject next door, sold today for ``price``."""
    return [
        rich_document(
            listingKey=f"1955{i:06d}",
            slug=f"{i}-boom-st-palm-springs-1955{i:06d}",
            unparsedAddress=f"{i} Boom St",
            standardStatus="Closed",
            closePrice=price,
            closeDate=TODAY.isoformat(),
            latitude=33.8303 + 0.0004 * (i % 5),
            longitude=-116.5453 + 0.0004 * (i // 5),
            landLease=False,
            subdivisionName="Alpha",
        )
        for i in range(n)
    ]


@pytest.fixture
def boom() -> Any:
    docs: list[dict[str, Any]] = []

    def put(n: int, price: float) -> list[str]:
        docs.extend(boom_sales(n, price))
        get_db()[CLOSED].insert_many([dict(d) for d in docs[-n:]])
        return [d["listingKey"] for d in docs[-n:]]

    yield put
    get_db()[CLOSED].delete_many({"listingKey": {"$in": [d["listingKey"] for d in docs]}})
    loader.holder(loader.CLOSED).reload()


def test_a_closed_sales_sync_revalues_and_alerts_once(sarah_site: Any, mike_site: Any, boom: Any) -> None:
    user = user_in(sarah_site, "pf-sync@example.com")
    subscribe(sarah_site, user, "investor_2")
    client = signed_in(sarah_site, user)
    url = client.post("/invest/portfolio/add/", {"listing": SOLD_KEY, **HOLDING})["Location"]
    with schema_context(sarah_site.schema_name):
        portfolio_revalue(sources=("gps",), as_of=TODAY - timedelta(days=30))  # a month ago
        p = PortfolioProperty.objects.get(user=user)
        before = p.value_cents
        assert before and PortfolioValue.objects.filter(property=p).count() == 2
    assert client.post(url, {**HOLDING, "alert_pct": "3"}).status_code == 302
    mike = user_in(mike_site, "pf-sync-mike@example.com")
    mail.outbox.clear()

    keys = boom(30, 1.6 * before / 100)
    changes_dispatch(db=get_db(), source="gps", run_id=None, closed=keys)

    with schema_context(sarah_site.schema_name):
        p.refresh_from_db()
        assert p.value_cents > before * 1.03  # the sales next door moved it
        # the CMA engine's own estimate of the home (its local market fitted for it alone)
        _, cma = cma_run(inputs=CmaInputs(listing=SOLD_KEY), scope=site_scope(tenant=sarah_site))
        assert p.value_cents / 100 == pytest.approx(cma["estimate"], rel=0.02)
        days = list(PortfolioValue.objects.filter(property=p).order_by("day").values_list("day", "value_cents"))
        assert [d for d, _ in days] == [TODAY - timedelta(days=30), TODAY] and days[-1][1] == p.value_cents
        alert = PortfolioAlert.objects.get(property=p)
        assert alert.previous_cents == before and alert.value_cents == p.value_cents and alert.sent_at
    sent = [m for m in mail.outbox if user.email in m.to]
    assert len(sent) == 1 and p.address in sent[0].subject and "/invest/portfolio/" in sent[0].body
    assert not [m for m in mail.outbox if mike.email in m.to]

    # The same event delivered again (a retried task): the day's snapshot rewritten, no second alert.
    changes_dispatch(db=get_db(), source="gps", run_id=None, closed=keys)
    with schema_context(sarah_site.schema_name):
        assert PortfolioAlert.objects.filter(property=p).count() == 1
        assert PortfolioValue.objects.filter(property=p).count() == 2
    assert len([m for m in mail.outbox if user.email in m.to]) == 1
    page = client.get(url).content.decode()
    assert "data-value-history" in page and "(emailed)" in page


def test_only_events_with_closed_sales_revalue(sarah_site: Any) -> None:
    assert portfolio_on_changed(None, event={"changed": ["x"], "removed": [], "closed": []}) == 0
    assert portfolio_on_changed(None, event={"changed": [], "removed": [], "closed": ["nope"]}) >= 1
