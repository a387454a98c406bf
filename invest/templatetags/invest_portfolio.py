"""Formatting of portfolio money (integer cents)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def cents_usd(value: Any) -> str:
    """12345678 -> $123,457 (whole dollars, half up); None -> –."""
    if value is None or value == "" or isinstance(value, bool):
        return "–"
    d = (Decimal(int(value)) / 100).quantize(Decimal(1))
    return f"{'−' if d < 0 else ''}${abs(d):,}"


@register.filter
def pct_of(value: Any) -> str:
    """A ratio (0.0725) as 7.25 %; None -> –."""
    if value is None:
        return "–"
    return f"{Decimal(value) * 100:.2f} %"
