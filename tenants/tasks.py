"""Celery tasks that act on a site take its schema name and run inside ``schema_context``.

A worker serves every site, so the schema can never be taken from "the current request":
it travels with the task message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from celery import shared_task
from django_tenants.utils import schema_context

from tenants import db as tenant_db


def tenant_task(*task_args: Any, **task_kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """Like ``shared_task``, for functions taking a keyword-only ``schema_name`` first."""

    def decorator(func: Callable[..., Any]) -> Any:
        @wraps(func)
        def run_in_schema(*args: Any, schema_name: str, **kwargs: Any) -> Any:
            with schema_context(schema_name):
                return func(*args, schema_name=schema_name, **kwargs)

        return shared_task(*task_args, **task_kwargs)(run_in_schema)

    return decorator


@tenant_task(name="tenants.current_schema")
def current_schema(*, schema_name: str) -> str:
    """Reports the schema a task ran in (used by health checks of the worker and tests)."""
    return tenant_db.current_schema()


@shared_task(name="tenants.site_provision", acks_late=True)
def site_provision(*, application_id: int) -> str:
    """Runs in the public schema: it creates a schema rather than working inside one."""
    from tenants.onboarding import application_provision

    return application_provision(application_id=application_id).status


@shared_task(name="tenants.site_trials_expire")
def site_trials_expire() -> int:
    from tenants.services import site_trials_expire as expire

    return expire()
