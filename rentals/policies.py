"""Cancellation policies: how much of a paid booking goes back to the guest, in whole cents.

Days are counted from the cancellation's date to check-in (both in the platform's time zone).
Cancelled before check-in day, the cleaning fee always comes back; the nights come back in the
share the policy gives; the occupancy tax comes back in proportion to the rent and fee refunded
(tax is owed only on what is kept). A host's cancellation always refunds everything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rentals.models import CancellationPolicy

# (at least this many days before check-in, percent of the nights refunded), best first.
RULES: dict[str, tuple[tuple[int, int], ...]] = {
    CancellationPolicy.FLEXIBLE: ((1, 100), (0, 0)),
    CancellationPolicy.MODERATE: ((5, 100), (0, 50)),
    CancellationPolicy.STRICT: ((14, 100), (7, 50), (0, 0)),
}


@dataclass(frozen=True, slots=True)
class Refund:
    nights_cents: int
    cleaning_cents: int
    tax_cents: int
    percent_of_nights: int

    @property
    def total_cents(self) -> int:
        return self.nights_cents + self.cleaning_cents + self.tax_cents


def nights_percent(*, policy: str, days_before: int) -> int:
    for min_days, percent in RULES[policy]:
        if days_before >= min_days:
            return percent
    return 0


def refund_for(
    *,
    policy: str,
    check_in: dt.date,
    today: dt.date,
    nights_cents: int,
    cleaning_cents: int,
    tax_cents: int,
    by_host: bool = False,
) -> Refund:
    days_before = (check_in - today).days
    percent = 100 if by_host else nights_percent(policy=policy, days_before=days_before)
    nights_back = nights_cents * percent // 100
    cleaning_back = cleaning_cents if (by_host or days_before >= 1) else 0
    taxable = nights_cents + cleaning_cents
    refunded = nights_back + cleaning_back
    # Rounded half up, and never more than was charged.
    tax_back = min(tax_cents, (tax_cents * refunded * 2 + taxable) // (2 * taxable)) if taxable else 0
    return Refund(nights_cents=nights_back, cleaning_cents=cleaning_back, tax_cents=tax_back, percent_of_nights=percent)


def percent_of(cents: int, percent: Decimal) -> int:
    """``percent`` of ``cents`` rounded half up to a whole cent."""
    return int((Decimal(cents) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
