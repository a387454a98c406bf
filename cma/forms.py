"""The /cma/ form: a listing (pre-filled facts the user may correct) or an address with facts."""

from __future__ import annotations

import math
from typing import Any

from django import forms

from .services import CmaInputs

SUB_TYPES = [
    ("", "Same as the listing / not sure"),
    ("Single Family Residence", "Single family home"),
    ("Condominium", "Condominium"),
    ("Townhouse", "Townhouse"),
    ("Manufactured Home", "Manufactured home"),
    ("Duplex", "Duplex"),
]
CONDITIONS = [
    ("", "Not sure"),
    ("1", "1 – poor"),
    ("2", "2 – fair"),
    ("3", "3 – average"),
    ("4", "4 – good"),
    ("5", "5 – excellent"),
]
POOL = [("", "Not sure"), ("yes", "Yes"), ("no", "No")]
KINDS = [("Residential", "Value (for sale)"), ("Residential Lease", "Monthly rent (lease)")]


class CmaForm(forms.Form):
    listing = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    address = forms.CharField(
        required=False,
        max_length=300,
        help_text="Street, city and state, e.g. 123 Main St, Palm Springs, CA",
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    kind = forms.ChoiceField(choices=KINDS, required=False, label="Estimate")
    sqft = forms.IntegerField(label="Living area (sq ft)", required=False, min_value=1, max_value=100_000)
    beds = forms.IntegerField(label="Bedrooms", required=False, min_value=0, max_value=50)
    baths = forms.DecimalField(label="Bathrooms", required=False, min_value=0, max_value=50, decimal_places=1)
    year = forms.IntegerField(label="Year built", required=False, min_value=1600, max_value=2200)
    lot = forms.IntegerField(label="Lot size (sq ft)", required=False, min_value=0, max_value=1_000_000_000)
    garage = forms.IntegerField(label="Garage spaces", required=False, min_value=0, max_value=50)
    pool = forms.ChoiceField(label="Private pool", choices=POOL, required=False)
    psub = forms.ChoiceField(label="Property type", choices=SUB_TYPES, required=False)
    condition = forms.ChoiceField(label="Condition", choices=CONDITIONS, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("listing") and not (data.get("address") or "").strip():
            raise forms.ValidationError("Enter the home's address (or start from a listing's page).")
        if not data.get("listing") and not data.get("sqft"):
            self.add_error("sqft", "Living area is needed to value a home by address.")
        return data

    def inputs(self) -> CmaInputs:
        d = self.cleaned_data
        facts: dict[str, Any] = {
            "sqft": float(d["sqft"]) if d.get("sqft") else None,
            "beds": float(d["beds"]) if d.get("beds") is not None else None,
            "baths": float(d["baths"]) if d.get("baths") is not None else None,
            "year": float(d["year"]) if d.get("year") else None,
            "lot": float(d["lot"]) if d.get("lot") else None,
            "garage": float(d["garage"]) if d.get("garage") is not None else None,
            "pool": {"yes": True, "no": False}.get(d.get("pool") or ""),
            "psub": d.get("psub") or None,
            "condition": d.get("condition") or None,
        }
        if not d.get("listing"):
            facts["ptype"] = d.get("kind") or "Residential"
        return CmaInputs(listing=d.get("listing") or "", address=(d.get("address") or "").strip(), facts=facts)


def initial_from_listing(doc: dict[str, Any]) -> dict[str, Any]:
    def n(key: str) -> Any:
        v = doc.get(key)
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None

    full, half = n("bathroomsFull"), n("bathroomsHalf")
    baths = full + 0.5 * (half or 0) if full is not None else n("bathroomsTotalInteger")
    pool = doc.get("poolPrivateYN")
    cond = doc.get("propertyCondition")
    return {
        "listing": doc.get("listingKey", ""),
        "address": ", ".join(str(x) for x in (doc.get("unparsedAddress"), doc.get("city")) if x),
        "sqft": round(n("livingArea")) if n("livingArea") else None,
        "beds": n("bedroomsTotal"),
        "baths": baths,
        "year": n("yearBuilt"),
        "lot": round(n("lotSizeSquareFeet")) if n("lotSizeSquareFeet") else None,
        "garage": round(n("garageSpaces")) if n("garageSpaces") is not None else None,
        "pool": "yes" if pool is True else "no" if pool is False else "",
        "psub": doc.get("propertySubType") or "",
        "condition": str(cond) if isinstance(cond, int) and not isinstance(cond, bool) else "",
    }
