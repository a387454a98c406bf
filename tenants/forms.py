"""The onboarding wizard's steps; each validates and returns JSON-safe data (uploaded images
come back as prepared bytes, which the view stores before saving the step)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from core.mls_sources import source_choices
from tenants.validators import normalize_phone, validate_subdomain
from themes.images import LOGO, PHOTO, image_open_checked, logo_prepare, photo_prepare
from themes.models import FONT_CHOICES, hex_colour
from themes.presets import DEFAULT_PRESET, PRESET_CHOICES, PRESETS

MAX_FEATURED = 20


def site_address_example(subdomain: str = "") -> str:
    """How a site's address reads on this deployment (``nia.localhost:8000`` in dev)."""
    return f"{subdomain or 'yourname'}.{settings.PLATFORM_BASE_DOMAIN}{settings.SITE_PORT_SUFFIX}"


class PhoneField(forms.CharField):
    def clean(self, value: Any) -> str:
        return normalize_phone(super().clean(value) or "")


class AgentDetailsForm(forms.Form):
    full_name = forms.CharField(max_length=150)
    license_number = forms.CharField(max_length=32, label="DRE license number")
    brokerage = forms.CharField(max_length=120)
    phone = PhoneField(max_length=32, required=False, widget=forms.TextInput(attrs={"type": "tel"}))


class SiteStepForm(forms.Form):
    name = forms.CharField(max_length=120, label="Site name", help_text="Shown in the header and browser tab.")
    subdomain = forms.CharField(
        max_length=63,
        label="Address",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, application_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application_id = application_id
        self.fields[
            "subdomain"
        ].help_text = f"Your site's address: {site_address_example()}. Lowercase letters, digits and single hyphens."

    def clean_subdomain(self) -> str:
        from tenants.onboarding import subdomain_held

        value = self.cleaned_data["subdomain"].strip()
        validate_subdomain(value)
        if subdomain_held(subdomain=value, application_id=self.application_id):
            raise ValidationError("That address is already taken.", code="taken")
        return value


class BrandStepForm(forms.Form):
    preset = forms.ChoiceField(choices=PRESET_CHOICES, initial=DEFAULT_PRESET, widget=forms.RadioSelect, label="Layout")
    logo = forms.FileField(
        required=False, help_text="PNG, JPEG or WebP, up to 5 MB. We also make your browser icon from it."
    )
    agent_photo = forms.FileField(required=False, label="Your photo", help_text="A portrait, at least 300×300 px.")
    logo_text = forms.CharField(max_length=4, required=False, help_text="Initials shown when there is no logo.")
    tagline = forms.CharField(max_length=200, required=False, help_text="Shown under your home page's heading.")
    primary_color = forms.CharField(
        max_length=7, initial="#1d4ed8", validators=[hex_colour], widget=forms.TextInput(attrs={"type": "color"})
    )
    accent_color = forms.CharField(
        max_length=7, initial="#f59e0b", validators=[hex_colour], widget=forms.TextInput(attrs={"type": "color"})
    )
    font = forms.ChoiceField(choices=FONT_CHOICES, initial="inter")
    contact_phone = PhoneField(max_length=32, required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
    remove_photo = forms.BooleanField(required=False, label="Remove the photo")

    def _image(self, name: str, rules: Any) -> Any:
        upload = self.cleaned_data.get(name)
        if not upload or not hasattr(upload, "read"):  # nothing new uploaded: keep what was stored
            return None
        return image_open_checked(data=upload.read(), filename=upload.name or "", rules=rules)

    def clean_logo(self) -> tuple[bytes, bytes] | None:
        image = self._image("logo", LOGO)
        return logo_prepare(image) if image is not None else None

    def clean_agent_photo(self) -> bytes | None:
        image = self._image("agent_photo", PHOTO)
        return photo_prepare(image) if image is not None else None

    def clean_primary_color(self) -> str:
        return str(self.cleaned_data["primary_color"]).lower()

    def clean_accent_color(self) -> str:
        return str(self.cleaned_data["accent_color"]).lower()


class MarketStepForm(forms.Form):
    mls_sources = forms.MultipleChoiceField(
        choices=source_choices, widget=forms.CheckboxSelectMultiple, label="MLS feeds to show"
    )
    featured_subdivisions = forms.CharField(
        required=False,
        max_length=2000,
        help_text="Start typing a neighbourhood; pick from the list. Shown first in search results.",
    )

    def clean_featured_subdivisions(self) -> list[str]:
        from tenants.selectors import subdivisions_known

        raw = self.cleaned_data["featured_subdivisions"]
        names = list(dict.fromkeys(part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()))
        if len(names) > MAX_FEATURED:
            raise ValidationError(f"Feature at most {MAX_FEATURED} subdivisions.")
        sources = self.data.getlist("mls_sources") if hasattr(self.data, "getlist") else self.data.get("mls_sources")
        known = subdivisions_known(names=names, mls_sources=tuple(sources or ()) or None)
        if known is not None:
            unknown = [n for n in names if n not in known]
            if unknown:
                raise ValidationError(
                    f"No listings in “{'”, “'.join(unknown[:5])}” on the feeds you chose: pick from the suggestions."
                )
            names = [known[n] for n in names]
        return names


STEPS: dict[str, type[forms.Form]] = {"site": SiteStepForm, "brand": BrandStepForm, "market": MarketStepForm}
STEP_TITLES = {"site": "Your site", "brand": "Look and feel", "market": "Market", "review": "Review and launch"}


def step_initial(step: str, data: dict[str, Any]) -> dict[str, Any]:
    initial = dict(data.get(step, {}))
    if step == "market" and isinstance(initial.get("featured_subdivisions"), list):
        initial["featured_subdivisions"] = ", ".join(initial["featured_subdivisions"])
    if step == "brand":
        for stored in ("logo", "favicon", "photo"):  # files, shown beside the inputs, not re-posted
            initial.pop(stored, None)
    if step == "brand" and "preset" not in initial:
        preset = PRESETS[DEFAULT_PRESET]
        initial.update(primary_color=preset.primary_color, accent_color=preset.accent_color, font=preset.font)
    return initial
