"""Money in integer cents and rates in basis points, shown as people write them; whether the
signed-in account is on this site's CRM team (the header's "Leads" link)."""

from __future__ import annotations

from typing import Any

from django import template

from leads.team import crm_user, sees_all

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


@register.filter
def crm_member(user: Any) -> bool:
    """May open this site's CRM (leads/team.py): links to it are shown only to them."""
    return crm_user(user)


@register.filter
def crm_owner(user: Any) -> bool:
    """Sees every lead and sets the routing (the owner's pages are linked for them only)."""
    return sees_all(user)
