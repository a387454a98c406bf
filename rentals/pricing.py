"""The price of a stay, in whole cents: nights × the rate of each night (seasonal, weekend or
base), the cleaning fee, and the city's transient occupancy tax on both. Integer arithmetic
throughout; the tax is rounded half up once, on the taxable total."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

# Friday and Saturday nights are weekend nights (the nights before Saturday and Sunday).
WEEKEND_NIGHTS = frozenset({4, 5})


class Season(Protocol):
    start: dt.date
    end: dt.date
    nightly_rate_cents: int
    weekend_rate_cents: int | None


@dataclass(frozen=True, slots=True)
class Rates:
    nightly_cents: int
    weekend_cents: int | None
    cleaning_cents: int
    seasons: tuple[Season, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    check_in: dt.date
    check_out: dt.date
    nightly: tuple[tuple[dt.date, int], ...]
    cleaning_cents: int
    tax_percent: Decimal
    nights_cents: int = field(init=False)
    tax_cents: int = field(init=False)
    total_cents: int = field(init=False)

    def __post_init__(self) -> None:
        nights_cents = sum(cents for _, cents in self.nightly)
        object.__setattr__(self, "nights_cents", nights_cents)
        object.__setattr__(self, "tax_cents", tax_on(nights_cents + self.cleaning_cents, self.tax_percent))
        object.__setattr__(self, "total_cents", nights_cents + self.cleaning_cents + self.tax_cents)

    @property
    def nights(self) -> int:
        return len(self.nightly)

    def breakdown(self) -> list[dict[str, object]]:
        return [{"date": night.isoformat(), "cents": cents} for night, cents in self.nightly]


def tax_on(cents: int, percent: Decimal) -> int:
    """``percent`` of ``cents``, rounded half up to a whole cent."""
    return int((Decimal(cents) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def night_rate(night: dt.date, rates: Rates) -> int:
    weekend = night.weekday() in WEEKEND_NIGHTS
    for season in rates.seasons:
        if season.start <= night <= season.end:
            if weekend and season.weekend_rate_cents:
                return season.weekend_rate_cents
            return season.nightly_rate_cents
    if weekend and rates.weekend_cents:
        return rates.weekend_cents
    return rates.nightly_cents


def nights_between(check_in: dt.date, check_out: dt.date) -> Iterable[dt.date]:
    for offset in range((check_out - check_in).days):
        yield check_in + dt.timedelta(days=offset)


def quote(*, check_in: dt.date, check_out: dt.date, rates: Rates, tax_percent: Decimal) -> Quote:
    if check_out <= check_in:
        raise ValueError("Check-out must be after check-in.")
    return Quote(
        check_in=check_in,
        check_out=check_out,
        nightly=tuple((night, night_rate(night, rates)) for night in nights_between(check_in, check_out)),
        cleaning_cents=rates.cleaning_cents,
        tax_percent=tax_percent,
    )


def money(cents: int) -> str:
    """``123456`` → ``$1,234.56``."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"
