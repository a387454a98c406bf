"""Money in integer cents and rates in basis points, shown as people write them."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dollars(cents: Any) -> str:
    if cents is None or cents == "":
        return "-"
    return f"${int(cents) / 100:,.2f}"


@register.filter
def percent_bp(bp: Any) -> str:
    if bp is None or bp == "":
        return "-"
    return f"{int(bp) / 100:g} %"
