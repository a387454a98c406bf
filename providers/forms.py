from __future__ import annotations

from typing import Any

from django import forms

from providers.models import Category


class SignupForm(forms.Form):
    company = forms.CharField(max_length=120)
    category = forms.ModelChoiceField(queryset=Category.objects.filter(active=True))
    licence_number = forms.CharField(
        max_length=30, required=False, label="Licence number (NMLS ID for lenders, CSLB for contractors)"
    )
    cities = forms.MultipleChoiceField(choices=(), widget=forms.CheckboxSelectMultiple, label="Cities you serve")
    description = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))
    phone = forms.CharField(max_length=32, widget=forms.TextInput(attrs={"autocomplete": "tel"}))
    email = forms.EmailField(required=False, label="Contact email (default: your account's)")
    website = forms.URLField(required=False, assume_scheme="https")
    logo = forms.ImageField(required=False)

    def __init__(self, *args: Any, cities: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cities"].choices = list(cities.items())  # type: ignore[attr-defined]


class RequestForm(forms.Form):
    category = forms.SlugField()
    city = forms.SlugField()
    listing_key = forms.CharField(max_length=64, required=False)
    listing_address = forms.CharField(max_length=200, required=False)
    listing_price = forms.IntegerField(min_value=0, required=False)
    name = forms.CharField(max_length=120)
    email = forms.EmailField()
    phone = forms.CharField(max_length=32, required=False)
    message = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    answer = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    provider = forms.IntegerField()
    rating = forms.TypedChoiceField(choices=[(i, f"{i} ★") for i in range(5, 0, -1)], coerce=int)
    body = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
