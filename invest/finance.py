"""Deal analysis arithmetic, in exact decimal money.

Every amount is a ``Decimal`` rounded to the cent (half up) where a lender or a ledger would
round it: the monthly payment, each month's interest, each expense line. Ratios (cap rate,
cash-on-cash, DSCR, IRR) are Decimals too, rounded only for display. Nothing here touches the
database or the listings store: ``invest.services`` gathers the inputs (listing facts, rent
estimate, local price index) and calls ``analyze``.

docs/invest.md has the formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
TWELVE = Decimal(12)
MAX_TERM_YEARS = 40
MAX_HOLD_YEARS = 30
MAX_PRICE = Decimal(1_000_000_000)


class DealError(ValueError):
    """Bad input: the message is safe to show, ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def pct(x: Decimal) -> Decimal:
    return x / HUNDRED


@dataclass(frozen=True)
class DealInputs:
    """What the investor assumes. Percentages are in percent (6.5 = 6.5 %)."""

    price: Decimal
    rent_monthly: Decimal
    down_pct: Decimal = Decimal(25)
    rate_pct: Decimal = Decimal("6.75")
    term_years: int = 30
    closing_costs: Decimal = ZERO
    tax_rate_pct: Decimal = Decimal("1.1")  # of the price, a year (California: 1 % + local)
    insurance_yearly: Decimal = ZERO
    hoa_monthly: Decimal = ZERO
    land_lease_monthly: Decimal = ZERO
    utilities_monthly: Decimal = ZERO
    other_income_monthly: Decimal = ZERO
    vacancy_pct: Decimal = Decimal(5)
    management_pct: Decimal = Decimal(8)
    maintenance_pct: Decimal = Decimal(5)
    capex_pct: Decimal = Decimal(5)
    # Short-term rental: the rent is nightly rate x nights booked (occupancy replaces vacancy).
    short_term: bool = False
    nightly_rate: Decimal = ZERO
    occupancy_pct: Decimal = Decimal(65)
    hold_years: int = 10
    appreciation_pct: Decimal = Decimal(3)
    rent_growth_pct: Decimal = Decimal(3)
    expense_growth_pct: Decimal = Decimal(2)
    selling_costs_pct: Decimal = Decimal(6)

    def validate(self) -> None:
        def within(name: str, lo: Decimal | int, hi: Decimal | int, label: str) -> None:
            v = getattr(self, name)
            if not v.is_finite() or not lo <= v <= hi:
                raise DealError(f"{label} must be between {lo:,} and {hi:,}.", field=name)

        if not self.price.is_finite() or self.price <= 0 or self.price > MAX_PRICE:
            raise DealError("The price must be a positive amount (at most $1,000,000,000).", field="price")
        if not self.rent_monthly.is_finite() or self.rent_monthly < 0:
            raise DealError("Rent cannot be negative.", field="rent_monthly")
        if not 1 <= self.term_years <= MAX_TERM_YEARS:
            raise DealError(f"The loan term must be 1 to {MAX_TERM_YEARS} years.", field="term_years")
        if not 1 <= self.hold_years <= MAX_HOLD_YEARS:
            raise DealError(f"The holding period must be 1 to {MAX_HOLD_YEARS} years.", field="hold_years")
        within("down_pct", 0, 100, "The down payment (%)")
        within("rate_pct", 0, 30, "The interest rate (%)")
        within("tax_rate_pct", 0, 10, "The property tax rate (%)")
        for name in ("vacancy_pct", "management_pct", "maintenance_pct", "capex_pct", "occupancy_pct"):
            within(name, 0, 100, name.replace("_pct", "").replace("capex", "capital reserves").capitalize() + " (%)")
        within("selling_costs_pct", 0, 50, "Selling costs (%)")
        for name in ("appreciation_pct", "rent_growth_pct", "expense_growth_pct"):
            within(name, -50, 50, name.replace("_pct", "").replace("_", " ").capitalize() + " (%)")
        for name in (
            "closing_costs",
            "insurance_yearly",
            "hoa_monthly",
            "land_lease_monthly",
            "utilities_monthly",
            "other_income_monthly",
            "nightly_rate",
        ):
            within(name, 0, MAX_PRICE, name.replace("_", " ").capitalize())


# ---- the loan --------------------------------------------------------------------------------


def monthly_payment(*, principal: Decimal, rate_pct: Decimal, term_years: int) -> Decimal:
    """The level monthly payment, to the cent: P r / (1 - (1 + r)^-n), r the monthly rate."""
    n = term_years * 12
    if principal <= 0:
        return ZERO
    if rate_pct == 0:
        return cents(principal / n)
    with localcontext() as ctx:
        ctx.prec = 40
        r = rate_pct / HUNDRED / TWELVE
        return cents(principal * r / (ONE - (ONE + r) ** -n))


@dataclass(frozen=True)
class Schedule:
    principal: Decimal
    payment: Decimal
    balances: tuple[Decimal, ...]  # after each month (index 0 = after the first payment)
    interest: tuple[Decimal, ...]

    def balance_after(self, months: int) -> Decimal:
        if months <= 0 or not self.balances:
            return self.principal if months <= 0 else ZERO
        return self.balances[min(months, len(self.balances)) - 1]


def amortize(*, principal: Decimal, rate_pct: Decimal, term_years: int) -> Schedule:
    """Month by month as a lender books it: interest rounded to the cent each month, the rest
    of the payment to principal, the last payment whatever clears the balance."""
    payment = monthly_payment(principal=principal, rate_pct=rate_pct, term_years=term_years)
    r = rate_pct / HUNDRED / TWELVE
    balance = principal
    balances, interests = [], []
    n = term_years * 12
    for month in range(1, n + 1):
        if balance <= 0:
            break
        interest = cents(balance * r)
        toward = payment - interest if month < n else balance
        balance = max(balance - toward, ZERO)
        balances.append(balance)
        interests.append(interest)
    return Schedule(principal=principal, payment=payment, balances=tuple(balances), interest=tuple(interests))


# ---- one month -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    gross_rent: Decimal
    vacancy: Decimal
    other_income: Decimal
    effective_income: Decimal
    expenses: dict[str, Decimal]
    operating_expenses: Decimal
    noi: Decimal
    debt_service: Decimal
    cash_flow: Decimal


def gross_rent(inp: DealInputs) -> Decimal:
    if inp.short_term:
        return cents(inp.nightly_rate * Decimal(365) * pct(inp.occupancy_pct) / TWELVE)
    return cents(inp.rent_monthly)


def month_of(inp: DealInputs, *, payment: Decimal, year: int = 1) -> Month:
    """Income, expenses and cash flow of a month in holding year ``year`` (rents and the fixed
    expenses grow each year by their rates; percentage expenses follow the rent)."""
    rent_g = (ONE + pct(inp.rent_growth_pct)) ** (year - 1)
    exp_g = (ONE + pct(inp.expense_growth_pct)) ** (year - 1)
    gross = cents(gross_rent(inp) * rent_g)
    vacancy = ZERO if inp.short_term else cents(gross * pct(inp.vacancy_pct))
    other = cents(inp.other_income_monthly * rent_g)
    effective = gross - vacancy + other
    expenses = {
        "property_tax": cents(inp.price * pct(inp.tax_rate_pct) / TWELVE * exp_g),
        "insurance": cents(inp.insurance_yearly / TWELVE * exp_g),
        "hoa": cents(inp.hoa_monthly * exp_g),
        "land_lease": cents(inp.land_lease_monthly * exp_g),
        "utilities": cents(inp.utilities_monthly * exp_g),
        "management": cents(effective * pct(inp.management_pct)),
        "maintenance": cents(gross * pct(inp.maintenance_pct)),
        "capital_reserves": cents(gross * pct(inp.capex_pct)),
    }
    opex = sum(expenses.values(), ZERO)
    noi = effective - opex
    return Month(gross, vacancy, other, effective, expenses, opex, noi, payment, noi - payment)


def break_even_rent(inp: DealInputs, *, payment: Decimal) -> Decimal | None:
    """The monthly rent at which the first year's cash flow is zero (None if no rent is enough:
    vacancy and the percentage expenses take it all)."""
    v = ZERO if inp.short_term else pct(inp.vacancy_pct)
    m, mt, cx = pct(inp.management_pct), pct(inp.maintenance_pct), pct(inp.capex_pct)
    per_dollar = (ONE - v) * (ONE - m) - mt - cx  # what a dollar of rent leaves
    if per_dollar <= 0:
        return None
    zero_rent = month_of(replace(inp, rent_monthly=ZERO, short_term=False), payment=payment)
    need = -zero_rent.cash_flow
    return cents(max(need, ZERO) / per_dollar)


# ---- the holding period ----------------------------------------------------------------------


@dataclass(frozen=True)
class Year:
    year: int
    value: Decimal
    loan_balance: Decimal
    equity: Decimal
    noi: Decimal
    cash_flow: Decimal
    cumulative_cash_flow: Decimal


def irr(flows: list[Decimal]) -> Decimal | None:
    """The rate r with sum flows[t] / (1 + r)^t = 0, by bisection on (-99 %, 1000 %); None when
    the flows do not change sign there (no investment, or never paid back)."""

    def npv(r: Decimal) -> Decimal:
        total, factor = ZERO, ONE
        for f in flows:
            total += f / factor
            factor *= ONE + r
        return total

    lo, hi = Decimal("-0.99"), Decimal(10)
    with localcontext() as ctx:
        ctx.prec = 28
        f_lo, f_hi = npv(lo), npv(hi)
        if f_lo == 0:
            return lo
        if (f_lo > 0) == (f_hi > 0):
            return None
        for _ in range(80):
            mid = (lo + hi) / 2
            f_mid = npv(mid)
            if (f_mid > 0) == (f_lo > 0):
                lo, f_lo = mid, f_mid
            else:
                hi = mid
        return ((lo + hi) / 2).quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class Analysis:
    inputs: DealInputs
    loan: Decimal
    down_payment: Decimal
    cash_invested: Decimal
    payment: Decimal
    month: Month
    cap_rate: Decimal
    cash_on_cash: Decimal | None
    dscr: Decimal | None
    break_even_rent: Decimal | None
    years: tuple[Year, ...]
    sale_price: Decimal
    selling_costs: Decimal
    sale_proceeds: Decimal  # after selling costs and paying off the loan
    irr: Decimal | None
    total_profit: Decimal
    total_return: Decimal | None


def analyze(inp: DealInputs) -> Analysis:
    inp.validate()
    down = cents(inp.price * pct(inp.down_pct))
    loan = inp.price - down
    schedule = amortize(principal=loan, rate_pct=inp.rate_pct, term_years=inp.term_years)
    first = month_of(inp, payment=schedule.payment)
    invested = down + inp.closing_costs
    years: list[Year] = []
    cumulative = ZERO
    growth = ONE + pct(inp.appreciation_pct)
    for y in range(1, inp.hold_years + 1):
        yearly_cf = yearly_noi = ZERO
        for m in range(12 * (y - 1) + 1, 12 * y + 1):
            # Payments stop once the loan is paid off inside the holding period.
            pay = schedule.payment if m <= len(schedule.balances) else ZERO
            mo = month_of(inp, payment=pay, year=y)
            yearly_cf += mo.cash_flow
            yearly_noi += mo.noi
        cumulative += yearly_cf
        value = cents(inp.price * growth**y)
        balance = schedule.balance_after(12 * y)
        years.append(Year(y, value, balance, value - balance, yearly_noi, yearly_cf, cumulative))
    last = years[-1]
    selling = cents(last.value * pct(inp.selling_costs_pct))
    proceeds = last.value - selling - last.loan_balance
    flows = [-invested] + [y.cash_flow for y in years]
    flows[-1] += proceeds
    profit = cumulative + proceeds - invested
    return Analysis(
        inputs=inp,
        loan=loan,
        down_payment=down,
        cash_invested=invested,
        payment=schedule.payment,
        month=first,
        cap_rate=first.noi * TWELVE / inp.price,
        cash_on_cash=first.cash_flow * TWELVE / invested if invested > 0 else None,
        dscr=first.noi / schedule.payment if schedule.payment > 0 else None,
        break_even_rent=break_even_rent(inp, payment=schedule.payment),
        years=tuple(years),
        sale_price=last.value,
        selling_costs=selling,
        sale_proceeds=proceeds,
        irr=irr(flows) if invested > 0 else None,
        total_profit=profit,
        total_return=profit / invested if invested > 0 else None,
    )


SENSITIVITY = (
    ("Base case", {}),
    ("Rate −1 pt", {"rate_pct": Decimal(-1)}),
    ("Rate +1 pt", {"rate_pct": Decimal(1)}),
    ("Rent −10 %", {"rent": Decimal("0.90")}),
    ("Rent +10 %", {"rent": Decimal("1.10")}),
    ("Price −5 %", {"price": Decimal("0.95")}),
    ("Price +5 %", {"price": Decimal("1.05")}),
)


def scenario(inp: DealInputs, change: dict[str, Decimal]) -> DealInputs:
    out = inp
    if "rate_pct" in change:
        out = replace(out, rate_pct=max(ZERO, out.rate_pct + change["rate_pct"]))
    if "rent" in change:
        f = change["rent"]
        out = replace(out, rent_monthly=cents(out.rent_monthly * f), nightly_rate=cents(out.nightly_rate * f))
    if "price" in change:
        out = replace(out, price=cents(out.price * change["price"]))
    return out


def sensitivity(inp: DealInputs) -> list[tuple[str, Analysis]]:
    """The deal under rate ±1 point, rent ±10 % and price ±5 %, everything else unchanged."""
    return [(label, analyze(scenario(inp, change))) for label, change in SENSITIVITY]
