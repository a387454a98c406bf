"""Checks each backing store the app needs and reports them one by one."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.db import connection

from listings.store import get_client


def _check_postgres() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_mongodb() -> None:
    get_client().admin.command("ping")


def _check_redis() -> None:
    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()


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
        except Exception as exc:  # each store is reported, whatever went wrong with it
            services[name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            services[name] = {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    overall = "ok" if all(s["status"] == "ok" for s in services.values()) else "degraded"
    return {"status": overall, "services": services}
