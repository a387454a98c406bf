"""Sending saved-search alerts that are due: instant mails, texts and the daily digest.

An alert is due from the moment it is recorded (an ``AlertSent`` row, ``listings.alerts``) until
its channel marks it: ``sent_at`` once the mail server accepted the mail (or there was nothing
to mail), ``sms_sent_at`` likewise for the text. Each sender claims its rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` inside a transaction that commits only after the send, so
a task, its retry and the sweep never mail the same alert twice, and a failure leaves the rows
due. A temporary failure (connection refused, a 4xx reply) is retried; a permanent one (a 5xx
reply: the address does not exist) is logged and the alert given up, as a mail server would.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from billing.plans import Feature
from billing.selectors import entitlement_check
from listings.alerts import _site_scope, changed_documents
from listings.models import AlertSent, SavedSearch
from listings.readmodel.reference import card
from listings.saved_queries import saved_query_string
from listings.unsubscribe import unsubscribe_all_token, unsubscribe_token
from themes.mail import mail_identity

log = logging.getLogger(__name__)

Docs = dict[str, dict[str, Any]]


class AlertsNotSent(OSError):
    """Some due alerts could not be sent for a temporary reason; they stay due."""


def _permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def site_base_url(tenant: Any) -> str:
    domain = tenant.get_primary_domain().domain if tenant is not None else "localhost"
    host = domain.split(":")[0]
    scheme = getattr(settings, "SITE_SCHEME", "") or (
        "http" if host == "localhost" or host.endswith(".localhost") else "https"
    )
    return f"{scheme}://{domain}{getattr(settings, 'SITE_PORT_SUFFIX', '')}"


def _site_name(tenant: Any) -> str:
    return getattr(tenant, "name", "") or "ChatRealty"


def _items(alerts: list[AlertSent], base: str, docs: Docs) -> list[dict[str, Any]]:
    out = []
    for a in alerts:
        doc = docs.get(a.listing_key) or {}
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


def _section(saved: SavedSearch, alerts: list[AlertSent], base: str, schema_name: str, docs: Docs) -> dict[str, Any]:
    token = unsubscribe_token(schema_name=schema_name, saved_search_id=saved.pk)
    return {
        "saved": saved,
        "items": _items(alerts, base, docs),
        "search_url": f"{base}/search/?{saved_query_string(saved.query)}",
        "unsubscribe_url": f"{base}/alerts/unsubscribe/{token}/",
    }


def _send_mail(*, user: Any, subject: str, context: dict[str, Any], unsubscribe_url: str) -> bool:
    """True once the mail server accepted the mail; False when there is no one to mail.
    Raises the mail server's error otherwise."""
    if not user.email:
        return False

    identity = mail_identity()  # the site's name as sender, its agent as Reply-To, its colours
    context = {**context, "site_name": identity.branding.site_name, "branding": identity.branding}
    text = render_to_string("listings/email/alert.txt", context)
    html = render_to_string("listings/email/alert.html", context)
    msg = EmailMultiAlternatives(
        subject,
        text,
        identity.from_email,
        [user.email],
        reply_to=identity.reply_to,
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    msg.attach_alternative(html, "text/html")
    return bool(msg.send())


def _with_docs(alerts: list[AlertSent], docs: Docs) -> Docs:
    missing = [a.listing_key for a in alerts if a.listing_key not in docs]
    return {**docs, **{d["listingKey"]: d for d in changed_documents(missing)}} if missing else docs


def _claim(**filters: Any) -> list[AlertSent]:
    """This transaction's due rows: rows another sender holds are skipped, not waited for."""
    return list(
        AlertSent.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(**filters)
        .select_related("saved_search", "saved_search__user")
        .order_by("created_at", "pk")
    )


def _deliver(what: str, failures: list[BaseException], send: Any, **kwargs: Any) -> bool | None:
    """Run one send; None when it failed temporarily (the caller marks nothing)."""
    try:
        return bool(send(**kwargs))
    except (OSError, smtplib.SMTPException) as exc:
        if _permanent(exc):
            log.error("alert %s refused for good (%s); not retried", what, exc)
            return False
        log.warning("alert %s not sent (%s); it stays due", what, exc)
        failures.append(exc)
        return None


def _instant_send(saved_id: int, *, schema_name: str, tenant: Any, docs: Docs, failures: list[BaseException]) -> int:
    with transaction.atomic():
        alerts = _claim(saved_search_id=saved_id, sent_at__isnull=True)
        if not alerts:
            return 0
        saved = alerts[0].saved_search
        base = site_base_url(tenant)
        section = _section(saved, alerts, base, schema_name, _with_docs(alerts, docs))
        n = len(alerts)
        ok = _deliver(
            f"mail for saved search {saved.pk}",
            failures,
            _send_mail,
            user=saved.user,
            subject=f"{n} update{'s' if n != 1 else ''} for “{saved.name}”",
            context={"sections": [section], "site_name": _site_name(tenant), "base": base, "digest": False},
            unsubscribe_url=section["unsubscribe_url"],
        )
        if ok is None:
            return 0
        now = timezone.now()
        AlertSent.objects.filter(pk__in=[a.pk for a in alerts]).update(sent_at=now)
        SavedSearch.objects.filter(pk=saved.pk).update(last_alerted_at=now)
        return int(ok)


def _sms_send(saved_id: int, *, tenant: Any, docs: Docs, failures: list[BaseException]) -> int:
    from listings.sms import sms_send

    with transaction.atomic():
        alerts = _claim(saved_search_id=saved_id, sms_sent_at__isnull=True)
        if not alerts:
            return 0
        user = alerts[0].saved_search.user
        ok: bool | None = False
        if getattr(user, "phone", "") and entitlement_check(user=user, feature=Feature.SMS_ALERTS).allowed:
            items = _items(alerts, site_base_url(tenant), _with_docs(alerts, docs))
            first = items[0]
            more = f" (+{len(items) - 1} more)" if len(items) > 1 else ""
            price = f"${first['price']:,.0f}" if isinstance(first["price"], (int, float)) else ""
            body = (
                f"{_site_name(tenant)}: {first['label']} {price} {first['card'].get('address', '')}{more} "
                f"{first['url']} Reply STOP to opt out"
            )
            ok = _deliver(f"text for saved search {saved_id}", failures, sms_send, to=user.phone, body=body)
            if ok is None:
                return 0
        AlertSent.objects.filter(pk__in=[a.pk for a in alerts]).update(sms_sent_at=timezone.now())
        return int(bool(ok))


def alerts_due_exist() -> bool:
    """Whether this schema has instant mails or texts waiting (the sweep asks before queueing)."""
    due = AlertSent.objects.filter(
        sent_at__isnull=True, saved_search__frequency=SavedSearch.Frequency.INSTANT
    ) | AlertSent.objects.filter(sms_sent_at__isnull=True, saved_search__sms_enabled=True)
    return due.exists()


def alerts_send_due(*, schema_name: str, tenant: Any = None, docs: Docs | None = None) -> dict[str, int]:
    """Send this site's due instant mails and texts; returns how many went out. Raises
    ``AlertsNotSent`` after trying them all if any failed temporarily."""
    if tenant is None:
        tenant, _ = _site_scope(schema_name)
    docs = docs or {}
    failures: list[BaseException] = []
    instant = AlertSent.objects.filter(sent_at__isnull=True, saved_search__frequency=SavedSearch.Frequency.INSTANT)
    texts = AlertSent.objects.filter(sms_sent_at__isnull=True, saved_search__sms_enabled=True)
    emails = sum(
        _instant_send(pk, schema_name=schema_name, tenant=tenant, docs=docs, failures=failures)
        for pk in sorted(set(instant.values_list("saved_search_id", flat=True)))
    )
    sms = sum(
        _sms_send(pk, tenant=tenant, docs=docs, failures=failures)
        for pk in sorted(set(texts.values_list("saved_search_id", flat=True)))
    )
    if failures:
        raise AlertsNotSent(f"{len(failures)} alert message(s) not sent, kept due: {failures[0]!r}")
    return {"emails": emails, "sms": sms}


def digests_send(*, schema_name: str) -> int:
    """Send each user one digest of their daily searches' due alerts; returns mails sent.

    Mail alerts of searches now set to no mail (text only, or unsubscribed) are closed without
    a mail; instant searches' alerts are the instant sender's, even if they are late."""
    tenant, _ = _site_scope(schema_name)
    base = site_base_url(tenant)
    AlertSent.objects.filter(sent_at__isnull=True, saved_search__frequency=SavedSearch.Frequency.NEVER).update(
        sent_at=timezone.now()
    )
    due = AlertSent.objects.filter(sent_at__isnull=True, saved_search__frequency=SavedSearch.Frequency.DAILY)
    failures: list[BaseException] = []
    sent = sum(
        _digest_send(user_id, schema_name=schema_name, tenant=tenant, base=base, failures=failures)
        for user_id in sorted(set(due.values_list("saved_search__user_id", flat=True)))
    )
    if failures:
        raise AlertsNotSent(f"{len(failures)} digest(s) not sent, kept due: {failures[0]!r}")
    return sent


def _digest_send(user_id: int, *, schema_name: str, tenant: Any, base: str, failures: list[BaseException]) -> int:
    with transaction.atomic():
        alerts = _claim(
            saved_search__user_id=user_id, sent_at__isnull=True, saved_search__frequency=SavedSearch.Frequency.DAILY
        )
        if not alerts:
            return 0
        groups: dict[int, list[AlertSent]] = defaultdict(list)
        for a in alerts:
            groups[a.saved_search_id].append(a)
        docs = _with_docs(alerts, {})
        sections = [_section(g[0].saved_search, g, base, schema_name, docs) for g in groups.values()]
        n = len(alerts)
        ok = _deliver(
            f"digest for user {user_id}",
            failures,
            _send_mail,
            user=alerts[0].saved_search.user,
            subject=f"Your daily home alert: {n} update{'s' if n != 1 else ''}",
            context={"sections": sections, "site_name": _site_name(tenant), "base": base, "digest": True},
            # One click on the digest's List-Unsubscribe stops all it covers, not its first search.
            unsubscribe_url=f"{base}/alerts/unsubscribe/{unsubscribe_all_token(schema_name=schema_name, user_id=user_id)}/",
        )
        if ok is None:
            return 0
        now = timezone.now()
        AlertSent.objects.filter(pk__in=[a.pk for a in alerts]).update(sent_at=now)
        SavedSearch.objects.filter(pk__in=list(groups)).update(last_alerted_at=now)
        return int(ok)
