"""Celery tasks for saved-search alerts: the ``listings:changed`` event (handed over by the sync,
``listings.changes``) fans out to one task per site schema (``tenants.tasks.tenant_task``); the
daily digest likewise, and a sweep every few minutes sends whatever is still due.

Every task is acknowledged late (settings), so a worker that dies mid-task leaves its message
to be delivered again; recording is idempotent and sending claims its rows, so a second run
sends nothing twice. A mail server's temporary failure raises ``AlertsNotSent`` (an
``OSError``): the task retries with exponential backoff, and the sweep takes over after that."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from core.events import listings_changed
from core.tenancy import SITE_TASK_RETRY, site_schemas, tenant_task

log = logging.getLogger(__name__)


def _clean_event(event: Any) -> dict[str, Any] | None:
    if not isinstance(event, dict):
        return None
    out: dict[str, Any] = {"source": str(event.get("source") or ""), "run_id": event.get("run_id")}
    for name in ("changed", "removed", "closed"):
        values = event.get(name) or []
        if not isinstance(values, list) or not all(isinstance(k, str) for k in values):
            return None
        out[name] = values
    return out


@shared_task(name="listings.alerts_on_changed")
def alerts_on_changed(event: dict[str, Any]) -> int:
    """One ``listings:changed`` payload -> one alerts task per site; returns tasks queued."""
    clean = _clean_event(event)
    if clean is None:
        return 0
    for receiver, error in listings_changed.send_robust(sender=alerts_on_changed, event=clean):
        if isinstance(error, Exception):  # another app's reaction never costs the alerts
            log.error("listings_changed receiver %r failed: %s", receiver, error)
    if not clean["changed"]:
        return 0
    schemas = site_schemas()
    for schema in schemas:
        alerts_for_site.delay(schema_name=schema, event=clean)
    return len(schemas)


@tenant_task(name="listings.alerts_for_site", **SITE_TASK_RETRY)
def alerts_for_site(*, schema_name: str, event: dict[str, Any]) -> dict[str, int]:
    from listings.alerts import alerts_process

    return alerts_process(schema_name=schema_name, event=event)


@shared_task(name="listings.alerts_daily_digest")
def alerts_daily_digest() -> int:
    schemas = site_schemas()
    for schema in schemas:
        digest_for_site.delay(schema_name=schema)
    return len(schemas)


@tenant_task(name="listings.digest_for_site", **SITE_TASK_RETRY)
def digest_for_site(*, schema_name: str) -> int:
    from listings.alert_delivery import digests_send

    return digests_send(schema_name=schema_name)


@shared_task(name="listings.alerts_send_due")
def alerts_send_due_sweep() -> int:
    """Queue a send for each site with instant mails or texts still due (a mail server that was
    down for longer than the retries lasted); returns sites queued."""
    from django_tenants.utils import schema_context

    from listings.alert_delivery import alerts_due_exist

    queued = 0
    for schema in site_schemas():
        with schema_context(schema):
            due = alerts_due_exist()
        if due:
            due_for_site.delay(schema_name=schema)
            queued += 1
    return queued


@tenant_task(name="listings.due_for_site", **SITE_TASK_RETRY)
def due_for_site(*, schema_name: str) -> dict[str, int]:
    from listings.alert_delivery import alerts_send_due

    return alerts_send_due(schema_name=schema_name)


# The lead merges this into CELERY_BEAT_SCHEDULE (CELERY_TIMEZONE = America/Los_Angeles).
