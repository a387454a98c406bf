"""An agent's sites follow their Agent plan: billing says what state the plan puts them in
(``billing.selectors.agent_site_state``), this writes it onto the sites. Past due → a banner,
grace period over → suspended, paid again → restored at once.

Billing announces every change of an Agent plan (``billing.signals.agent_plan_changed``,
received in ``tenants.apps``) rather than writing sites itself, so billing never imports tenants.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from billing.models import Subscription
from billing.plans import AGENT
from billing.selectors import agent_site_state
from tenants.middleware import tenant_host_cache_clear
from tenants.models import Tenant


def agent_sites_sync(*, user: Any, now: dt.datetime | None = None) -> int:
    """Make the agent's sites' ``is_active``/``plan_status`` follow their Agent plan.
    Paying again restores a suspended site at once (the invoice.paid webhook's plan change)."""
    is_active, plan_status = agent_site_state(user=user, now=now)
    changed = (
        Tenant.objects.filter(owner_id=user.pk)
        .exclude(is_active=is_active, plan_status=plan_status)
        .update(is_active=is_active, plan_status=plan_status)
    )
    if changed:
        # ``update()`` sends no save signal; other processes follow within the cache's TTL.
        tenant_host_cache_clear()
    return changed


def agent_grace_periods_expire(*, now: dt.datetime | None = None) -> int:
    """Suspend agent sites whose grace period ran out (periodic task, public schema)."""
    owners = (
        Subscription.objects.filter(plan_key=AGENT.key, status=Subscription.Status.PAST_DUE)
        .exclude(user=None)
        .select_related("user")
    )
    return sum(agent_sites_sync(user=sub.user, now=now) for sub in owners)
