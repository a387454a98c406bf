"""The deal-analysis form: every assumption of ``finance.DealInputs``, pre-filled from the
listing and the rent estimate; the ranges are checked once, by ``DealInputs.validate``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from .finance import DealError, DealInputs

D = DealInputs(price=Decimal(1), rent_monthly=Decimal(0))  # the defaults


def _dec(label: str, *, help_text: str = "", required: bool = False, step: str = "0.01") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=16,
        decimal_places=4,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": step, "inputmode": "decimal"}),
    )


class DealForm(forms.Form):
    listing = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    address = forms.CharField(required=False, max_length=300, label="Address")
    price = _dec("Purchase price ($)", required=True, step="1000")
    down_pct = _dec("Down payment (%)")
    rate_pct = _dec("Loan rate (%)", step="0.125")
    term_years = forms.IntegerField(label="Loan term (years)", required=False)
    closing_costs = _dec("Closing costs ($)", step="100")
    tax_rate_pct = _dec("Property tax (% a year)", help_text="California: 1 % plus the local rate.", step="0.01")
    insurance_yearly = _dec("Insurance ($ a year)", step="50")
    hoa_monthly = _dec("HOA ($ a month)", step="10")
    land_lease_monthly = _dec("Land lease ($ a month)", step="10")
    utilities_monthly = _dec("Utilities paid by owner ($ a month)", step="10")
    rent_monthly = _dec("Rent ($ a month)", step="25")
    other_income_monthly = _dec("Other income ($ a month)", step="10")
    vacancy_pct = _dec("Vacancy (% of rent)", step="0.5")
    management_pct = _dec("Management (% of income)", step="0.5")
    maintenance_pct = _dec("Maintenance (% of rent)", step="0.5")
    capex_pct = _dec("Capital reserves (% of rent)", step="0.5")
    short_term = forms.BooleanField(label="Short-term rental (nightly)", required=False)
    nightly_rate = _dec("Nightly rate ($)", step="5")
    occupancy_pct = _dec("Occupancy (%)", step="1")
    hold_years = forms.IntegerField(label="Holding period (years)", required=False)
    appreciation_pct = _dec("Appreciation (% a year)", step="0.1")
    rent_growth_pct = _dec("Rent growth (% a year)", step="0.1")
    expense_growth_pct = _dec("Expense growth (% a year)", step="0.1")
    selling_costs_pct = _dec("Selling costs at sale (%)", step="0.5")

    def deal_inputs(self) -> DealInputs:
        """The inputs (blank fields take the defaults); ``DealError`` when out of range, which
        the caller also adds to the form."""
        data: dict[str, Any] = {k: v for k, v in self.cleaned_data.items() if v is not None and v != ""}
        data.pop("listing", None)
        data.pop("address", None)
        if "rent_monthly" not in data:
            data["rent_monthly"] = Decimal(0)
        inp = DealInputs(**data)
        inp.validate()
        return inp

    def checked(self) -> DealInputs | None:
        """``deal_inputs`` with a range error put on its field; None when the form is invalid."""
        if not self.is_valid():
            return None
        try:
            return self.deal_inputs()
        except DealError as e:
            self.add_error(e.field if e.field in self.fields else None, str(e))
            return None


def initial_with_defaults(initial: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        name: getattr(D, name)
        for name in DealForm.base_fields
        if hasattr(D, name) and name not in ("price", "rent_monthly", "short_term")
    }
    return {**defaults, **{k: v for k, v in initial.items() if v is not None}}
