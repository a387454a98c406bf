"""Celery tasks of the network: provisioning sites, expiring trials (``core.tenancy.tenant_task``
is how a task acting on one site gets its schema)."""

from __future__ import annotations

from celery import shared_task

from core.tenancy import current_schema, tenant_task

__all__ = ["schema_report", "site_provision", "site_trials_expire", "tenant_task"]  # tenant_task: moved to core


@tenant_task(name="tenants.current_schema")
def schema_report(*, schema_name: str) -> str:
    """Reports the schema a task ran in (used by health checks of the worker and tests)."""
    return current_schema()


@shared_task(name="tenants.site_provision", acks_late=True)
def site_provision(*, application_id: int) -> str:
    """Runs in the public schema: it creates a schema rather than working inside one."""
    from tenants.onboarding import application_provision

    return application_provision(application_id=application_id).status


@shared_task(name="tenants.site_trials_expire")
def site_trials_expire() -> int:
    from tenants.services import site_trials_expire as expire

    return expire()
