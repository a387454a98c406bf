"""The portfolio property form: the page's form and each row of a CSV import go through the same
fields and the same checks (``Holding.validate``), so both refuse the same bad input the same
way, with the field named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from .finance import DealError
from .portfolio import Holding, to_cents


def _money(label: str, *, required: bool = False, step: str = "1") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": step, "inputmode": "decimal"}),
    )


def _pct(label: str, *, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=7,
        decimal_places=3,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.125", "inputmode": "decimal"}),
    )


class PortfolioForm(forms.Form):
    listing = forms.CharField(
        required=False,
        max_length=200,
        label="MLS listing or closed sale",
        help_text="The listing key or the address part of its link.",
    )
    address = forms.CharField(required=False, max_length=300, label="Or an address")
    sqft = forms.IntegerField(required=False, min_value=1, max_value=100_000, label="Living area (sq ft)")
    beds = forms.IntegerField(required=False, min_value=0, max_value=50, label="Bedrooms")
    baths = forms.DecimalField(
        required=False, min_value=0, max_value=50, max_digits=4, decimal_places=1, label="Bathrooms"
    )
    purchase_price = _money("Purchase price ($)", required=True, step="1000")
    purchase_date = forms.DateField(label="Purchase date", widget=forms.DateInput(attrs={"type": "date"}))
    loan_amount = _money("Loan amount ($)", step="1000")
    loan_rate_pct = _pct("Loan rate (%)")
    loan_term_years = forms.IntegerField(required=False, label="Loan term (years)")
    rent_monthly = _money("Rent ($ a month)", step="25")
    tax_yearly = _money("Property tax ($ a year)", step="50")
    insurance_yearly = _money("Insurance ($ a year)", step="50")
    hoa_monthly = _money("HOA ($ a month)", step="10")
    other_monthly = _money("Other expenses ($ a month)", step="10")
    vacancy_pct = _pct("Vacancy (% of rent)")
    alert_pct = _pct("Email me when the value moves by more than (%)", help_text="Leave empty for no alerts.")

    def __init__(self, *args: Any, editing: bool = False, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.today = today or date.today()
        if editing:  # the home itself does not change once added
            for name in ("listing", "address", "sqft", "beds", "baths"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.editing and not (data.get("listing") or "").strip() and not (data.get("address") or "").strip():
            self.add_error("listing", "Give the home's MLS listing (or closed sale) or its address.")
        return data

    def holding(self) -> Holding:
        d = self.cleaned_data

        def cents(name: str) -> int:
            v = d.get(name)
            return 0 if v is None else to_cents(v)

        term = d.get("loan_term_years")
        return Holding(
            purchase_price=cents("purchase_price"),
            purchase_date=d["purchase_date"],
            loan_amount=cents("loan_amount"),
            loan_rate_pct=d.get("loan_rate_pct") or Decimal(0),
            loan_term_years=30 if term is None else term,
            rent_monthly=cents("rent_monthly"),
            tax_yearly=cents("tax_yearly"),
            insurance_yearly=cents("insurance_yearly"),
            hoa_monthly=cents("hoa_monthly"),
            other_monthly=cents("other_monthly"),
            vacancy_pct=d.get("vacancy_pct") or Decimal(0),
            alert_pct=d.get("alert_pct"),
        )

    def checked(self) -> Holding | None:
        """The holding, or None with the errors on the form's fields."""
        if not self.is_valid():
            return None
        h = self.holding()
        try:
            h.validate(today=self.today)
        except DealError as e:
            self.add_error(e.field if e.field in self.fields else None, str(e))
            return None
        return h

    def facts(self) -> dict[str, Any]:
        """Facts typed for an address (the CMA engine's names)."""
        d = self.cleaned_data
        out: dict[str, Any] = {}
        for name in ("sqft", "beds", "baths"):
            if d.get(name) is not None:
                out[name] = float(d[name])
        return out


def initial_of(prop: Any) -> dict[str, Any]:
    """A saved property as the edit form's initial values (money back to dollars)."""
    cents = Decimal("0.01")
    return {
        "purchase_price": Decimal(prop.purchase_price_cents) * cents,
        "purchase_date": prop.purchase_date,
        "loan_amount": Decimal(prop.loan_amount_cents) * cents,
        "loan_rate_pct": prop.loan_rate_pct,
        "loan_term_years": prop.loan_term_years,
        "rent_monthly": Decimal(prop.rent_monthly_cents) * cents,
        "tax_yearly": Decimal(prop.tax_yearly_cents) * cents,
        "insurance_yearly": Decimal(prop.insurance_yearly_cents) * cents,
        "hoa_monthly": Decimal(prop.hoa_monthly_cents) * cents,
        "other_monthly": Decimal(prop.other_monthly_cents) * cents,
        "vacancy_pct": prop.vacancy_pct,
        "alert_pct": prop.alert_pct,
    }
