"""The site (schema) the code runs in, and Celery tasks that carry it.

A worker serves every site, so a task can never take its schema from "the current request": it
travels with the task message (``tenant_task``) and the task body runs inside
``schema_context``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context


def current_schema() -> str:
    """The schema of the connection (django-tenants sets it per request and per task)."""
    return str(getattr(connection, "schema_name", "public"))


def process_cache_allowed() -> bool:
    """Whether rows read now may be kept in a per-process cache for other requests: not inside
    a transaction (its rows may yet be rolled back; tests run in one)."""
    return not connection.in_atomic_block


def use_public_schema() -> None:
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def tenant_task(*task_args: Any, **task_kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """Like ``shared_task``, for functions taking a keyword-only ``schema_name`` first."""

    def decorator(func: Callable[..., Any]) -> Any:
        @wraps(func)
        def run_in_schema(*args: Any, schema_name: str, **kwargs: Any) -> Any:
            with schema_context(schema_name):
                return func(*args, schema_name=schema_name, **kwargs)

        return shared_task(*task_args, **task_kwargs)(run_in_schema)

    return decorator


# Per-site tasks that talk to mail servers or the store: a temporary failure (``OSError``)
# retries with exponential backoff before the periodic sweeps take over.
SITE_TASK_RETRY: dict[str, Any] = {
    "autoretry_for": (OSError,),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "max_retries": 6,
}


def site_schemas() -> list[str]:
    """The schemas of every active site (the flagship's public schema included), never the
    template new sites are cloned from: what a fan-out task sends one task to each of."""
    from django_tenants.utils import get_tenant_model

    tenant_model = get_tenant_model()
    return list(
        tenant_model.objects.exclude(kind=tenant_model.Kind.TEMPLATE)
        .filter(is_active=True)
        .values_list("schema_name", flat=True)
    )
