"""The price of a stay in exact cents: nights at their rates, cleaning, occupancy tax."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from rentals.pricing import Rates, money, quote, tax_on
from rentals.selectors import stay_quote, tax_percent_for
from rentals.tests.conftest import NEXT_MONDAY


def test_weekday_and_weekend_nights_with_cleaning_and_palm_springs_tax() -> None:
    rates = Rates(nightly_cents=250_00, weekend_cents=325_00, cleaning_cents=150_00)
    # Thursday to Sunday: Thu (weekday), Fri and Sat (weekend) nights.
    thursday = NEXT_MONDAY + dt.timedelta(days=3)
    q = quote(check_in=thursday, check_out=thursday + dt.timedelta(days=3), rates=rates, tax_percent=Decimal("11.5"))
    assert [c for _, c in q.nightly] == [250_00, 325_00, 325_00]
    assert q.nights_cents == 900_00
    # 11.5% of $1,050.00 = $120.75 exactly.
    assert q.tax_cents == 120_75
    assert q.total_cents == 900_00 + 150_00 + 120_75
    assert money(q.total_cents) == "$1,170.75"


def test_tax_rounds_half_up_once_on_the_total() -> None:
    # 11.5% of $123.45 = $14.19675 → $14.20; of $0.10 = 1.15 cents → 1 cent.
    assert tax_on(123_45, Decimal("11.5")) == 14_20
    assert tax_on(10, Decimal("11.5")) == 1
    # Exactly half a cent rounds up: 10% of 5 cents.
    assert tax_on(5, Decimal("10")) == 1
    rates = Rates(nightly_cents=123_33, weekend_cents=None, cleaning_cents=0)
    q = quote(
        check_in=NEXT_MONDAY, check_out=NEXT_MONDAY + dt.timedelta(days=3), rates=rates, tax_percent=Decimal("11.5")
    )
    # Per-night rounding would give 3 × 14.18 = 42.54; the tax is on the whole: 11.5% × 369.99 = 42.54885.
    assert q.tax_cents == 42_55
    assert q.total_cents == 369_99 + 42_55


def test_seasonal_rates_win_over_weekday_and_weekend_rates() -> None:
    season = SimpleNamespace(
        start=NEXT_MONDAY + dt.timedelta(days=4),
        end=NEXT_MONDAY + dt.timedelta(days=5),
        nightly_rate_cents=500_00,
        weekend_rate_cents=None,
    )
    rates = Rates(nightly_cents=200_00, weekend_cents=300_00, cleaning_cents=0, seasons=(season,))
    q = quote(
        check_in=NEXT_MONDAY + dt.timedelta(days=3),
        check_out=NEXT_MONDAY + dt.timedelta(days=7),
        rates=rates,
        tax_percent=Decimal(0),
    )
    # Thu 200, Fri (season) 500, Sat (season, no weekend rate) 500, Sun 200.
    assert [c for _, c in q.nightly] == [200_00, 500_00, 500_00, 200_00]
    assert q.tax_cents == 0


def test_check_out_must_follow_check_in() -> None:
    with pytest.raises(ValueError):
        quote(check_in=NEXT_MONDAY, check_out=NEXT_MONDAY, rates=Rates(10_00, None, 0), tax_percent=Decimal(0))


@pytest.mark.django_db
def test_city_rules_give_the_tax_palm_springs_seeded_others_configurable(home, settings) -> None:
    from rentals.models import CityRule

    assert tax_percent_for(city_slug="palm-springs") == Decimal("11.5")
    settings.RENTALS_DEFAULT_OCCUPANCY_TAX_PERCENT = "0"
    assert tax_percent_for(city_slug="indio") == 0
    CityRule.objects.create(city_slug="indio", name="Indio", occupancy_tax_percent=Decimal("12"))
    assert tax_percent_for(city_slug="indio") == Decimal("12")
    q = stay_quote(prop=home, check_in=NEXT_MONDAY, check_out=NEXT_MONDAY + dt.timedelta(days=2))
    assert (q.nights_cents, q.cleaning_cents, q.tax_cents) == (500_00, 150_00, 74_75)
