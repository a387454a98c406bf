"""Formatting of report numbers: one place, so the page and the PDF print them alike."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    if value is None or value == "":
        return "–"
    return f"${float(value):,.0f}"


@register.filter
def signed_money(value: Any) -> str:
    if value is None:
        return "–"
    v = float(value)
    return f"{'+' if v >= 0 else '−'}${abs(v):,.0f}"


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{float(value) * 100:+.{digits}f}%"


@register.filter
def share(value: Any) -> str:
    if value is None:
        return "–"
    return f"{float(value) * 100:.0f}%"


@register.filter
def num(value: Any) -> str:
    if value is None or value == "":
        return "–"
    v = float(value)
    return f"{v:,.0f}" if v == int(v) else f"{v:,.1f}"
