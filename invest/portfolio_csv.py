"""CSV import and export of a portfolio.

Import is two steps: the file is checked row by row (the same form and checks as the page:
``PortfolioForm``) and shown as a preview, each bad row with its line number and what is wrong;
importing re-checks the same text and writes every row in one transaction, or none when any
row is wrong. An exported file imports back (the extra columns are ignored)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from listings.selectors import Scope

from .finance import DealError
from .models import PortfolioProperty
from .portfolio import Holding, Metrics
from .portfolio_forms import PortfolioForm
from .portfolio_services import Home, home_resolve

COLUMNS = (
    "listing",
    "address",
    "sqft",
    "beds",
    "baths",
    "purchase_price",
    "purchase_date",
    "loan_amount",
    "loan_rate_pct",
    "loan_term_years",
    "rent_monthly",
    "tax_yearly",
    "insurance_yearly",
    "hoa_monthly",
    "other_monthly",
    "vacancy_pct",
    "alert_pct",
)
EXPORT_EXTRA = (
    "value",
    "value_low",
    "value_high",
    "valued_on",
    "loan_balance",
    "equity",
    "cash_flow_monthly",
    "total_return_pct",
)
MAX_ROWS = 1000
MAX_BYTES = 2_000_000


class CsvError(ValueError):
    """The file as a whole cannot be read (not the errors of single rows)."""


@dataclass
class ImportRow:
    line: int
    label: str
    home: Home | None = None
    holding: Holding | None = None
    errors: list[str] = field(default_factory=list)


def csv_text(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise CsvError(f"The file is larger than {MAX_BYTES // 1_000_000} MB.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CsvError("The file is not UTF-8 text: save it as CSV (UTF-8) and try again.") from e


def _form_errors(form: PortfolioForm) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else (form.fields[name].label if name in form.fields else name)
        out += [f"{label}: {e}" if label else str(e) for e in errors]
    return out


def _row(line: int, raw: dict[str, str], *, scope: Scope, today: date, seen: set[str]) -> ImportRow:
    data = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    row = ImportRow(line=line, label=data["listing"] or data["address"] or "(no home given)")
    form = PortfolioForm(data=data, today=today)
    row.holding = form.checked()
    if row.holding is None:
        row.errors += _form_errors(form)
        return row
    try:
        row.home = home_resolve(scope=scope, listing=data["listing"], address=data["address"], facts=form.facts())
    except DealError as e:
        row.errors.append(f"{e.field or 'home'}: {e}")
        return row
    row.label = row.home.address
    key = row.home.listing_key
    if key and key in seen:
        row.errors.append("listing: this home is already in your portfolio or earlier in the file.")
    if key:
        seen.add(key)
    return row


def csv_check(*, text: str, scope: Scope, user: Any, today: date) -> list[ImportRow]:
    """Every row checked (nothing written). ``CsvError`` when the file itself is unusable."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise CsvError("The file is empty.")
    reader.fieldnames = [(h or "").strip().lower() for h in reader.fieldnames]
    needed = {"purchase_price", "purchase_date"}
    missing = needed - set(reader.fieldnames)
    if missing or not {"listing", "address"} & set(reader.fieldnames):
        raise CsvError(
            "The first line must name the columns: purchase_price, purchase_date and listing or address "
            f"(the others are optional: {', '.join(COLUMNS)})."
        )
    seen = set(
        PortfolioProperty.objects.filter(user=user).exclude(listing_key="").values_list("listing_key", flat=True)
    )
    rows: list[ImportRow] = []
    try:
        for raw in reader:
            if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
                continue  # blank line
            if len(rows) == MAX_ROWS:
                raise CsvError(f"At most {MAX_ROWS} homes per file.")
            rows.append(_row(reader.line_num, raw, scope=scope, today=today, seen=seen))
    except csv.Error as e:
        raise CsvError(f"Line {reader.line_num}: {e}") from e
    if not rows:
        raise CsvError("The file has no homes in it.")
    return rows


def _safe(v: Any) -> str:
    """A cell a spreadsheet will not run as a formula."""
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(s) else s


def _number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _dollars(c: int | None) -> str:
    return "" if c is None else f"{c / 100:.2f}" if c % 100 else str(c // 100)


def csv_export(rows: Iterable[tuple[PortfolioProperty, Metrics]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([*COLUMNS, *EXPORT_EXTRA])
    for p, m in rows:
        facts = p.facts or {}
        w.writerow(
            [
                _safe(v)
                for v in (
                    p.listing_key,
                    "" if p.listing_key else p.address,
                    "" if facts.get("sqft") is None else int(facts["sqft"]),
                    "" if facts.get("beds") is None else int(facts["beds"]),
                    "" if facts.get("baths") is None else facts["baths"],
                    _dollars(p.purchase_price_cents),
                    p.purchase_date.isoformat(),
                    _dollars(p.loan_amount_cents),
                    p.loan_rate_pct,
                    p.loan_term_years,
                    _dollars(p.rent_monthly_cents),
                    _dollars(p.tax_yearly_cents),
                    _dollars(p.insurance_yearly_cents),
                    _dollars(p.hoa_monthly_cents),
                    _dollars(p.other_monthly_cents),
                    p.vacancy_pct,
                    "" if p.alert_pct is None else p.alert_pct,
                    _dollars(p.value_cents),
                    _dollars(p.value_low_cents),
                    _dollars(p.value_high_cents),
                    p.valued_at.date().isoformat() if p.valued_at else "",
                    m.balance,
                    "" if m.equity is None else m.equity,
                    m.month.cash_flow,
                    "" if m.total_return is None else f"{m.total_return * 100:.2f}",
                )
            ]
        )
    return out.getvalue()
