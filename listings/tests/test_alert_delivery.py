"""Alerts are never lost: recorded as due, marked sent only once a real SMTP server accepted the
mail, retried with backoff, swept when the retries ran out, and never closed by the digest."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from listings.models import AlertSent, SavedSearch
from listings.store import LISTINGS, get_db
from listings.tasks import alerts_daily_digest, alerts_on_changed, alerts_send_due_sweep
from listings.tests.pages_support import TODAY, pages_urls, rich_document, store, user_in
from tests.smtp_server import smtp_server, text_of

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store", "eager_retries")

KEY = "1900000060"


@pytest.fixture
def eager_retries() -> Any:
    """Tasks run inline (test settings), and a task's retries run inline too, as Celery's
    eager mode does when errors are not propagated out of the first attempt."""
    from config.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.fixture
def new_listing() -> Any:
    doc = rich_document(
        listingKey=KEY,
        slug=f"60-due-way-palm-springs-{KEY}",
        unparsedAddress="60 Due Way",
        listPrice=810_000.0,
        originalListPrice=810_000.0,
        onMarketDate=TODAY.isoformat(),
        listingContractDate=TODAY.isoformat(),
        priceHistory=[{"date": TODAY.isoformat(), "price": 810_000.0, "event": "Listed"}],
    )
    get_db()[LISTINGS].replace_one({"listingKey": KEY}, dict(doc), upsert=True)
    yield doc
    get_db()[LISTINGS].delete_one({"listingKey": KEY})


def _search(site: Any, email: str, frequency: str) -> SavedSearch:
    user = user_in(site, email)
    with schema_context(site.schema_name):
        return SavedSearch.objects.create(user=user, name="Due", query={"city": ["Palm Springs"]}, frequency=frequency)


def _event(run_id: int = 1) -> dict[str, Any]:
    return {"source": "gps", "run_id": run_id, "changed": [KEY], "removed": [], "closed": []}


def _alerts(site: Any, search: SavedSearch) -> list[AlertSent]:
    with schema_context(site.schema_name):
        return list(AlertSent.objects.filter(saved_search=search))


def test_smtp_failing_twice_then_working_sends_exactly_one_mail(
    settings: Any, sarah_site: Any, new_listing: Any
) -> None:
    search = _search(sarah_site, "flaky@example.com", "instant")
    with smtp_server(settings, refuse=2) as inbox:
        alerts_on_changed(_event())  # the site task fails twice (451) and its second retry sends
        assert inbox.attempts == 3
        [mail] = inbox.to("flaky@example.com")
        assert "60 Due Way" in text_of(mail)
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # Delivered again (a redelivered message, the sweep): nothing more goes out.
        alerts_on_changed(_event(run_id=2))
        alerts_send_due_sweep()
        assert inbox.attempts == 3 and len(inbox.to("flaky@example.com")) == 1
    [alert] = _alerts(sarah_site, search)
    assert alert.sent_at is not None


def test_alert_outliving_its_retries_stays_due_and_the_sweep_sends_it(
    settings: Any, sarah_site: Any, new_listing: Any
) -> None:
    search = _search(sarah_site, "patient@example.com", "instant")
    with smtp_server(settings, refuse=100) as inbox:
        alerts_on_changed(_event())  # the site task: 1 try + 6 retries, all refused, then it fails
        assert inbox.attempts == 7 and inbox.messages == []
        [alert] = _alerts(sarah_site, search)
        assert alert.sent_at is None  # recorded, still due
        alerts_daily_digest()  # the digest leaves an instant search's alert alone
        [alert] = _alerts(sarah_site, search)
        assert alert.sent_at is None
        inbox.refuse = 0  # the mail server is back
        assert alerts_send_due_sweep() >= 1
        assert len(inbox.to("patient@example.com")) == 1
        alerts_send_due_sweep()
        assert len(inbox.to("patient@example.com")) == 1
    [alert] = _alerts(sarah_site, search)
    assert alert.sent_at is not None


def test_daily_digest_marks_sent_only_after_the_server_accepted(
    settings: Any, sarah_site: Any, new_listing: Any
) -> None:
    search = _search(sarah_site, "digest@example.com", "daily")
    with smtp_server(settings, refuse=100) as inbox:
        alerts_on_changed(_event())
        alerts_daily_digest()  # every try refused: the digest task fails, the alert stays due
        [alert] = _alerts(sarah_site, search)
        assert alert.sent_at is None and inbox.messages == []
        inbox.refuse = 0
        alerts_daily_digest()
        alerts_daily_digest()
        [mail] = inbox.to("digest@example.com")
        assert "daily" in mail["Subject"].lower()
    [alert] = _alerts(sarah_site, search)
    assert alert.sent_at is not None


def test_a_permanently_refused_address_is_given_up_not_retried_forever(
    settings: Any, sarah_site: Any, new_listing: Any
) -> None:
    search = _search(sarah_site, "gone@example.com", "instant")
    with smtp_server(settings) as inbox:

        async def refuse_rcpt(server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
            return "550 5.1.1 No such user"

        inbox.handle_RCPT = refuse_rcpt  # type: ignore[attr-defined]
        alerts_on_changed(_event())
        assert inbox.messages == []
    [alert] = _alerts(sarah_site, search)
    assert alert.sent_at is not None  # closed: a 5xx will not change on retry
