"""Reads for the portfolio: who may, the investor's homes (this site's schema only), each
home's figures and the portfolio's totals, a home's value history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from billing.plans import Feature
from billing.selectors import Entitlement, entitlement_check

from .finance import ZERO
from .models import PortfolioProperty, PortfolioValue
from .portfolio import Metrics, holding_metrics, holding_of


def portfolio_allowance(*, user: Any) -> Entitlement:
    return entitlement_check(user=user, feature=Feature.PORTFOLIO)


def property_list(*, user: Any) -> QuerySet[PortfolioProperty]:
    if user is None or not user.is_authenticated:
        return PortfolioProperty.objects.none()
    return PortfolioProperty.objects.filter(user=user)


def property_get(*, public_id: Any, user: Any) -> PortfolioProperty | None:
    """A home its owner may open (another user's or another site's id: None)."""
    if user is None or not user.is_authenticated:
        return None
    return PortfolioProperty.objects.filter(public_id=public_id, user=user).first()


@dataclass
class Totals:
    homes: int = 0
    valued: int = 0
    purchase: Decimal = ZERO
    value: Decimal = ZERO
    balance: Decimal = ZERO
    equity: Decimal = ZERO
    cash_flow: Decimal = ZERO
    invested: Decimal = ZERO
    profit: Decimal = ZERO
    total_return: Decimal | None = None
    missing: list[str] = field(default_factory=list)  # homes without a value yet


def property_metrics(*, prop: PortfolioProperty, as_of: date) -> Metrics:
    return holding_metrics(holding_of(prop), value_cents=prop.value_cents, as_of=as_of)


def portfolio_summary(*, props: list[PortfolioProperty], as_of: date) -> tuple[list[tuple[Any, Metrics]], Totals]:
    """Each home with its figures, and the totals (value, equity and return over the homes
    that have a value; the others are named in ``missing``)."""
    rows = [(p, property_metrics(prop=p, as_of=as_of)) for p in props]
    t = Totals(homes=len(rows))
    for p, m in rows:
        t.cash_flow += m.month.cash_flow
        t.balance += m.balance
        if m.value is None or m.equity is None or m.total_profit is None:
            t.missing.append(p.address)
            continue
        t.valued += 1
        t.purchase += Decimal(p.purchase_price_cents) / 100
        t.value += m.value
        t.equity += m.equity
        t.invested += m.down_payment
        t.profit += m.total_profit
    t.total_return = t.profit / t.invested if t.invested > 0 else None
    return rows, t


def value_history(*, prop: PortfolioProperty, limit: int = 400) -> list[PortfolioValue]:
    """The stored daily estimates, oldest first (the last ``limit`` days)."""
    latest = list(PortfolioValue.objects.filter(property=prop).order_by("-day")[:limit])
    return latest[::-1]
