"""Forms at the rentals' boundaries: guest search and booking, host listing and calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from rentals.models import Amenity, CancellationPolicy
from rentals.selectors import SearchParams


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


class SearchForm(forms.Form):
    check_in = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    check_out = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    guests = forms.IntegerField(min_value=1, max_value=50, required=False, initial=2)
    min_price = forms.DecimalField(min_value=0, max_digits=8, decimal_places=2, required=False, label="Min $/night")
    max_price = forms.DecimalField(min_value=0, max_digits=8, decimal_places=2, required=False, label="Max $/night")
    amenities = forms.MultipleChoiceField(choices=Amenity.choices, required=False, widget=forms.CheckboxSelectMultiple)
    city = forms.SlugField(required=False)
    bbox = forms.CharField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(min_value=1, max_value=1000, required=False)

    def clean_bbox(self) -> tuple[float, float, float, float] | None:
        raw = self.cleaned_data.get("bbox") or ""
        if not raw:
            return None
        try:
            west, south, east, north = (float(v) for v in raw.split(","))
        except ValueError:
            raise forms.ValidationError("bbox is west,south,east,north in degrees.") from None
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise forms.ValidationError("bbox is west,south,east,north in degrees.")
        return (west, south, east, north)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_in, check_out = data.get("check_in"), data.get("check_out")
        if bool(check_in) != bool(check_out):
            raise forms.ValidationError("Give both check-in and check-out, or neither.")
        if check_in and check_out:
            if check_out <= check_in:
                self.add_error("check_out", "Check-out must be after check-in.")
            elif (check_out - check_in).days > 60:
                self.add_error("check_out", "Stays are at most 60 nights.")
            if check_in < timezone.localdate():
                self.add_error("check_in", "Check-in can't be in the past.")
        lo, hi = data.get("min_price"), data.get("max_price")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("max_price", "The maximum is below the minimum.")
        return data

    def params(self) -> SearchParams:
        d = self.cleaned_data
        return SearchParams(
            check_in=d.get("check_in"),
            check_out=d.get("check_out"),
            guests=d.get("guests") or 1,
            min_price_cents=_cents(d.get("min_price")),
            max_price_cents=_cents(d.get("max_price")),
            amenities=tuple(d.get("amenities") or ()),
            city_slug=d.get("city") or "",
            bbox=d.get("bbox"),
            page=d.get("page") or 1,
        )


class QuoteForm(forms.Form):
    check_in = forms.DateField()
    check_out = forms.DateField()
    guests = forms.IntegerField(min_value=1, max_value=50, required=False)


class BookingForm(forms.Form):
    check_in = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    check_out = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    guests = forms.IntegerField(min_value=1, max_value=50, initial=2)
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(max_length=32, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel"}))


class PropertyForm(forms.Form):
    title = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    house_rules = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    address = forms.CharField(max_length=200)
    city = forms.ChoiceField(choices=())
    latitude = forms.FloatField(min_value=-90, max_value=90, help_text="Drag the pin or type it.")
    longitude = forms.FloatField(min_value=-180, max_value=180)
    sleeps = forms.IntegerField(min_value=1, max_value=50)
    bedrooms = forms.IntegerField(min_value=0, max_value=30)
    bathrooms = forms.DecimalField(min_value=0, max_value=30, decimal_places=1)
    amenities = forms.MultipleChoiceField(choices=Amenity.choices, required=False, widget=forms.CheckboxSelectMultiple)
    nightly_rate = forms.DecimalField(min_value=10, max_digits=8, decimal_places=2, label="Nightly rate ($)")
    weekend_rate = forms.DecimalField(
        min_value=10, max_digits=8, decimal_places=2, required=False, label="Friday and Saturday rate ($)"
    )
    cleaning_fee = forms.DecimalField(min_value=0, max_digits=8, decimal_places=2, label="Cleaning fee ($)")
    min_nights = forms.IntegerField(min_value=1, max_value=60, initial=2)
    cancellation_policy = forms.ChoiceField(choices=CancellationPolicy.choices)
    permit_number = forms.CharField(max_length=40, required=False, label="Short-term rental permit number")

    def __init__(self, *args: Any, cities: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [(name, name) for name in cities.values()]  # type: ignore[attr-defined]

    def model_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["nightly_rate_cents"] = _cents(d.pop("nightly_rate"))
        d["weekend_rate_cents"] = _cents(d.pop("weekend_rate"))
        d["cleaning_fee_cents"] = _cents(d.pop("cleaning_fee")) or 0
        return d


class PhotoForm(forms.Form):
    image = forms.ImageField()
    caption = forms.CharField(max_length=140, required=False)


class BlockForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="First night")
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Check-out day (first free day)")
    note = forms.CharField(max_length=200, required=False)


class SeasonForm(forms.Form):
    name = forms.CharField(max_length=60)
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Last night")
    nightly_rate = forms.DecimalField(min_value=10, max_digits=8, decimal_places=2)
    weekend_rate = forms.DecimalField(min_value=10, max_digits=8, decimal_places=2, required=False)

    def model_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        return {
            "name": d["name"],
            "start": d["start"],
            "end": d["end"],
            "nightly_rate_cents": _cents(d["nightly_rate"]),
            "weekend_rate_cents": _cents(d.get("weekend_rate")),
        }


class FeedForm(forms.Form):
    name = forms.CharField(max_length=60, initial="Airbnb")
    url = forms.URLField(max_length=500, label="Calendar address (.ics)", assume_scheme="https")


class MessageForm(forms.Form):
    body = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="Message")


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(choices=[(i, f"{i} ★") for i in range(5, 0, -1)], coerce=int)
    body = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), label="Your review")


def month_start(value: str | None) -> dt.date:
    today = timezone.localdate()
    try:
        year, month = (int(v) for v in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
