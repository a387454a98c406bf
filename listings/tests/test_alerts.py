"""Saved-search alerts: computed from the keys a sync changed, once per change (new match,
price drop), instant or daily digest, SMS for Ultimate+, signed one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from listings import sms
from listings.models import AlertSent, SavedSearch
from listings.store import LISTINGS, get_db
from listings.tasks import alerts_daily_digest, alerts_on_changed
from listings.tests.pages_support import TODAY, pages_urls, rich_document, store, subscribe, user_in

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store")

NEW_KEY = "1900000050"


def new_listing(**over: Any) -> dict[str, Any]:
    doc = rich_document(
        listingKey=NEW_KEY,
        slug=f"50-new-way-palm-springs-{NEW_KEY}",
        unparsedAddress="50 New Way",
        listPrice=800_000.0,
        originalListPrice=800_000.0,
        onMarketDate=TODAY.isoformat(),
        listingContractDate=TODAY.isoformat(),
        priceHistory=[{"date": TODAY.isoformat(), "price": 800_000.0, "event": "Listed"}],
    )
    doc.update(over)
    return doc


@pytest.fixture
def new_doc() -> Any:
    coll = get_db()[LISTINGS]

    def put(**over: Any) -> dict[str, Any]:
        doc = new_listing(**over)
        coll.replace_one({"listingKey": doc["listingKey"]}, dict(doc), upsert=True)
        return doc

    yield put
    coll.delete_many({"listingKey": {"$in": [NEW_KEY, "2900000050"]}})


def saved(tenant: Any, user: Any, query: dict[str, list[str]], **kw: Any) -> SavedSearch:
    with schema_context(tenant.schema_name):
        return SavedSearch.objects.create(user=user, name="Palm Springs pools", query=query, **kw)


def event(*keys: str, source: str = "gps", run_id: int = 1) -> dict[str, Any]:
    return {"source": source, "run_id": run_id, "changed": list(keys), "removed": [], "closed": []}


def mails_to(email: str) -> list[Any]:
    return [m for m in mail.outbox if email in m.to]


def test_instant_alert_fires_once_per_change(sarah_site: Any, new_doc: Any) -> None:
    user = user_in(sarah_site, "instant@example.com")
    search = saved(sarah_site, user, {"city": ["Palm Springs"], "maxPrice": ["900000"]}, frequency="instant")
    new_doc()
    alerts_on_changed(event(NEW_KEY))
    sent = mails_to("instant@example.com")
    assert len(sent) == 1
    assert "New listing" in sent[0].body and "50 New Way" in sent[0].body
    assert sent[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.search(r"/alerts/unsubscribe/[^/\s]+/", sent[0].body)
    # The same event again (or a re-delivery): nothing new.
    alerts_on_changed(event(NEW_KEY, run_id=2))
    assert len(mails_to("instant@example.com")) == 1
    # A price drop is a new change: one more mail, once.
    new_doc(
        listPrice=750_000.0,
        priceHistory=[
            {"date": TODAY.isoformat(), "price": 800_000.0, "event": "Listed"},
            {"date": TODAY.isoformat(), "price": 750_000.0, "event": "Price change"},
        ],
    )
    alerts_on_changed(event(NEW_KEY, run_id=3))
    alerts_on_changed(event(NEW_KEY, run_id=4))
    sent = mails_to("instant@example.com")
    assert len(sent) == 2 and "Price drop" in sent[1].body and "$750,000" in sent[1].body
    with schema_context(sarah_site.schema_name):
        changes = sorted(AlertSent.objects.filter(saved_search=search).values_list("change", flat=True))
        assert changes == ["drop:750000", "new"]
        assert all(a.sent_at for a in AlertSent.objects.filter(saved_search=search))


def test_only_matching_changed_listings_alert(sarah_site: Any, new_doc: Any) -> None:
    user = user_in(sarah_site, "picky@example.com")
    saved(sarah_site, user, {"city": ["Indio"]}, frequency="instant")
    saved(sarah_site, user, {"city": ["Palm Springs"], "minPrice": ["2000000"]}, frequency="instant")
    new_doc()
    alerts_on_changed(event(NEW_KEY))
    # An old listing merely modified is not a "new" match.
    old = rich_document(
        listingKey="1900000051",
        slug="old-1900000051",
        onMarketDate=(TODAY - timedelta(days=90)).isoformat(),
        priceHistory=[  # a drop before the search was saved is not news either
            {"date": (TODAY - timedelta(days=90)).isoformat(), "price": 1_400_000.0},
            {"date": (TODAY - timedelta(days=30)).isoformat(), "price": 1_250_000.0},
        ],
    )
    get_db()[LISTINGS].insert_one(dict(old))
    try:
        saved(sarah_site, user, {"city": ["Palm Springs"]}, frequency="instant")
        alerts_on_changed(event("1900000051"))
    finally:
        get_db()[LISTINGS].delete_one({"listingKey": "1900000051"})
    assert mails_to("picky@example.com") == []


def test_other_sources_do_not_alert_a_gps_only_site(sarah_site: Any, new_doc: Any) -> None:
    user = user_in(sarah_site, "scoped@example.com")
    saved(sarah_site, user, {"city": ["Palm Springs"]}, frequency="instant")
    new_doc(listingKey="2900000050", slug="crmls-new-2900000050", mlsSource="crmls")
    alerts_on_changed(event("2900000050", source="crmls"))
    alerts_on_changed(event("2900000050", source="gps"))  # even when the event lies about its source
    assert mails_to("scoped@example.com") == []


def test_daily_digest_collects_and_sends_once(sarah_site: Any, new_doc: Any) -> None:
    user = user_in(sarah_site, "daily@example.com")
    saved(sarah_site, user, {"city": ["Palm Springs"]}, frequency="daily")
    new_doc()
    alerts_on_changed(event(NEW_KEY))
    assert mails_to("daily@example.com") == []
    alerts_daily_digest()
    sent = mails_to("daily@example.com")
    assert len(sent) == 1 and "daily" in sent[0].subject.lower() and "50 New Way" in sent[0].body
    alerts_daily_digest()
    assert len(mails_to("daily@example.com")) == 1


def test_a_digests_one_click_unsubscribe_stops_every_search_it_covers(
    sarah_site: Any, site_client: Any, new_doc: Any
) -> None:
    user = user_in(sarah_site, "digest-unsub@example.com")
    first = saved(sarah_site, user, {"city": ["Palm Springs"]}, frequency="daily")
    second = saved(sarah_site, user, {"maxPrice": ["900000"]}, frequency="daily", sms_enabled=False)
    new_doc()
    alerts_on_changed(event(NEW_KEY))
    alerts_daily_digest()
    (digest,) = mails_to("digest-unsub@example.com")
    header = digest.extra_headers["List-Unsubscribe"]
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = re.fullmatch(r"<https?://[^/]+(/alerts/unsubscribe/[^/]+/)>", header).group(1)  # type: ignore[union-attr]
    client = site_client(sarah_site)
    assert b"Stop these alerts?" in client.get(path).content  # a scanner's GET changes nothing
    with schema_context(sarah_site.schema_name):
        assert set(SavedSearch.objects.filter(user=user).values_list("frequency", flat=True)) == {"daily"}
    client.handler.enforce_csrf_checks = True
    assert (
        client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code
        == 200
    )
    with schema_context(sarah_site.schema_name):
        for search in (first, second):
            search.refresh_from_db()
            assert search.frequency == SavedSearch.Frequency.NEVER


def test_sms_alerts_for_ultimate_only(sarah_site: Any, new_doc: Any) -> None:
    sms.outbox.clear()
    ultimate = user_in(sarah_site, "ultimate@example.com", phone="+17605550100")
    subscribe(sarah_site, ultimate, "ultimate")
    free = user_in(sarah_site, "free-sms@example.com", phone="+17605550199")
    saved(sarah_site, ultimate, {"city": ["Palm Springs"]}, frequency="instant", sms_enabled=True)
    saved(sarah_site, free, {"city": ["Palm Springs"]}, frequency="instant", sms_enabled=True)
    new_doc()
    alerts_on_changed(event(NEW_KEY))
    assert [m.to for m in sms.outbox] == ["+17605550100"]
    assert "50 New Way" in sms.outbox[0].body
    alerts_on_changed(event(NEW_KEY))
    assert len(sms.outbox) == 1


def test_unsubscribe_link_works_in_one_click(sarah_site: Any, mike_site: Any, site_client: Any, new_doc: Any) -> None:
    user = user_in(sarah_site, "unsub@example.com")
    search = saved(sarah_site, user, {"city": ["Palm Springs"]}, frequency="instant")
    new_doc()
    alerts_on_changed(event(NEW_KEY))
    body = mails_to("unsub@example.com")[0].body
    path = re.search(r"https?://[^/\s]+(/alerts/unsubscribe/[^/\s]+/)", body).group(1)  # type: ignore[union-attr]
    assert site_client(mike_site).get(path).status_code == 404  # a link only works on its own site
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert site_client(sarah_site).get(tampered).status_code == 404
    # Opening the link (a mail scanner does) only asks; nothing changes.
    response = site_client(sarah_site).get(path)
    assert response.status_code == 200 and b"Stop these alerts?" in response.content
    with schema_context(sarah_site.schema_name):
        search.refresh_from_db()
        assert search.frequency == SavedSearch.Frequency.INSTANT
    # Mail clients' one-click POST (RFC 8058) unsubscribes, without a cookie or CSRF token.
    client = site_client(sarah_site)
    client.handler.enforce_csrf_checks = True
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b"unsubscribed" in response.content
    with schema_context(sarah_site.schema_name):
        search.refresh_from_db()
        assert search.frequency == SavedSearch.Frequency.NEVER
    # No more alerts for it.
    new_doc(
        listPrice=700_000.0,
        priceHistory=[{"date": TODAY.isoformat(), "price": 800_000.0}, {"date": TODAY.isoformat(), "price": 700_000.0}],
    )
    alerts_on_changed(event(NEW_KEY, run_id=9))
    assert len(mails_to("unsub@example.com")) == 1
