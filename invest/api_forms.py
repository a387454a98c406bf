"""The Investor API's inputs as Django forms (declared to OpenAPI by ``api.params``): the deal
analysis form of the pages with the price optional (a listing brings its own), and the place
and trends queries."""

from __future__ import annotations

from typing import Any

from django import forms

from .forms import DealForm, _dec, initial_with_defaults
from .trends import KINDS, PERIODS


class YesNo(forms.CheckboxInput):
    """JSON true/false arrive as "yes"/"no" (``api.params``): "no" is false here, where a
    checkbox would read any non-empty string as true."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        return str(data.get(name, "")).lower() in ("yes", "true", "on", "1")


class DealApiForm(DealForm):
    listing = forms.CharField(required=False, max_length=200, help_text="Listing key or slug of this site.")
    price = _dec("Purchase price ($); default: the listing's price")
    short_term = forms.BooleanField(required=False, widget=YesNo, help_text="Short-term rental (nightly).")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_place = data.get("listing") or data.get("address")
        if data.get("price") is None and not has_place and "price" not in self.errors:
            self.add_error("price", "Give a price, or a listing or address that has one.")
        return data


def deal_form_data(given: dict[str, Any], suggested: dict[str, Any]) -> dict[str, str]:
    """The suggested assumptions (defaults, then the listing's), overridden by every field the
    caller gave, as form data."""
    data = initial_with_defaults(suggested)
    data.update({k: v for k, v in given.items() if v is not None and v != "" and v is not False})
    out: dict[str, str] = {}
    for k, v in data.items():
        if v is None or v is False:
            continue
        out[k] = "on" if v is True else str(v)
    return out


class PlaceForm(forms.Form):
    listing = forms.CharField(required=False, max_length=200, help_text="Listing key or slug of this site.")
    address = forms.CharField(required=False, max_length=300, help_text="A street address the store knows.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("listing") and not data.get("address"):
            raise forms.ValidationError("Give a listing or an address.")
        return data


class TrendsForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, k) for k in KINDS], help_text="city, subdivision or postal.")
    place = forms.CharField(max_length=100, help_text="The city, subdivision or 5-digit postal code.")
    period = forms.ChoiceField(required=False, choices=[(p, p) for p in PERIODS], help_text="Default 5y.")
