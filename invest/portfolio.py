"""A portfolio property's numbers, in exact money: what the investor entered (``Holding``, whole
cents), checked once (``Holding.validate``), and what follows from it and the CMA engine's
current value (``holding_metrics``): loan payment and balance, a month's cash flow, equity,
appreciation and total return. No database, no store; the deal arithmetic is ``finance``'s.

docs/invest.md ("Portfolio") has the formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from .finance import (
    CENT,
    MAX_PRICE,
    TWELVE,
    ZERO,
    DealError,
    DealInputs,
    Month,
    amortize,
    cents,
    month_of,
)

HUNDRED = Decimal(100)
EARLIEST_PURCHASE = date(1900, 1, 1)
# ``DealInputs`` names its fields for a prospective deal; the portfolio form's names differ.
_FIELD_OF = {
    "price": "purchase_price",
    "rate_pct": "loan_rate_pct",
    "term_years": "loan_term_years",
    "utilities_monthly": "other_monthly",
    "insurance_yearly": "insurance_yearly",
    "hoa_monthly": "hoa_monthly",
}


def to_cents(amount: Decimal) -> int:
    return int(cents(amount) / CENT)


def from_cents(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value) * CENT


@dataclass(frozen=True)
class Holding:
    """What the investor owns and pays. Money in whole cents, rates in percent."""

    purchase_price: int
    purchase_date: date
    loan_amount: int = 0
    loan_rate_pct: Decimal = ZERO
    loan_term_years: int = 30
    rent_monthly: int = 0
    tax_yearly: int = 0
    insurance_yearly: int = 0
    hoa_monthly: int = 0
    other_monthly: int = 0
    vacancy_pct: Decimal = ZERO
    alert_pct: Decimal | None = None

    def deal_inputs(self) -> DealInputs:
        """The holding as ``finance`` sees a deal (property tax is added apart: the investor
        enters the bill, not a rate)."""
        price = from_cents(self.purchase_price) or ZERO
        loan = from_cents(self.loan_amount) or ZERO
        down_pct = (price - loan) / price * HUNDRED if price > 0 else HUNDRED
        return DealInputs(
            price=price,
            rent_monthly=from_cents(self.rent_monthly) or ZERO,
            down_pct=down_pct,
            rate_pct=self.loan_rate_pct,
            term_years=self.loan_term_years,
            tax_rate_pct=ZERO,
            insurance_yearly=from_cents(self.insurance_yearly) or ZERO,
            hoa_monthly=from_cents(self.hoa_monthly) or ZERO,
            utilities_monthly=from_cents(self.other_monthly) or ZERO,
            vacancy_pct=self.vacancy_pct,
            management_pct=ZERO,
            maintenance_pct=ZERO,
            capex_pct=ZERO,
        )

    def validate(self, *, today: date) -> None:
        """``DealError`` naming the form field at fault."""
        if self.purchase_price <= 0 or Decimal(self.purchase_price) * CENT > MAX_PRICE:
            raise DealError(
                "The purchase price must be a positive amount (at most $1,000,000,000).", field="purchase_price"
            )
        if not EARLIEST_PURCHASE <= self.purchase_date <= today:
            raise DealError("The purchase date must be a past date (1900 or later).", field="purchase_date")
        if self.loan_amount < 0:
            raise DealError("The loan amount cannot be negative.", field="loan_amount")
        if self.loan_amount >= self.purchase_price:
            raise DealError(
                "The loan must be less than the purchase price: with 0 % down there is no cash invested "
                "to measure a return on. Enter the amount you borrowed.",
                field="loan_amount",
            )
        for name in ("tax_yearly", "insurance_yearly", "hoa_monthly", "other_monthly"):
            if getattr(self, name) < 0:
                raise DealError(f"{_label(name)} cannot be negative.", field=name)
        if self.alert_pct is not None and not (Decimal("0.5") <= self.alert_pct <= HUNDRED):
            raise DealError("Alert when the value moves by 0.5 % to 100 % (or leave it empty).", field="alert_pct")
        try:
            self.deal_inputs().validate()
        except DealError as e:
            raise DealError(str(e), field=_FIELD_OF.get(e.field, e.field)) from e


def _label(name: str) -> str:
    return {
        "tax_yearly": "Property tax",
        "insurance_yearly": "Insurance",
        "hoa_monthly": "HOA",
        "other_monthly": "Other expenses",
    }[name]


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (the payments made: the first a month after)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class Metrics:
    payment: Decimal
    balance: Decimal
    month: Month
    down_payment: Decimal
    months_owned: int
    cumulative_cash_flow: Decimal
    value: Decimal | None
    equity: Decimal | None
    appreciation: Decimal | None
    total_profit: Decimal | None
    total_return: Decimal | None


def holding_month(h: Holding, *, payment: Decimal) -> Month:
    """A month's income, expenses and cash flow (``finance.month_of``) plus the tax bill."""
    m = month_of(h.deal_inputs(), payment=payment)
    tax = cents((from_cents(h.tax_yearly) or ZERO) / TWELVE)
    expenses = {**m.expenses, "property_tax": tax}
    opex = m.operating_expenses - m.expenses["property_tax"] + tax
    noi = m.effective_income - opex
    return replace(m, expenses=expenses, operating_expenses=opex, noi=noi, cash_flow=noi - payment)


def holding_metrics(h: Holding, *, value_cents: int | None, as_of: date) -> Metrics:
    """Loan, cash flow and return of a holding on ``as_of`` with the CMA value (None: unknown).

    The cash flow since purchase is today's monthly figures times the months owned (the
    investor enters today's rent and bills, not their history); payments stop when the loan
    is paid off."""
    loan = from_cents(h.loan_amount) or ZERO
    schedule = amortize(principal=loan, rate_pct=h.loan_rate_pct, term_years=h.loan_term_years)
    owned = months_between(h.purchase_date, as_of)
    balance = schedule.balance_after(owned) if loan > 0 else ZERO
    month = holding_month(h, payment=schedule.payment)
    paid_months = min(owned, len(schedule.balances))
    cumulative = month.noi * owned - schedule.payment * paid_months
    down = (from_cents(h.purchase_price) or ZERO) - loan
    value = from_cents(value_cents)
    equity = appreciation = profit = total = None
    if value is not None:
        equity = value - balance
        appreciation = value - (from_cents(h.purchase_price) or ZERO)
        profit = equity + cumulative - down
        total = profit / down if down > 0 else None
    return Metrics(
        payment=schedule.payment,
        balance=balance,
        month=month,
        down_payment=down,
        months_owned=owned,
        cumulative_cash_flow=cumulative,
        value=value,
        equity=equity,
        appreciation=appreciation,
        total_profit=profit,
        total_return=total,
    )


def holding_of(obj: Any) -> Holding:
    """A ``PortfolioProperty`` (or anything with its fields) as a ``Holding``."""
    return Holding(
        purchase_price=obj.purchase_price_cents,
        purchase_date=obj.purchase_date,
        loan_amount=obj.loan_amount_cents,
        loan_rate_pct=Decimal(obj.loan_rate_pct),
        loan_term_years=obj.loan_term_years,
        rent_monthly=obj.rent_monthly_cents,
        tax_yearly=obj.tax_yearly_cents,
        insurance_yearly=obj.insurance_yearly_cents,
        hoa_monthly=obj.hoa_monthly_cents,
        other_monthly=obj.other_monthly_cents,
        vacancy_pct=Decimal(obj.vacancy_pct),
        alert_pct=None if obj.alert_pct is None else Decimal(obj.alert_pct),
    )


def holding_fields(h: Holding) -> dict[str, Any]:
    """The model fields of a holding."""
    return {
        "purchase_price_cents": h.purchase_price,
        "purchase_date": h.purchase_date,
        "loan_amount_cents": h.loan_amount,
        "loan_rate_pct": h.loan_rate_pct,
        "loan_term_years": h.loan_term_years,
        "rent_monthly_cents": h.rent_monthly,
        "tax_yearly_cents": h.tax_yearly,
        "insurance_yearly_cents": h.insurance_yearly,
        "hoa_monthly_cents": h.hoa_monthly,
        "other_monthly_cents": h.other_monthly,
        "vacancy_pct": h.vacancy_pct,
        "alert_pct": h.alert_pct,
    }
