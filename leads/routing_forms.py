"""The owner's form for a routing rule: what each kind needs, checked with a message by the
field (a city rule without a city, a price band upside down, a rule naming no agent)."""

from __future__ import annotations

from typing import Any

from django import forms

from leads.models import Lead, RoutingRule
from leads.team import site_agents

NEEDS_AGENT = (RoutingRule.Kind.SOURCE, RoutingRule.Kind.CITY, RoutingRule.Kind.PRICE_BAND, RoutingRule.Kind.DEFAULT)


class RoutingRuleForm(forms.Form):
    kind = forms.ChoiceField(choices=RoutingRule.Kind.choices, label="Rule")
    position = forms.IntegerField(min_value=0, max_value=10_000, initial=10, label="Order (lower first)")
    source = forms.ChoiceField(choices=[("", "(any)"), *Lead.Source.choices], required=False, label="Source")
    city = forms.CharField(max_length=100, required=False, label="City")
    min_price = forms.IntegerField(min_value=0, required=False, label="From price ($)")
    max_price = forms.IntegerField(min_value=0, required=False, label="Below price ($)")
    agent = forms.ModelChoiceField(queryset=None, required=False, label="Agent")
    agents = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="Round robin between (none: every agent)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("agent", "agents"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = site_agents()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == RoutingRule.Kind.SOURCE and not data.get("source"):
            self.add_error("source", "Choose the source this rule takes.")
        if kind == RoutingRule.Kind.CITY and not (data.get("city") or "").strip():
            self.add_error("city", "Name the city this rule takes.")
        if kind == RoutingRule.Kind.PRICE_BAND:
            low, high = data.get("min_price"), data.get("max_price")
            if low is None and high is None:
                self.add_error("min_price", "Give a lower or an upper price (or both).")
            elif low is not None and high is not None and low >= high:
                self.add_error("max_price", "The upper price must be above the lower one.")
        if kind in NEEDS_AGENT and data.get("agent") is None:
            self.add_error("agent", "Choose the agent who gets these leads.")
        return data


class ReassignForm(forms.Form):
    reassign_after_minutes = forms.IntegerField(
        min_value=5, max_value=7 * 24 * 60, label="Reassign a new lead nobody answered after (minutes)"
    )
