"""Saved-search alerts, computed only from what a sync changed.

A sync run publishes ``listings:changed`` (docs/listing-document.md). ``listings.tasks``
fans the event out to one task per site schema; here, for one site, the changed documents are
read once from the store by key and each saved search is evaluated against just those (the
read model's brute-force reference ``matches``: the same semantics as search), never against
the whole store.

Two kinds of change fire an alert: a *new match* (a listing put on the market since the
search was saved) and a *price drop* (the latest ``priceHistory`` step went down, else
``listPrice`` below ``originalListPrice``). Each is recorded in ``AlertSent`` under a unique
``(saved search, listing, change)`` before anything is sent, so a change fires once however
many times the event is delivered or processed. Instant searches are mailed (and texted, for
plans with SMS) right away; daily ones wait for ``digests_send``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from listings.models import AlertSent, SavedSearch
from listings.readmodel.query import SearchQuery
from listings.readmodel.reference import card, matches
from listings.store import LISTINGS, get_db
from listings.unsubscribe import unsubscribe_token
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


def changed_documents(keys: Iterable[str], *, chunk: int = 1000) -> list[dict[str, Any]]:
    keys = [k for k in dict.fromkeys(keys) if isinstance(k, str)]
    coll = get_db()[LISTINGS]
    docs: list[dict[str, Any]] = []
    for i in range(0, len(keys), chunk):
        docs.extend(coll.find({"listingKey": {"$in": keys[i : i + chunk]}}, ALERT_FIELDS))
    return docs


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
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=schema_name).first()
    return tenant, site_scope(tenant=tenant).mls_sources


# ---- matching and recording ------------------------------------------------------------------


def alerts_process(
    *, schema_name: str, event: dict[str, Any], docs: list[dict[str, Any]] | None = None
) -> dict[str, int]:
    """Record (once) and send the alerts of one site for one ``listings:changed`` event.
    Runs in the site's schema (the task sets it)."""
    tenant, sources = _site_scope(schema_name)
    if sources is not None and event.get("source") and event["source"] not in sources:
        return {"matched": 0, "recorded": 0, "emails": 0, "sms": 0}
    if docs is None:
        docs = changed_documents(event.get("changed") or [])
    if sources is not None:
        docs = [d for d in docs if d.get("mlsSource") in sources]
    searches = SavedSearch.objects.select_related("user").exclude(
        frequency=SavedSearch.Frequency.NEVER, sms_enabled=False
    )
    fresh: dict[int, list[AlertSent]] = defaultdict(list)
    by_id: dict[int, SavedSearch] = {}
    matched = 0
    run_id = str(event.get("run_id", ""))[:64]
    if docs:
        for saved in searches:
            query = saved_query(saved, mls_sources=sources)
            if query is None:
                continue
            for doc in docs:
                if not matches(doc, query):
                    continue
                matched += 1
                for ch in changes_for(doc, saved):
                    alert = _record(saved, doc, ch, run_id)
                    if alert is not None:
                        alert.doc = doc  # type: ignore[attr-defined]
                        fresh[saved.pk].append(alert)
                        by_id[saved.pk] = saved
    emails = sms = 0
    for pk, alerts in fresh.items():
        saved = by_id[pk]
        if saved.frequency == SavedSearch.Frequency.INSTANT:
            emails += int(_send_instant(saved, alerts, tenant=tenant))
        if saved.sms_enabled:
            sms += int(_send_sms(saved, alerts, tenant=tenant))
    return {"matched": matched, "recorded": sum(len(a) for a in fresh.values()), "emails": emails, "sms": sms}


def _record(saved: SavedSearch, doc: dict[str, Any], ch: Change, run_id: str) -> AlertSent | None:
    """The new ``AlertSent`` row, or None when this change was already recorded."""
    try:
        with transaction.atomic():
            return AlertSent.objects.create(
                saved_search=saved,
                listing_key=str(doc.get("listingKey")),
                change=ch.change,
                kind=ch.kind,
                price=ch.price,
                previous_price=ch.previous_price,
                run_id=run_id,
            )
    except IntegrityError:
        return None


# ---- sending ---------------------------------------------------------------------------------


def site_base_url(tenant: Any) -> str:
    domain = tenant.get_primary_domain().domain if tenant is not None else "localhost"
    host = domain.split(":")[0]
    scheme = getattr(settings, "SITE_SCHEME", "") or (
        "http" if host == "localhost" or host.endswith(".localhost") else "https"
    )
    return f"{scheme}://{domain}{getattr(settings, 'SITE_PORT_SUFFIX', '')}"


def _items(alerts: list[AlertSent], base: str) -> list[dict[str, Any]]:
    out = []
    for a in alerts:
        doc = getattr(a, "doc", None) or {}
        c = card(doc) if doc else {"key": a.listing_key, "slug": "", "address": a.listing_key, "city": ""}
        out.append(
            {
                "kind": a.kind,
                "label": "Price drop" if a.kind == AlertSent.Kind.PRICE_DROP else "New listing",
                "price": a.price,
                "previous_price": a.previous_price,
                "card": c,
                "url": f"{base}/listings/{c['slug']}/" if c.get("slug") else base + "/search/",
            }
        )
    return out


def _send_mail(*, user: Any, subject: str, context: dict[str, Any], unsubscribe_url: str) -> bool:
    if not user.email:
        return False
    text = render_to_string("listings/email/alert.txt", context)
    html = render_to_string("listings/email/alert.html", context)
    msg = EmailMultiAlternatives(
        subject,
        text,
        None,
        [user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    msg.attach_alternative(html, "text/html")
    return bool(msg.send())


def _section(saved: SavedSearch, alerts: list[AlertSent], base: str, schema_name: str) -> dict[str, Any]:
    from listings.views import saved_query_string

    token = unsubscribe_token(schema_name=schema_name, saved_search_id=saved.pk)
    return {
        "saved": saved,
        "items": _items(alerts, base),
        "search_url": f"{base}/search/?{saved_query_string(saved.query)}",
        "unsubscribe_url": f"{base}/alerts/unsubscribe/{token}/",
    }


def _site_name(tenant: Any) -> str:
    return getattr(tenant, "name", "") or "ChatRealty"


def _send_instant(saved: SavedSearch, alerts: list[AlertSent], *, tenant: Any) -> bool:
    from tenants.db import current_schema

    schema = current_schema()
    base = site_base_url(tenant)
    section = _section(saved, alerts, base, schema)
    n = len(alerts)
    subject = f"{n} update{'s' if n != 1 else ''} for “{saved.name}”"
    ok = _send_mail(
        user=saved.user,
        subject=subject,
        context={"sections": [section], "site_name": _site_name(tenant), "base": base, "digest": False},
        unsubscribe_url=section["unsubscribe_url"],
    )
    now = timezone.now()
    AlertSent.objects.filter(pk__in=[a.pk for a in alerts]).update(sent_at=now)
    SavedSearch.objects.filter(pk=saved.pk).update(last_alerted_at=now)
    return ok


def _send_sms(saved: SavedSearch, alerts: list[AlertSent], *, tenant: Any) -> bool:
    from billing.plans import Feature
    from billing.selectors import entitlement_check
    from listings.sms import sms_send

    user = saved.user
    if not getattr(user, "phone", "") or not entitlement_check(user=user, feature=Feature.SMS_ALERTS).allowed:
        return False
    base = site_base_url(tenant)
    items = _items(alerts, base)
    first = items[0]
    more = f" (+{len(items) - 1} more)" if len(items) > 1 else ""
    price = f"${first['price']:,.0f}" if isinstance(first["price"], (int, float)) else ""
    body = f"{_site_name(tenant)}: {first['label']} {price} {first['card'].get('address', '')}{more} {first['url']} Reply STOP to opt out"
    ok = sms_send(to=user.phone, body=body)
    AlertSent.objects.filter(pk__in=[a.pk for a in alerts]).update(sms_sent_at=timezone.now())
    return ok


def digests_send(*, schema_name: str) -> int:
    """Send each user one digest of their daily searches' pending alerts; returns mails sent."""
    tenant, _ = _site_scope(schema_name)
    base = site_base_url(tenant)
    pending = AlertSent.objects.filter(sent_at__isnull=True).select_related("saved_search", "saved_search__user")
    now = timezone.now()
    by_user: dict[int, dict[int, list[AlertSent]]] = defaultdict(lambda: defaultdict(list))
    skipped = []
    for a in pending:
        if a.saved_search.frequency != SavedSearch.Frequency.DAILY:
            skipped.append(a.pk)  # switched to instant/none since: never mail it late
            continue
        by_user[a.saved_search.user_id][a.saved_search_id].append(a)
    AlertSent.objects.filter(pk__in=skipped).update(sent_at=now)
    sent = 0
    for groups in by_user.values():
        keys = [a.listing_key for alerts in groups.values() for a in alerts]
        docs = {d["listingKey"]: d for d in changed_documents(keys)}
        sections = []
        for alerts in groups.values():
            for a in alerts:
                a.doc = docs.get(a.listing_key)  # type: ignore[attr-defined]
            sections.append(_section(alerts[0].saved_search, alerts, base, schema_name))
        user = sections[0]["saved"].user
        n = sum(len(s["items"]) for s in sections)
        ok = _send_mail(
            user=user,
            subject=f"Your daily home alert: {n} update{'s' if n != 1 else ''}",
            context={"sections": sections, "site_name": _site_name(tenant), "base": base, "digest": True},
            unsubscribe_url=sections[0]["unsubscribe_url"],
        )
        sent += int(ok)
        ids = [a.pk for alerts in groups.values() for a in alerts]
        AlertSent.objects.filter(pk__in=ids).update(sent_at=now)
        SavedSearch.objects.filter(pk__in=list(groups)).update(last_alerted_at=now)
    return sent


__all__ = ["alerts_process", "changes_for", "changed_documents", "digests_send", "saved_query"]
