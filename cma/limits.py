"""Who may run a CMA, and how many are left: billing's entitlements (Investor 1: 10 a month,
Investor 2: 50, Investor 3 unlimited; a site's agents unlimited under the Agent plan, see
``billing.selectors.agent_context``), counted atomically per billing period."""

from __future__ import annotations

from typing import Any

from billing.plans import Feature
from billing.selectors import AGENT_ROLES, Entitlement, entitlement_check
from billing.services import usage_consume, usage_release

__all__ = ["AGENT_ROLES", "cma_allowance", "cma_consume", "cma_release"]


def cma_allowance(*, user: Any, visitor_id: str | None = None) -> Entitlement:
    """May this visitor run a CMA now, and how many are left (reads only)."""
    return entitlement_check(user=user, feature=Feature.CMA_REPORTS, visitor_id=visitor_id)


def cma_consume(*, user: Any, visitor_id: str | None = None) -> Entitlement:
    """Spend one CMA atomically (never past the plan's limit, even under concurrency)."""
    return usage_consume(user=user, feature=Feature.CMA_REPORTS, visitor_id=visitor_id)


def cma_release(*, user: Any, visitor_id: str | None = None) -> None:
    """Give the unit back when the CMA could not be made (bad input, not enough data)."""
    usage_release(user=user, feature=Feature.CMA_REPORTS, visitor_id=visitor_id)
