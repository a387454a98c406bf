from __future__ import annotations

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
