"""Celery tasks of the CRM: thin, taking the site's schema name."""

from __future__ import annotations

from celery import shared_task

from core.tenancy import tenant_task


@tenant_task(name="leads.lead_notify", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def lead_notify(*, schema_name: str, lead_id: int) -> bool:
    from leads.notices import lead_notify_agent

    return lead_notify_agent(lead_id=lead_id)


@tenant_task(name="cms.lead_notify", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def lead_notify_legacy(*, schema_name: str, lead_id: int) -> bool:
    """Notices queued under the name used before leads moved out of cms still get sent."""
    from leads.notices import lead_notify_agent

    return lead_notify_agent(lead_id=lead_id)


def _schemas() -> list[str]:
    from django.apps import apps

    Tenant = apps.get_model("tenants", "Tenant")

    return list(
        Tenant.objects.exclude(kind=Tenant.Kind.TEMPLATE).filter(is_active=True).values_list("schema_name", flat=True)
    )


@tenant_task(name="leads.site_sweep")
def site_sweep(*, schema_name: str) -> dict[str, int]:
    from leads.notices import tasks_remind_due
    from leads.routing import leads_reassign_unanswered

    return {"reassigned": len(leads_reassign_unanswered()), "reminders": tasks_remind_due()}


@shared_task(name="leads.sweep")
def sweep() -> int:
    """Every few minutes: in each site, reassign unanswered leads and send due task reminders."""
    schemas = _schemas()
    for schema in schemas:
        site_sweep.delay(schema_name=schema)
    return len(schemas)
