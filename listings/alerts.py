"""Saved-search alerts, computed only from what a sync changed.

A sync run hands its ``listings:changed`` event to Celery (``listings.changes``); ``listings.tasks``
fans it out to one task per site schema; here, for one site, the changed documents are read
once from the store by key and each saved search is evaluated against just those (the read
model's brute-force reference ``matches``: the same semantics as search), never against the
whole store.

Two kinds of change fire an alert: a *new match* (a listing put on the market since the
search was saved) and a *price drop* (the latest ``priceHistory`` step went down, else
``listPrice`` below ``originalListPrice``). Each is recorded as a due alert (an ``AlertSent``
row without ``sent_at``) under a unique ``(saved search, listing, change)``, so a change is
recorded once however many times the event is delivered. Sending is apart
(``listings.alert_delivery``): whatever is due and unsent goes out, and a row is marked sent
only once the mail server accepted its mail; a failure leaves it due for the task's retry
(with backoff) or the sweep that follows. Instant searches are mailed (and texted, for plans
with SMS) right away; daily ones wait for the digest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import get_tenant_model

from core.batching import in_chunks
from listings.models import AlertSent, SavedSearch
from listings.readmodel.query import SearchQuery
from listings.readmodel.reference import matches
from listings.store import LISTINGS, get_db
from listings.validation import SEARCH_PARAMS, InvalidParameters, parse_params, search_query

log = logging.getLogger(__name__)

SAVED_PARAMS = tuple(p for p in SEARCH_PARAMS if p.name not in ("page", "pageSize", "sort"))
ALERT_FIELDS = {"_id": 0, "contentHash": 0, "syncedAt": 0, "photos": 0}


@dataclass(frozen=True, slots=True)
class Change:
    change: str  # "new" or "drop:<price>"
    kind: str
    price: float | None
    previous_price: float | None


# ---- what changed ----------------------------------------------------------------------------


def changed_documents(keys: Iterable[str]) -> list[dict[str, Any]]:
    keys = [k for k in dict.fromkeys(keys) if isinstance(k, str)]
    coll = get_db()[LISTINGS]
    return [doc for part in in_chunks(keys) for doc in coll.find({"listingKey": {"$in": part}}, ALERT_FIELDS)]


def _listed_on(doc: dict[str, Any]) -> date | None:
    for name in ("onMarketDate", "listingContractDate"):
        value = doc.get(name)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _price_drop(doc: dict[str, Any]) -> tuple[float, float, date | None] | None:
    """(new price, previous price, day of the drop) of the latest step, when it went down."""
    history = [
        h for h in doc.get("priceHistory") or [] if isinstance(h, dict) and isinstance(h.get("price"), (int, float))
    ]
    if len(history) >= 2:
        prev, last = history[-2]["price"], history[-1]["price"]
        return (float(last), float(prev), _day(history[-1].get("date"))) if last < prev else None
    price, original = doc.get("listPrice"), doc.get("originalListPrice")
    if isinstance(price, (int, float)) and isinstance(original, (int, float)) and price < original:
        return float(price), float(original), _day(doc.get("priceChangeTimestamp"))
    return None


def changes_for(doc: dict[str, Any], saved: SavedSearch) -> list[Change]:
    """The changes since the search was saved (a day's grace for time zones)."""
    out = []
    listed = _listed_on(doc)
    created = timezone.localdate(saved.created_at) if saved.created_at else date.today()
    since = created - timedelta(days=1)
    if listed is not None and listed >= since:
        out.append(Change("new", AlertSent.Kind.NEW, doc.get("listPrice"), None))
    drop = _price_drop(doc)
    if drop is not None and (drop[2] is None or drop[2] >= since):
        out.append(Change(f"drop:{drop[0]:.0f}", AlertSent.Kind.PRICE_DROP, drop[0], drop[1]))
    return out


def saved_query(saved: SavedSearch, *, mls_sources: tuple[str, ...] | None) -> SearchQuery | None:
    """The saved parameters as a query (cities were stored as names); None if no longer valid."""
    raw = {str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in (saved.query or {}).items()}
    try:
        values = parse_params(raw, SAVED_PARAMS)
        return search_query(
            values, cities=tuple(values.get("city", ())), mls_sources=mls_sources, featured=(), use_bbox=True
        )
    except (InvalidParameters, ValueError):
        log.warning("saved search %s has an invalid query; skipped", saved.pk)
        return None


def _site_scope(schema_name: str) -> tuple[Any, tuple[str, ...] | None]:
    from listings.selectors import site_scope

    tenant = get_tenant_model().objects.filter(schema_name=schema_name).first()
    return tenant, site_scope(tenant=tenant).mls_sources


# ---- matching and recording ------------------------------------------------------------------


def alerts_process(
    *, schema_name: str, event: dict[str, Any], docs: list[dict[str, Any]] | None = None
) -> dict[str, int]:
    """Record (once) the alerts of one site for one ``listings:changed`` event, then send
    every alert of the site that is due. Runs in the site's schema (the task sets it); raises
    ``AlertsNotSent`` (an ``OSError``) when a mail server failed, for the task to retry."""
    from listings.alert_delivery import alerts_send_due

    tenant, sources = _site_scope(schema_name)
    if sources is not None and event.get("source") and event["source"] not in sources:
        return {"matched": 0, "recorded": 0, "emails": 0, "sms": 0}
    if docs is None:
        docs = changed_documents(event.get("changed") or [])
    if sources is not None:
        docs = [d for d in docs if d.get("mlsSource") in sources]
    matched, recorded = alerts_record(docs=docs, sources=sources, run_id=str(event.get("run_id", ""))[:64])
    sent = alerts_send_due(schema_name=schema_name, tenant=tenant, docs={d["listingKey"]: d for d in docs})
    return {"matched": matched, "recorded": recorded, **sent}


def alerts_record(*, docs: list[dict[str, Any]], sources: tuple[str, ...] | None, run_id: str) -> tuple[int, int]:
    """Record a due alert for each change of each matching document; (matched, recorded)."""
    searches = SavedSearch.objects.select_related("user").exclude(
        frequency=SavedSearch.Frequency.NEVER, sms_enabled=False
    )
    matched = recorded = 0
    if not docs:
        return 0, 0
    for saved in searches:
        query = saved_query(saved, mls_sources=sources)
        if query is None or _filters_lapsed(saved):
            continue
        for doc in docs:
            if not matches(doc, query):
                continue
            matched += 1
            recorded += sum(_record(saved, doc, ch, run_id) for ch in changes_for(doc, saved))
    return matched, recorded


def _filters_lapsed(saved: SavedSearch) -> bool:
    """The search uses advanced filters its owner's plan no longer has (a downgrade after it
    was saved): no alerts until they upgrade again or save it without those filters."""
    from listings.filter_gate import advanced_filters_check

    if advanced_filters_check(user=saved.user, params=(saved.query or {}).keys()) is None:
        return False
    log.info("saved search %s: advanced filters no longer in its owner's plan; no alerts", saved.pk)
    return True


def _record(saved: SavedSearch, doc: dict[str, Any], ch: Change, run_id: str) -> bool:
    """Record the change as a due alert; False when it was already recorded."""
    try:
        with transaction.atomic():
            AlertSent.objects.create(
                saved_search=saved,
                listing_key=str(doc.get("listingKey")),
                change=ch.change,
                kind=ch.kind,
                price=ch.price,
                previous_price=ch.previous_price,
                run_id=run_id,
            )
            return True
    except IntegrityError:
        return False


__all__ = ["alerts_process", "alerts_record", "changes_for", "changed_documents", "saved_query"]
