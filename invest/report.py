"""The analysis as plain data: what the page, the PDF and the API all show (money as decimal
strings, exact to the cent; ratios as decimal strings to 6 places)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from .finance import Analysis, DealInputs

RATIO = Decimal("0.000001")


def money(x: Decimal | None) -> str | None:
    return None if x is None else str(x)


def ratio(x: Decimal | None) -> str | None:
    return None if x is None else str(x.quantize(RATIO))


def inputs_dict(inp: DealInputs) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(inp).items()}


def inputs_from(data: dict[str, Any]) -> DealInputs:
    fields = DealInputs.__dataclass_fields__
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in data:
            continue
        v = data[name]
        kwargs[name] = v if f.type in ("int", "bool") else Decimal(str(v))
    return DealInputs(**kwargs)


def metrics(a: Analysis) -> dict[str, Any]:
    m = a.month
    return {
        "monthly_cash_flow": money(m.cash_flow),
        "yearly_cash_flow": money(m.cash_flow * 12),
        "noi_monthly": money(m.noi),
        "cap_rate": ratio(a.cap_rate),
        "cash_on_cash": ratio(a.cash_on_cash),
        "dscr": ratio(a.dscr),
        "irr": ratio(a.irr),
        "total_return": ratio(a.total_return),
    }


def build(a: Analysis, *, sensitivity: list[tuple[str, Analysis]]) -> dict[str, Any]:
    m = a.month
    return {
        "inputs": inputs_dict(a.inputs),
        "loan": money(a.loan),
        "down_payment": money(a.down_payment),
        "cash_invested": money(a.cash_invested),
        "payment": money(a.payment),
        "month": {
            "gross_rent": money(m.gross_rent),
            "vacancy": money(m.vacancy),
            "other_income": money(m.other_income),
            "effective_income": money(m.effective_income),
            "expenses": {k: money(v) for k, v in m.expenses.items()},
            "operating_expenses": money(m.operating_expenses),
            "noi": money(m.noi),
            "debt_service": money(m.debt_service),
            "cash_flow": money(m.cash_flow),
        },
        **metrics(a),
        "break_even_rent": money(a.break_even_rent),
        "years": [
            {
                "year": y.year,
                "value": money(y.value),
                "loan_balance": money(y.loan_balance),
                "equity": money(y.equity),
                "noi": money(y.noi),
                "cash_flow": money(y.cash_flow),
                "cumulative_cash_flow": money(y.cumulative_cash_flow),
            }
            for y in a.years
        ],
        "sale_price": money(a.sale_price),
        "selling_costs": money(a.selling_costs),
        "sale_proceeds": money(a.sale_proceeds),
        "total_profit": money(a.total_profit),
        "sensitivity": [{"label": label, **metrics(s)} for label, s in sensitivity],
    }
