from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from accounts.models import Role

SELF_SERVICE_ROLES = [
    (Role.END_USER, "Home buyer or seller"),
    (Role.AGENT, "Real estate agent"),
    (Role.SERVICE_PROVIDER, "Service provider (lender, inspector, ...)"),
    (Role.VACATION_RENTAL_HOST, "Vacation rental host"),
]


class SignupForm(AllauthSignupForm):
    full_name = forms.CharField(max_length=150, required=False, label="Full name")
    role = forms.ChoiceField(choices=SELF_SERVICE_ROLES, initial=Role.END_USER, label="I am a")
    license_number = forms.CharField(max_length=32, required=False, label="License number (agents)")
    brokerage = forms.CharField(max_length=120, required=False, label="Brokerage (agents)")

    field_order = ["full_name", "email", "password1", "password2", "role", "license_number", "brokerage"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("role") == Role.AGENT:
            if not (cleaned.get("license_number") or "").strip():
                self.add_error("license_number", "Agents must give their license number.")
            if not (cleaned.get("brokerage") or "").strip():
                self.add_error("brokerage", "Agents must give their brokerage.")
        return cleaned
