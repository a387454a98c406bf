"""The form to record a closed deal: money typed as dollars ("$650,000" or "650000.50") and rates
as percentages ("2.5"), turned into integer cents and basis points, with the split in rows (an
agent, a percentage of the commission or a fixed amount, an optional cap)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms import formset_factory

from leads.commission import BP, SplitTerm

MAX_PRICE_CENTS = 1_000_000_000 * 100  # a billion dollars: anything above is a typo


def _decimal(raw: str, what: str) -> Decimal:
    text = raw.strip().replace(",", "").replace("$", "").replace("%", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise forms.ValidationError(f"Write the {what} as a number, for example 2.5 or 650,000.") from None
    if not value.is_finite() or value < 0:
        raise forms.ValidationError(f"The {what} cannot be negative.")
    if value != value.quantize(Decimal("0.01")):
        raise forms.ValidationError(f"The {what} has at most two decimals.")
    return value


def dollars_to_cents(raw: str, what: str = "amount") -> int:
    cents = int(_decimal(raw, what) * 100)
    if cents > MAX_PRICE_CENTS:
        raise forms.ValidationError(f"The {what} is more than a billion dollars: check it.")
    return cents


def percent_to_bp(raw: str, what: str = "percentage") -> int:
    bp = int(_decimal(raw, what) * 100)
    if bp > BP:
        raise forms.ValidationError(f"The {what} is at most 100 %.")
    return bp


class DealForm(forms.Form):
    title = forms.CharField(max_length=200, label="Deal", help_text="The home's address, for example.")
    closed_on = forms.DateField(label="Closed on", widget=forms.DateInput(attrs={"type": "date"}))
    sale_price = forms.CharField(max_length=20, label="Sale price ($)")
    commission_rate = forms.CharField(max_length=8, label="Commission rate (%)")

    def clean_sale_price(self) -> int:
        cents = dollars_to_cents(self.cleaned_data["sale_price"], "sale price")
        if cents == 0:
            raise forms.ValidationError("The sale price must be more than zero.")
        return cents

    def clean_commission_rate(self) -> int:
        return percent_to_bp(self.cleaned_data["commission_rate"], "commission rate")


class SplitForm(forms.Form):
    agent = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Agent")
    kind = forms.ChoiceField(
        choices=(("percent", "% of the commission"), ("fixed", "Fixed amount ($)")), initial="percent", label="Share"
    )
    amount = forms.CharField(max_length=20, required=False, label="Percentage or amount")
    cap = forms.CharField(max_length=20, required=False, label="Cap ($, optional)")

    def __init__(self, *args: Any, agents: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agent = self.fields["agent"]
        assert isinstance(agent, forms.TypedChoiceField)
        agent.choices = [("", "(none)"), *agents]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agent, amount = data.get("agent"), (data.get("amount") or "").strip()
        if agent is None and not amount:
            return data  # a blank row
        if agent is None:
            self.add_error("agent", "Choose the agent this share goes to.")
        if not amount:
            self.add_error("amount", "Give a percentage or an amount.")
            return data
        try:
            if data.get("kind") == "fixed":
                data["fixed_cents"] = dollars_to_cents(amount, "amount")
            else:
                data["percent_bp"] = percent_to_bp(amount, "percentage")
        except forms.ValidationError as exc:
            self.add_error("amount", exc)
        if (data.get("cap") or "").strip():
            try:
                data["cap_cents"] = dollars_to_cents(data["cap"], "cap")
            except forms.ValidationError as exc:
                self.add_error("cap", exc)
        return data

    def term(self) -> SplitTerm | None:
        data = self.cleaned_data
        if data.get("agent") is None:
            return None
        return SplitTerm(
            agent_id=data["agent"],
            percent_bp=data.get("percent_bp"),
            fixed_cents=data.get("fixed_cents"),
            cap_cents=data.get("cap_cents"),
        )


SplitFormSet = formset_factory(SplitForm, extra=3, max_num=10, absolute_max=10)


def split_terms(formset: Any) -> list[SplitTerm]:
    return [t for t in (f.term() for f in formset.forms) if t is not None]
