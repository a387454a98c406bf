"""Celery tasks of the investor tools: revalue each site's portfolio after a closed-sales sync.

The sync's event reaches ``listings.tasks.alerts_on_changed`` (a broker message, acknowledged
after it ran), which sends ``core.events.listings_changed``; ``portfolio_on_changed`` (connected
in ``InvestConfig.ready``) queues one revaluation per site when the event carries closed sales.
Revaluing twice on one day rewrites the day's snapshot and records no second alert."""

from __future__ import annotations

from typing import Any

from core.tenancy import SITE_TASK_RETRY, site_schemas, tenant_task


def portfolio_on_changed(sender: Any, *, event: dict[str, Any], **_: Any) -> int:
    """Receiver of ``listings_changed``: one task per site when closed sales arrived."""
    closed = [k for k in event.get("closed") or [] if isinstance(k, str)]
    if not closed:
        return 0
    schemas = site_schemas()
    for schema in schemas:
        portfolio_revalue_for_site.delay(schema_name=schema, closed=closed)
    return len(schemas)


@tenant_task(name="invest.portfolio_revalue_for_site", **SITE_TASK_RETRY)
def portfolio_revalue_for_site(*, schema_name: str, closed: list[str]) -> dict[str, int]:
    from .portfolio_services import portfolio_revalue_site

    return portfolio_revalue_site(schema_name=schema_name, closed=closed)
