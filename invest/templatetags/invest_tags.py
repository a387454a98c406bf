"""Formatting of analysis numbers (page and PDF alike) and the listing page's deal panel."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from invest.panels import listing_panel_html

register = template.Library()


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def usd(value: Any) -> str:
    """$1,235 / −$569 (whole dollars, half up)."""
    d = _dec(value)
    if d is None:
        return "–"
    whole = d.quantize(Decimal(1))
    return f"{'−' if whole < 0 else ''}${abs(whole):,}"


@register.filter
def usd_cents(value: Any) -> str:
    d = _dec(value)
    if d is None:
        return "–"
    return f"{'−' if d < 0 else ''}${abs(d):,.2f}"


@register.filter
def percent(value: Any, digits: int = 2) -> str:
    """A ratio as a percentage: 0.0447 -> 4.47 %."""
    d = _dec(value)
    if d is None:
        return "–"
    return f"{d * 100:.{digits}f} %".replace("-", "−")


@register.filter
def times(value: Any) -> str:
    """DSCR: 1.23×."""
    d = _dec(value)
    return "–" if d is None else f"{d:.2f}×"


@register.filter
def negative(value: Any) -> bool:
    d = _dec(value)
    return d is not None and d < 0


@register.simple_tag(takes_context=True)
def deal_panel(context: Any, doc: dict[str, Any]) -> str:
    return listing_panel_html(request=context["request"], doc=doc)
