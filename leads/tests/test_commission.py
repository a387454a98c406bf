"""Commission arithmetic: the parts add up to the commission exactly, in integer cents."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leads.commission import SplitError, SplitTerm, commission_cents, commission_split

prices = st.integers(min_value=0, max_value=50_000_000_00)
rates = st.integers(min_value=0, max_value=10_000)


@st.composite
def terms(draw: st.DrawFn) -> list[SplitTerm]:
    out = []
    for agent_id in range(draw(st.integers(min_value=0, max_value=4))):
        cap = draw(st.none() | st.integers(min_value=0, max_value=10_000_00))
        if draw(st.booleans()):
            out.append(SplitTerm(agent_id=agent_id, percent_bp=draw(st.integers(0, 2_500)), cap_cents=cap))
        else:
            out.append(SplitTerm(agent_id=agent_id, fixed_cents=draw(st.integers(0, 5_000_00)), cap_cents=cap))
    return out


@given(prices, rates, terms())
def test_the_parts_add_up_to_the_commission(price: int, rate: int, split: list[SplitTerm]) -> None:
    try:
        result = commission_split(sale_price_cents=price, rate_bp=rate, terms=split)
    except SplitError:
        # Refused only when what the agents are owed (capped) is more than the commission.
        total = commission_cents(sale_price_cents=price, rate_bp=rate)
        owed = [
            min(
                Fraction(total * t.percent_bp, 10_000) if t.percent_bp is not None else t.fixed_cents or 0,
                t.cap_cents if t.cap_cents is not None else float("inf"),
            )
            for t in split
        ]
        assert sum(owed) > total
        return
    assert sum(result.agents.values()) + result.brokerage_cents == result.commission_cents
    assert result.brokerage_cents >= 0 and all(v >= 0 for v in result.agents.values())
    for t in split:
        if t.cap_cents is not None:
            assert result.agents[t.agent_id] <= t.cap_cents


@given(prices, rates)
def test_commission_is_the_rate_of_the_price_rounded_to_the_cent(price: int, rate: int) -> None:
    exact = price * rate / 10_000
    assert abs(commission_cents(sale_price_cents=price, rate_bp=rate) - exact) <= 0.5


def test_a_worked_example() -> None:
    # $1,234,567.89 at 2.5 %: $30,864.197... -> $30,864.20; 60 % to Ann capped at $15,000, $2,500 to Bo.
    result = commission_split(
        sale_price_cents=123_456_789,
        rate_bp=250,
        terms=[
            SplitTerm(agent_id=1, percent_bp=6_000, cap_cents=1_500_000),
            SplitTerm(agent_id=2, fixed_cents=250_000),
        ],
    )
    assert result.commission_cents == 3_086_420
    assert result.agents == {1: 1_500_000, 2: 250_000}
    assert result.brokerage_cents == 1_336_420


def test_overpaid_splits_are_refused() -> None:
    with pytest.raises(SplitError):
        commission_split(sale_price_cents=100_00, rate_bp=300, terms=[SplitTerm(agent_id=1, fixed_cents=400)])
    with pytest.raises(SplitError):
        commission_split(
            sale_price_cents=100_00, rate_bp=300, terms=[SplitTerm(agent_id=1, percent_bp=50, fixed_cents=1)]
        )
