"""Commission arithmetic in integer cents: the deal's commission, each agent's share (a
percentage of the commission or a fixed amount, each optionally capped) and the brokerage's
remainder. The parts always add up to the commission exactly."""

from __future__ import annotations

from dataclasses import dataclass

BP = 10_000  # basis points in a whole (1 % = 100 bp)


class SplitError(ValueError):
    pass


@dataclass(frozen=True)
class SplitTerm:
    agent_id: int
    percent_bp: int | None = None
    fixed_cents: int | None = None
    cap_cents: int | None = None


@dataclass(frozen=True)
class SplitResult:
    commission_cents: int
    agents: dict[int, int]
    brokerage_cents: int


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def commission_cents(*, sale_price_cents: int, rate_bp: int) -> int:
    if sale_price_cents < 0 or not 0 <= rate_bp <= BP:
        raise SplitError("The sale price must be positive and the rate between 0 and 100 %.")
    return _round_half_up(sale_price_cents * rate_bp, BP)


def commission_split(*, sale_price_cents: int, rate_bp: int, terms: list[SplitTerm]) -> SplitResult:
    """Percent shares are rounded down (never more than earned); the cents rounding leaves go
    to the brokerage, which gets whatever the agents do not."""
    total = commission_cents(sale_price_cents=sale_price_cents, rate_bp=rate_bp)
    agents: dict[int, int] = {}
    for term in terms:
        if (term.percent_bp is None) == (term.fixed_cents is None):
            raise SplitError("Each split is a percentage or a fixed amount, not both.")
        if term.percent_bp is not None:
            if not 0 <= term.percent_bp <= BP:
                raise SplitError("A percentage is between 0 and 100 %.")
            share = total * term.percent_bp // BP
        else:
            share = int(term.fixed_cents or 0)
            if share < 0:
                raise SplitError("A fixed amount cannot be negative.")
        if term.cap_cents is not None:
            share = min(share, term.cap_cents)
        agents[term.agent_id] = agents.get(term.agent_id, 0) + share
    paid = sum(agents.values())
    if paid > total:
        raise SplitError(f"The agents' shares (${paid / 100:,.2f}) exceed the commission (${total / 100:,.2f}).")
    return SplitResult(commission_cents=total, agents=agents, brokerage_cents=total - paid)
