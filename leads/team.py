"""Who a site's CRM team is: who may use its CRM and analytics, who sees every lead, who takes
leads.

On an agent site (its own schema, its own user table) every account with the agent role is one
of the site's agents and its superuser (or an admin) is the owner. The public schema is
different: its user table holds the network's accounts, so every agent site's owner has an
account there with the agent role, as do platform admins with theirs. A role says nothing about
the flagship's brokerage there, so its team is named explicitly: its owners are the public
schema's superusers (the network's owners, who also run the flagship's /cms/), its agents the
members of the "Flagship agents" group (docs/crm.md, "The flagship").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from accounts.models import Role
from core.tenancy import current_schema

FLAGSHIP_AGENTS = "Flagship agents"


def on_flagship() -> bool:
    return current_schema() == settings.PUBLIC_SCHEMA_NAME


def _flagship_agent(user: Any) -> bool:
    """Membership of the flagship's team group, asked once per user object (a request's)."""
    cached = getattr(user, "_flagship_agent", None)
    if cached is None:
        cached = user.groups.filter(name=FLAGSHIP_AGENTS).exists()
        user._flagship_agent = cached
    return bool(cached)


def crm_user(user: Any) -> bool:
    """May use this site's CRM and analytics: its owner and its agents."""
    if not (user.is_authenticated and user.is_active):
        return False
    if on_flagship():
        return bool(user.is_superuser) or _flagship_agent(user)
    return user.role in (Role.AGENT, Role.ADMIN, Role.SUPERADMIN)


def sees_all(user: Any) -> bool:
    """The owner: every lead, deal and agent's earnings of the site."""
    if not crm_user(user):
        return False
    if on_flagship():
        return bool(user.is_superuser)
    return bool(user.is_superuser or user.role in (Role.ADMIN, Role.SUPERADMIN))


def site_agents() -> QuerySet[Any]:
    """The agents who take this site's leads and share its deals: active accounts with the
    agent role (the owner is one); on the flagship the members of its agents group."""
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    if on_flagship():
        return users.filter(groups__name=FLAGSHIP_AGENTS).distinct()
    return users.filter(role=Role.AGENT)
