"""A portfolio home's figures against a hand-worked example, and the holding's checks."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invest.finance import DealError
from invest.portfolio import Holding, holding_metrics, months_between

TODAY = date(2026, 12, 6)


def example(**over: object) -> Holding:
    base: dict[str, object] = {
        "purchase_price": 400_000_00,
        "purchase_date": date(2024, 12, 6),
        "loan_amount": 300_000_00,
        "loan_rate_pct": Decimal(6),
        "loan_term_years": 30,
        "rent_monthly": 3_000_00,
        "tax_yearly": 4_800_00,
        "insurance_yearly": 1_200_00,
        "hoa_monthly": 50_00,
        "other_monthly": 200_00,
        "vacancy_pct": Decimal(5),
    }
    base.update(over)
    return Holding(**base)  # type: ignore[arg-type]


def lender_balance(principal: Decimal, rate_pct: Decimal, payment: Decimal, months: int) -> Decimal:
    """The balance as a lender books it: each month's interest rounded half up to the cent."""
    r = rate_pct / 100 / 12
    b = principal
    for _ in range(months):
        b -= payment - (b * r).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return b


def test_hand_worked_example() -> None:
    """$400,000 bought two years ago with $300,000 at 6 % for 30 years (payment $1,798.65);
    rent $3,000 less 5 % vacancy, tax $400, insurance $100, HOA $50, other $200 a month: NOI
    $2,100.00, cash flow $301.35; valued at $500,000."""
    h = example()
    h.validate(today=TODAY)
    m = holding_metrics(h, value_cents=500_000_00, as_of=TODAY)
    assert m.payment == Decimal("1798.65")
    assert m.month.noi == Decimal("2100.00") and m.month.cash_flow == Decimal("301.35")
    assert m.months_owned == 24
    balance = lender_balance(Decimal(300_000), Decimal(6), Decimal("1798.65"), 24)
    assert m.balance == balance
    assert m.equity == Decimal(500_000) - balance
    assert m.cumulative_cash_flow == Decimal("301.35") * 24
    assert m.down_payment == Decimal(100_000)
    assert m.appreciation == Decimal(100_000)
    assert m.total_return == (m.equity + Decimal("301.35") * 24 - Decimal(100_000)) / Decimal(100_000)
    unvalued = holding_metrics(h, value_cents=None, as_of=TODAY)
    assert unvalued.equity is None and unvalued.total_return is None and unvalued.month.cash_flow == Decimal("301.35")


def test_cash_purchase_and_paid_off_loan() -> None:
    cash = holding_metrics(example(loan_amount=0), value_cents=450_000_00, as_of=TODAY)
    assert cash.payment == 0 and cash.balance == 0 and cash.equity == Decimal(450_000)
    old = example(purchase_date=date(1990, 1, 15), loan_term_years=15)
    m = holding_metrics(old, value_cents=900_000_00, as_of=TODAY)
    assert m.balance == 0
    # payments stopped after 180 months: the months since then earn the whole NOI
    assert m.cumulative_cash_flow == m.month.noi * m.months_owned - m.payment * 180


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"rent_monthly": -100}, "rent_monthly", "Rent cannot be negative"),
        ({"loan_amount": 400_000_00}, "loan_amount", "0 % down"),
        ({"loan_amount": 500_000_00}, "loan_amount", "less than the purchase price"),
        ({"loan_term_years": 100}, "loan_term_years", "1 to 40 years"),
        ({"loan_rate_pct": Decimal(45)}, "loan_rate_pct", "interest rate"),
        ({"purchase_price": 0}, "purchase_price", "positive"),
        ({"purchase_date": date(2027, 1, 1)}, "purchase_date", "past date"),
        ({"tax_yearly": -1}, "tax_yearly", "cannot be negative"),
        ({"vacancy_pct": Decimal(120)}, "vacancy_pct", "between 0 and 100"),
        ({"alert_pct": Decimal("0.1")}, "alert_pct", "0.5 % to 100 %"),
    ],
)
def test_bad_holdings_name_their_field(over: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(DealError) as e:
        example(**over).validate(today=TODAY)
    assert e.value.field == field and words in str(e.value)


@given(
    start=st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 1, 1)),
    days=st.integers(min_value=0, max_value=20_000),
)
def test_months_between_counts_whole_months(start: date, days: int) -> None:
    from datetime import timedelta

    end = start + timedelta(days=days)
    n = months_between(start, end)

    # n whole months fit between the dates, n + 1 do not (brute force by calendar).
    def add(d: date, k: int) -> tuple[int, int, int]:
        y, m = divmod(d.month - 1 + k, 12)
        return (d.year + y, m + 1, d.day)

    assert add(start, n) <= (end.year, end.month, end.day)
    assert add(start, n + 1) > (end.year, end.month, end.day)
