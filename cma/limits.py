"""Who may run a CMA, and how many are left: billing's entitlements, plus the agents.

Investor 1 and 2 have 10 and 50 a month, Investor 3 unlimited (billing/plans.py, counted per
billing period by ``billing.services.usage_consume``). A site's agents (and admins) run CMAs
for their clients under the Agent plan, which has them unlimited: their uses are still
counted, in the calendar month, through the same counter.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import Role
from billing import periods
from billing.models import UsageCounter
from billing.plans import AGENT, Feature
from billing.selectors import BillingContext, Entitlement, entitlement_check, entitlement_from, subject_key
from billing.services import usage_consume, usage_release

AGENT_ROLES = (Role.AGENT, Role.ADMIN, Role.SUPERADMIN)


def _agent_context(user: Any) -> BillingContext | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_role(*AGENT_ROLES):
        return None
    start, end = periods.calendar_month(timezone.now())
    return BillingContext(plan=AGENT, period_start=start, period_end=end, status="agent")


def cma_allowance(*, user: Any, visitor_id: str | None = None) -> Entitlement:
    """May this visitor run a CMA now, and how many are left (reads only)."""
    ctx = _agent_context(user)
    if ctx is None:
        return entitlement_check(user=user, feature=Feature.CMA_REPORTS, visitor_id=visitor_id)
    used = (
        UsageCounter.objects.filter(
            subject=subject_key(user=user), metric=Feature.CMA_REPORTS.value, period_start=ctx.period_start
        )
        .values_list("used", flat=True)
        .first()
    )
    return entitlement_from(ctx=ctx, feature=Feature.CMA_REPORTS, used=used or 0)


def cma_consume(*, user: Any, visitor_id: str | None = None) -> Entitlement:
    """Spend one CMA atomically (never past the plan's limit, even under concurrency)."""
    return usage_consume(user=user, feature=Feature.CMA_REPORTS, visitor_id=visitor_id, context=_agent_context(user))


def cma_release(*, user: Any, visitor_id: str | None = None) -> None:
    """Give the unit back when the CMA could not be made (bad input, not enough data)."""
    usage_release(user=user, feature=Feature.CMA_REPORTS, visitor_id=visitor_id)
