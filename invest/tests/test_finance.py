"""The finance core against hand-worked examples and an exact reference amortisation."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invest.finance import DealError, DealInputs, amortize, analyze, irr, monthly_payment, sensitivity

# A deal worked by hand (docs/invest.md walks through it).
HAND = DealInputs(
    price=D(200_000),
    rent_monthly=D(2_000),
    down_pct=D(20),
    rate_pct=D(6),
    term_years=30,
    closing_costs=D(5_000),
    tax_rate_pct=D("1.2"),
    insurance_yearly=D(1_200),
    vacancy_pct=D(5),
    management_pct=D(10),
    maintenance_pct=D(5),
    capex_pct=D(5),
    hold_years=5,
)


def test_hand_worked_month() -> None:
    a = analyze(HAND)
    assert a.loan == D("160000.00") and a.down_payment == D("40000.00")
    assert a.payment == D("959.28")  # 160,000 at 6 % over 30 years
    m = a.month
    assert (m.gross_rent, m.vacancy, m.effective_income) == (D("2000.00"), D("100.00"), D("1900.00"))
    assert m.expenses["property_tax"] == D("200.00") and m.expenses["insurance"] == D("100.00")
    assert m.expenses["management"] == D("190.00") and m.expenses["maintenance"] == D("100.00")
    assert m.operating_expenses == D("690.00")
    assert m.noi == D("1210.00")
    assert m.cash_flow == D("250.72")
    assert a.cap_rate == D("0.0726")
    assert a.cash_invested == D("45000.00")
    assert a.cash_on_cash.quantize(D("0.000001")) == D("0.066859")  # 3,008.64 / 45,000
    assert a.dscr.quantize(D("0.0001")) == D("1.2614")  # 1,210 / 959.28
    # Break-even: 959.28 + 300 fixed, each rent dollar leaves 0.95 x 0.9 - 0.05 - 0.05 = 0.755.
    assert a.break_even_rent == D("1667.92")
    at_break_even = analyze(replace(HAND, rent_monthly=a.break_even_rent))
    assert abs(at_break_even.month.cash_flow) <= D("0.02")


def test_cash_purchase_one_year_irr_and_total_return() -> None:
    cash = DealInputs(
        price=D(100_000),
        rent_monthly=D(1_000),
        down_pct=D(100),
        tax_rate_pct=D(0),
        vacancy_pct=D(0),
        management_pct=D(0),
        maintenance_pct=D(0),
        capex_pct=D(0),
        hold_years=1,
        appreciation_pct=D(0),
        selling_costs_pct=D(0),
    )
    a = analyze(cash)
    assert a.loan == 0 and a.payment == 0 and a.dscr is None  # no debt to cover
    assert a.month.cash_flow == D("1000.00")
    assert a.irr == D("0.120000") and a.total_return == D("0.12")
    assert a.years[0].equity == D("100000.00")


def test_equity_follows_appreciation_and_amortisation() -> None:
    a = analyze(HAND)
    schedule = amortize(principal=D(160_000), rate_pct=D(6), term_years=30)
    for y in a.years:
        value = (D(200_000) * D("1.03") ** y.year).quantize(D("0.01"))
        assert y.value == value
        assert y.loan_balance == schedule.balances[12 * y.year - 1]
        assert y.equity == value - y.loan_balance
    assert a.sale_proceeds == a.years[-1].value - a.selling_costs - a.years[-1].loan_balance


def test_irr_of_known_flows() -> None:
    assert irr([D(-100), D(110)]) == D("0.100000")
    assert irr([D(-1000), D(0), D(1210)]) == D("0.100000")
    assert irr([D(-100), D(-5)]) is None  # never paid back


def test_sensitivity_moves_the_right_way() -> None:
    rows = dict(sensitivity(HAND))
    base = rows["Base case"].month.cash_flow
    assert rows["Rate +1 pt"].month.cash_flow < base < rows["Rate −1 pt"].month.cash_flow
    assert rows["Rent −10 %"].month.cash_flow < base < rows["Rent +10 %"].month.cash_flow
    assert rows["Price +5 %"].month.cash_flow < base < rows["Price −5 %"].month.cash_flow
    assert rows["Rent +10 %"].inputs.rent_monthly == D("2200.00")


def test_short_term_rental_income() -> None:
    st_ = replace(HAND, short_term=True, nightly_rate=D(200), occupancy_pct=D(60))
    m = analyze(st_).month
    assert m.gross_rent == D("3650.00")  # 200 x 365 x 60 % / 12
    assert m.vacancy == 0  # occupancy replaces vacancy


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rent_monthly": D(-100)}, "rent_monthly"),
        ({"term_years": 100}, "term_years"),
        ({"price": D(0)}, "price"),
        ({"down_pct": D(120)}, "down_pct"),
        ({"rate_pct": D(-1)}, "rate_pct"),
        ({"hold_years": 0}, "hold_years"),
        ({"price": D("NaN")}, "price"),
    ],
)
def test_bad_inputs_are_named(change: dict, field: str) -> None:
    with pytest.raises(DealError) as e:
        analyze(replace(HAND, **change))
    assert e.value.field == field


def test_zero_down_has_no_cash_on_cash_without_closing_costs() -> None:
    a = analyze(replace(HAND, down_pct=D(0), closing_costs=D(0)))
    assert a.loan == D("200000.00") and a.cash_invested == 0
    assert a.cash_on_cash is None and a.irr is None and a.total_return is None
    b = analyze(replace(HAND, down_pct=D(0)))  # closing costs are still cash in
    assert b.cash_on_cash is not None and b.cash_invested == D("5000.00")


# ---- the reference amortisation -----------------------------------------------------------


def exact_payment(principal: Fraction, annual_pct: Fraction, years: int) -> Fraction:
    n = years * 12
    if annual_pct == 0:
        return principal / n
    r = annual_pct / 100 / 12
    return principal * r / (1 - (1 + r) ** -n)


principals = st.integers(min_value=1_000_00, max_value=5_000_000_00).map(lambda c: D(c) / 100)
rates = st.integers(min_value=0, max_value=1500).map(lambda bp: D(bp) / 100)  # 0 to 15 %, in 0.01 steps
terms = st.integers(min_value=1, max_value=40)


@settings(max_examples=60, deadline=None)
@given(principal=principals, rate=rates, years=terms)
def test_payment_is_the_exact_annuity_rounded_to_the_cent(principal: D, rate: D, years: int) -> None:
    exact = exact_payment(Fraction(principal), Fraction(rate), years)
    got = monthly_payment(principal=principal, rate_pct=rate, term_years=years)
    assert abs(Fraction(got) - exact) <= Fraction(1, 200)


@settings(max_examples=40, deadline=None)
@given(principal=principals, rate=rates, years=terms)
def test_schedule_pays_off_and_tracks_the_exact_balance(principal: D, rate: D, years: int) -> None:
    s = amortize(principal=principal, rate_pct=rate, term_years=years)
    n = years * 12
    # Paid off by the last month, never late; a payment rounded up by up to half a cent
    # finishes a small long loan early ($1,000 at 15 % over 40 years: up to 11 months), and the
    # lender's final payment is then smaller.
    assert s.balances[-1] == 0 and n - 12 <= len(s.balances) <= n
    assert all(b > 0 for b in s.balances[:-1])
    r = Fraction(rate) / 1200
    m = Fraction(s.payment)
    for k in sorted({1, n // 2, len(s.balances) - 1} - {0}):
        grown = (1 + r) ** k
        exact = Fraction(principal) * grown - (m * (grown - 1) / r if r else m * k)
        # Each month's interest is rounded to the cent: at most half a cent a month, compounding.
        assert abs(Fraction(s.balances[k - 1]) - exact) <= Fraction(k, 200) * grown + Fraction(1, 100)
