"""Writes for the portfolio: add a home (from a listing, a closed sale or an address), change
or remove it, suggested figures for a listing, and the value alerts' mail."""

from __future__ import annotations

import contextlib
import logging
import math
import smtplib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tenants.utils import get_tenant_model

from cma.engine import CmaError
from cma.subjects import Resolved, resolve
from listings.readmodel.loader import get_closed_model, get_read_model
from listings.selectors import Scope, site_scope

from .finance import DealError, cents
from .models import PortfolioAlert, PortfolioProperty
from .portfolio import Holding, holding_fields
from .portfolio_revalue import closed_model_fresh, portfolio_revalue, subject_facts

log = logging.getLogger(__name__)

INSURANCE_PCT = Decimal("0.35")  # of the price a year, as the deal analysis suggests
TAX_PCT = Decimal("1.1")  # California: 1 % plus a common local rate


@dataclass
class Home:
    """A resolved home: its source, listing key, address and the engine's facts."""

    source: str
    listing_key: str
    address: str
    facts: dict[str, Any]
    listing: dict[str, Any] | None


def home_resolve(
    *, scope: Scope, listing: str = "", address: str = "", facts: dict[str, Any] | None = None, need_area: bool = True
) -> Home:
    """The home behind a listing key/slug (active or closed, this site's sources) or an
    address. ``DealError`` naming the field: unknown listing, address not found, no living
    area (unless ``need_area`` is off: the add form's suggestions, where the investor types it)."""
    try:
        r: Resolved = resolve(
            scope=scope,
            active=get_read_model(),
            closed=get_closed_model(),
            listing=listing.strip(),
            address="" if listing.strip() else address.strip(),
            facts=facts or {},
        )
    except CmaError as e:
        raise DealError(str(e), field="listing" if listing.strip() else "address") from e
    if need_area and (not math.isfinite(r.subject.sqft) or r.subject.sqft <= 0):
        raise DealError("The living area is needed to value the home: enter it.", field="sqft")
    if r.listing is not None:
        source = PortfolioProperty.Source.CLOSED if r.sold else PortfolioProperty.Source.LISTING
    else:
        source = PortfolioProperty.Source.ADDRESS
    doc = r.listing or {}
    return Home(
        source=source,
        listing_key=str(doc.get("listingKey") or "")[:64],
        address=(r.subject.address or address.strip() or listing.strip())[:300],
        facts=subject_facts(r.subject),
        listing=r.listing,
    )


def holding_suggest(*, doc: dict[str, Any] | None) -> dict[str, Any]:
    """Figures to start from for a listing: its price (a closed sale's price and date), tax,
    insurance and HOA."""
    if not doc:
        return {}
    raw = doc.get("closePrice") or doc.get("listPrice")
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw) or raw <= 0:
        return {}
    price = cents(Decimal(str(raw)))
    out: dict[str, Any] = {
        "purchase_price": price,
        "tax_yearly": cents(price * TAX_PCT / 100),
        "insurance_yearly": cents(price * INSURANCE_PCT / 100),
        "loan_amount": cents(price * Decimal("0.75")),
        "loan_rate_pct": Decimal("6.75"),
        "loan_term_years": 30,
        "vacancy_pct": Decimal(5),
    }
    fee = doc.get("associationFee")
    if isinstance(fee, (int, float)) and not isinstance(fee, bool) and math.isfinite(fee) and fee >= 0:
        out["hoa_monthly"] = cents(Decimal(str(fee)))
    closed = str(doc.get("closeDate") or "")[:10]
    if closed:
        with contextlib.suppress(ValueError):
            out["purchase_date"] = date.fromisoformat(closed)
    return out


def _duplicate(user: Any, home: Home) -> None:
    if home.listing_key and PortfolioProperty.objects.filter(user=user, listing_key=home.listing_key).exists():
        raise DealError("This home is already in your portfolio.", field="listing")


def property_add(*, user: Any, home: Home, holding: Holding, sources: tuple[str, ...] | None) -> PortfolioProperty:
    """Save a home with its holding and value it at once (the next sync revalues it)."""
    _duplicate(user, home)
    with transaction.atomic():
        prop = PortfolioProperty.objects.create(
            user=user,
            source=home.source,
            listing_key=home.listing_key,
            address=home.address,
            facts=home.facts,
            **holding_fields(holding),
        )
    portfolio_revalue(sources=sources, properties=[prop])
    return prop


def properties_add(*, user: Any, rows: list[tuple[Home, Holding]], sources: tuple[str, ...] | None) -> int:
    """A whole import in one transaction (all rows or none), then valued together."""
    with transaction.atomic():
        props = PortfolioProperty.objects.bulk_create(
            [
                PortfolioProperty(
                    user=user,
                    source=home.source,
                    listing_key=home.listing_key,
                    address=home.address,
                    facts=home.facts,
                    **holding_fields(holding),
                )
                for home, holding in rows
            ]
        )
    portfolio_revalue(sources=sources, properties=props)
    return len(props)


def property_update(*, prop: PortfolioProperty, holding: Holding) -> PortfolioProperty:
    """Change the figures; switching alerts on (or changing their percentage) measures moves
    from the current value."""
    fields = holding_fields(holding)
    if holding.alert_pct != prop.alert_pct:
        prop.alert_base_cents = None if holding.alert_pct is None else prop.value_cents
    for name, value in fields.items():
        setattr(prop, name, value)
    prop.save(update_fields=[*fields, "alert_base_cents"])
    return prop


def property_delete(*, prop: PortfolioProperty) -> None:
    prop.delete()


def _permanent(exc: BaseException) -> bool:
    """A mail server's 5xx (the address does not exist): give that alert up, as mail does."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _mail_alert(alert: PortfolioAlert, identity: Any) -> bool:
    user, prop = alert.property.user, alert.property
    if not user.email:
        return False
    change = Decimal(alert.value_cents - alert.previous_cents) * 100 / Decimal(alert.previous_cents)
    context = {"a": alert, "p": prop, "change_pct": change}
    context.update(base_url=identity.site_url, site_name=identity.branding.site_name)
    msg = EmailMultiAlternatives(
        f"{prop.address}: estimated value {change:+.1f} %",
        render_to_string("invest/email/portfolio_alert.txt", context),
        identity.from_email,
        [user.email],
        reply_to=identity.reply_to,
    )
    return bool(msg.send())


def portfolio_alerts_send(*, batch: int = 200) -> int:
    """Mail the due value alerts to their owners. Rows are claimed (``SKIP LOCKED``) a batch
    at a time and marked sent once the mail server took each; a temporary failure marks what
    went out, leaves the rest due and raises (the task retries with backoff)."""
    from themes.mail import mail_identity

    sent, identity = 0, None
    while True:
        failure: BaseException | None = None
        with transaction.atomic():
            due = list(
                PortfolioAlert.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("property__user")
                .filter(sent_at__isnull=True)
                .order_by("id")[:batch]
            )
            if not due:
                return sent
            identity = identity or mail_identity()
            done = []
            for alert in due:
                try:
                    sent += _mail_alert(alert, identity)
                except OSError as e:
                    if not _permanent(e):
                        failure = e
                        break
                    log.warning("portfolio alert %s given up: %s", alert.pk, e)
                done.append(alert.pk)
            PortfolioAlert.objects.filter(pk__in=done).update(sent_at=timezone.now())
        if failure is not None:
            raise failure


def portfolio_revalue_site(*, schema_name: str, closed: list[str]) -> dict[str, int]:
    """Revalue the site's portfolio (runs in its schema), then mail the alerts it recorded."""
    if not PortfolioProperty.objects.exists():
        return {"properties": 0, "valued": 0, "alerts": 0, "sent": 0}
    closed_model_fresh(keys=closed)
    tenant = get_tenant_model().objects.filter(schema_name=schema_name).first()
    result = portfolio_revalue(sources=site_scope(tenant=tenant).mls_sources)
    sent = portfolio_alerts_send()
    return {"properties": result.properties, "valued": result.valued, "alerts": result.alerts, "sent": sent}
