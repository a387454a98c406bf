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


@register.simple_tag(takes_context=True)
def own_logo_ready(context: Any) -> str:
    """White-label reports for this visitor (``cma.white_label``): "ready" (the "PDF with my
    logo" links show), "no_logo" (the plan has them: a link to upload the logo), or ""."""
    from config.features import feature_on

    user = getattr(context.get("request"), "user", None)
    if not feature_on("white_label_reports") or not getattr(user, "is_authenticated", False):
        return ""
    from cma.white_label import white_label_allowance

    if not white_label_allowance(user=user).allowed:
        return ""
    return "ready" if getattr(user, "report_logo", None) else "no_logo"
