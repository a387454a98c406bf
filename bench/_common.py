"""Shared helpers for benchmarks: the benchmark environment (its own Postgres database, Mongo
database and cache prefix, production settings), database setup, results files."""

from __future__ import annotations

import json
import math
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from config.checkout import apply_defaults, checkout_id  # noqa: E402

# This checkout's own Redis and SecantusDB (config/checkout.py), inherited by every process a
# benchmark starts.
apply_defaults()
RESULTS_DIR = ROOT / "bench" / "results"
PYTHON = sys.executable

# Benchmarks never touch the dev database or the test ones: override with
# BENCH_DATABASE_URL / BENCH_MONGODB_DB.
DEFAULT_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/chatrealty_bench_{checkout_id()}"
DEFAULT_MONGODB_DB = "chatrealty_bench"
# config.settings.production + a private STATIC_ROOT; BENCH_SETTINGS picks another module for
# experiments, never for the numbers in docs/benchmarks.md.
SETTINGS_MODULE = os.environ.get("BENCH_SETTINGS", "bench._settings")


def bench_env(**extra: str) -> dict[str, str]:
    """Environment for the app under benchmark: production settings, DEBUG off, no HTTPS
    redirect (plain loopback HTTP), the benchmark's own databases and cache namespace."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": ".localhost,localhost,127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "False",
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
            "MONGODB_DB": os.environ.get("BENCH_MONGODB_DB", DEFAULT_MONGODB_DB),
            "CACHE_KEY_PREFIX": os.environ.get("BENCH_CACHE_KEY_PREFIX", "bench"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
    )
    env.pop("DJANGO_DEBUG", None)
    # production refuses to start without Stripe keys; the pages benchmarked never call Stripe
    env.setdefault("STRIPE_SECRET_KEY", "sk_test_bench")
    env.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_bench")
    env.update(extra)
    return env


def apply_bench_env() -> dict[str, str]:
    """Put :func:`bench_env` into this process's environment (before ``django.setup()``)."""
    env = bench_env()
    os.environ.update(env)
    return env


def subscription_ensure(*, user: Any, plan_key: str, ref: str) -> None:
    """``user`` subscribed to ``plan_key``, active for the month around now: one row per ``ref``
    (``sub_<ref>``), kept across runs. Needs Django set up (in process or ``manage.py shell``)."""
    from datetime import timedelta

    from django.utils import timezone

    from billing.models import Subscription

    now = timezone.now()
    Subscription.objects.update_or_create(
        stripe_subscription_id=f"sub_{ref}",
        defaults={
            "user": user,
            "stripe_customer_id": f"cus_{ref}",
            "plan_key": plan_key,
            "status": "active",
            "current_period_start": now - timedelta(days=1),
            "current_period_end": now + timedelta(days=29),
            "state_as_of": now,
        },
    )


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds another process has used so far (``OSError`` once it exited)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_create_if_missing(url: str) -> bool:
    """CREATE DATABASE for ``url`` when it does not exist; True when it was created."""
    import environ

    from tenants.database import database_create_if_missing as create

    return create(environ.Env.db_url_config(url))


def manage(*args: str, env: dict[str, str] | None = None, quiet: bool = False, timeout: float = 900) -> None:
    """Run ``manage.py`` with the benchmark environment (a hang fails loudly after ``timeout``)."""
    out = subprocess.DEVNULL if quiet else None
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env or bench_env(), check=True, stdout=out, timeout=timeout
    )
    print(f"  manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s", file=sys.stderr)


def demo_database_ensure() -> None:
    """The benchmark database with the flagship, the site template and the demo sites (sarah,
    mike): created and set up when absent, brought up to date with migrations otherwise."""
    env = bench_env()
    created = database_create_if_missing(env["DATABASE_URL"])
    print(
        f"database {urlsplit(env['DATABASE_URL']).path.lstrip('/')}: {'created' if created else 'exists'}",
        file=sys.stderr,
    )
    manage("migrations_repair", env=env)
    manage("migrate_schemas", "--shared", "-v0", env=env)
    manage("platform_setup", env=env, quiet=True)
    if not created:
        manage("migrate_schemas", "--tenant", "-v0", env=env)
    manage("demo_setup", env=env, quiet=True)


def machine_speed_ms(repeats: int = 7) -> float:
    """This machine's speed now: the median CPU time (ms) of one fixed pure-Python loop (lower is
    faster).

    The hosts these benchmarks run on are shared and their speed moves: on 2026-12-07 the same
    loop's time varied 1.8x from one second to the next on an idle machine, and a listing page
    cost 12-14 ms of worker CPU where on 2026-12-06 it cost 5.5 (the same commit). Latency
    figures are read beside it (``machine_speed_ms_*`` in the results)."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        sum(i * i for i in range(1_000_000))
        times.append((time.process_time() - started) * 1000)
    return round(sorted(times)[len(times) // 2], 1)


def write_results(name: str, results: dict[str, Any]) -> Path:
    """Write flat JSON ``{metric: number}`` to ``bench/results/<name>.json`` and print it."""
    flat: dict[str, float | int | None] = {}
    for key, value in results.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"metric {key!r} is not a number: {value!r}")
        flat[key] = None if isinstance(value, float) and math.isnan(value) else value
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(flat, indent=2) + "\n")
    return path
