from __future__ import annotations

from tenants.tasks import tenant_task


@tenant_task(name="cms.lead_notify", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def lead_notify(*, schema_name: str, lead_id: int) -> bool:
    from cms.services import lead_notify_agent

    return lead_notify_agent(lead_id=lead_id)
