"""Checks each backing store the app needs and reports them one by one.

The report is public (load balancers probe it on any host): it says which store is down, never
why. The exception goes to the log, where operators read it. Each check uses the connection
the app itself uses (Django's database connection, the pooled MongoDB client, the cache's Redis
pool), so the probe opens no connection of its own on every call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django_redis import get_redis_connection

from listings.store import get_client

logger = logging.getLogger(__name__)


def _check_postgres() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_mongodb() -> None:
    get_client().admin.command("ping")


def _check_redis() -> None:
    get_redis_connection("default").ping()


CHECKS: dict[str, Callable[[], None]] = {
    "postgres": _check_postgres,
    "mongodb": _check_mongodb,
    "redis": _check_redis,
}


def health_report() -> dict[str, Any]:
    services: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception:  # each store is reported, whatever went wrong with it
            logger.exception("health check: %s is down", name)
            services[name] = {"status": "error"}
        else:
            services[name] = {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    overall = "ok" if all(s["status"] == "ok" for s in services.values()) else "degraded"
    return {"status": overall, "services": services}
