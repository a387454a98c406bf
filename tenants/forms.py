"""The onboarding wizard's steps; each validates and returns JSON-safe data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from tenants.models import MLS_SOURCE_CHOICES, Tenant
from tenants.validators import validate_subdomain
from themes.models import FONT_CHOICES, hex_colour


class AgentDetailsForm(forms.Form):
    full_name = forms.CharField(max_length=150)
    license_number = forms.CharField(max_length=32, label="DRE license number")
    brokerage = forms.CharField(max_length=120)
    phone = forms.CharField(max_length=32, required=False)


class SiteStepForm(forms.Form):
    name = forms.CharField(max_length=120, label="Site name", help_text="Shown in the header and browser tab.")
    subdomain = forms.CharField(max_length=31, help_text="Your site's address: <subdomain>.chatrealty.io")

    def clean_subdomain(self) -> str:
        value = self.cleaned_data["subdomain"].strip().lower()
        validate_subdomain(value)
        if Tenant.objects.filter(slug=value).exists():
            raise ValidationError("That address is already taken.")
        return value


class BrandStepForm(forms.Form):
    tagline = forms.CharField(max_length=200, required=False)
    logo_text = forms.CharField(max_length=4, required=False, help_text="Initials shown until you upload a logo.")
    primary_color = forms.CharField(
        max_length=7, initial="#1d4ed8", validators=[hex_colour], widget=forms.TextInput(attrs={"type": "color"})
    )
    accent_color = forms.CharField(
        max_length=7, initial="#f59e0b", validators=[hex_colour], widget=forms.TextInput(attrs={"type": "color"})
    )
    font = forms.ChoiceField(choices=FONT_CHOICES, initial="inter")
    contact_phone = forms.CharField(max_length=32, required=False)


class MarketStepForm(forms.Form):
    mls_sources = forms.MultipleChoiceField(
        choices=MLS_SOURCE_CHOICES, widget=forms.CheckboxSelectMultiple, label="MLS feeds to show"
    )
    featured_subdivisions = forms.CharField(
        required=False, max_length=600, help_text="Comma-separated; shown first in search results."
    )

    def clean_featured_subdivisions(self) -> list[str]:
        raw = self.cleaned_data["featured_subdivisions"]
        names = [part.strip() for part in raw.split(",") if part.strip()]
        if len(names) > 20:
            raise ValidationError("Feature at most 20 subdivisions.")
        return names


STEPS: dict[str, type[forms.Form]] = {"site": SiteStepForm, "brand": BrandStepForm, "market": MarketStepForm}
STEP_TITLES = {"site": "Your site", "brand": "Branding", "market": "Market", "review": "Review and launch"}


def step_initial(step: str, data: dict[str, Any]) -> dict[str, Any]:
    initial = dict(data.get(step, {}))
    if step == "market" and isinstance(initial.get("featured_subdivisions"), list):
        initial["featured_subdivisions"] = ", ".join(initial["featured_subdivisions"])
    return initial
