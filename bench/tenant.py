"""Benchmark: sites (issue 2) - creating an agent site, and serving a site's home page.

    .venv/bin/python -m bench.tenant [--creates 10] [--rate 50] [--duration 30] [--skip-create] [--skip-home]
    make bench BENCH=tenant

1. ``tenant_create_median_s``: ``tenants.services.tenant_create`` on the clone path (after
   ``tenant_template_ensure()``), ``--creates`` sites with unique names, each timed end to end
   (tenant row, clone of the template schema, domain, Wagtail Site, pages, branding, owner);
   dropped afterwards. Also the time inside the schema clone (``tenant_create_clone_median_s``,
   django-tenants' ``clone_schema`` SQL function) and the rest (``tenant_create_rest_median_s``).
   ``tenants.models.Tenant.create_schema`` skips django-tenants' faked ``migrate_schemas`` pass;
   if it ever runs, ``tenant_create_migrate_median_s`` shows it.
2. ``home_page_p95_ms``: Sarah's home page (``GET /``, ``Host: sarah.localhost``) served by
   ``bench.server.BenchServer`` (production settings, gunicorn) under an open-loop offered load
   of ``--rate`` requests/s for ``--duration`` s from ``bench.loadgen`` in another process, after
   a short warm-up that is not counted. Latency includes any queueing (measured from each
   request's scheduled send time). The warm-up repeats 5 s rounds until every worker serves
   (each gunicorn worker loads the listings read model on its first request).

Uses its own database (``chatrealty_bench``; set up with migrate_schemas, platform_setup and
demo_setup when absent). Writes ``bench/results/tenant.json``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import apply_bench_env, demo_database_ensure, write_results  # noqa: E402
from bench.loadgen import Target, load_in_subprocess  # noqa: E402

HOME_HOST = "sarah.localhost"
BENCH_PREFIX = "bench-"
EMPTY_STORE_DB = "chatrealty_bench_empty"  # never written: the home page's store query finds nothing


def _django_setup() -> None:
    apply_bench_env()
    import django

    django.setup()


def bench_tenant_create(count: int) -> dict[str, float]:
    """Create ``count`` sites on the clone path, timing each; drop them afterwards."""
    import django_tenants.models as dt_models
    from django.conf import settings
    from django_tenants.utils import schema_exists

    import tenants.clone as tenant_clone
    from tenants.models import Tenant
    from tenants.services import SiteBrandingInput, SiteInput, SiteOwnerInput, tenant_create, tenant_template_ensure

    template = tenant_template_ensure()
    assert settings.TENANT_CREATION_FAKES_MIGRATIONS and schema_exists(template.schema_name), "clone path not active"
    _drop_bench_sites()  # leftovers of an interrupted run

    # Phase timers around django-tenants' own steps (instrumentation in this process only).
    phase: dict[str, float] = {}
    orig_clone = tenant_clone.schema_clone
    orig_call = dt_models.call_command

    def timed_clone(*a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return orig_clone(*a, **kw)
        finally:
            phase["clone"] = phase.get("clone", 0.0) + time.perf_counter() - t

    def timed_call(*a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return orig_call(*a, **kw)
        finally:
            phase["migrate"] = phase.get("migrate", 0.0) + time.perf_counter() - t

    tenant_clone.schema_clone = timed_clone
    dt_models.call_command = timed_call  # type: ignore[attr-defined]
    run = secrets.token_hex(3)
    totals: list[float] = []
    clones: list[float] = []
    migrates: list[float] = []
    try:
        for i in range(count):
            sub = f"{BENCH_PREFIX}{run}-{i}"
            site = SiteInput(
                name=f"Bench Site {i}",
                subdomain=sub,
                branding=SiteBrandingInput(site_name=f"Bench Site {i}", agent_name="Bench Agent", logo_text="BS"),
                owner=SiteOwnerInput(email=f"owner-{sub}@example.com", password=None, full_name="Bench Agent"),
                mls_sources=["gps"],
            )
            phase.clear()
            started = time.perf_counter()
            tenant_create(site=site)
            totals.append(time.perf_counter() - started)
            clones.append(phase.get("clone", 0.0))
            migrates.append(phase.get("migrate", 0.0))
            print(
                f"  tenant_create {sub}: {totals[-1]:.3f} s (schema clone {clones[-1]:.3f} s,"
                f" migrate_schemas {migrates[-1]:.3f} s, rest {totals[-1] - clones[-1] - migrates[-1]:.3f} s)",
                file=sys.stderr,
            )
        created = Tenant.objects.filter(slug__startswith=f"{BENCH_PREFIX}{run}-").count()
        assert created == count, f"expected {count} sites, found {created}"
    finally:
        tenant_clone.schema_clone = orig_clone
        dt_models.call_command = orig_call  # type: ignore[attr-defined]
        _drop_bench_sites()
    return {
        "tenant_create_median_s": round(statistics.median(totals), 4),
        "tenant_create_min_s": round(min(totals), 4),
        "tenant_create_max_s": round(max(totals), 4),
        "tenant_create_clone_median_s": round(statistics.median(clones), 4),
        "tenant_create_migrate_median_s": round(statistics.median(migrates), 4),
        "tenant_create_rest_median_s": round(
            statistics.median(t - c - m for t, c, m in zip(totals, clones, migrates, strict=True)), 4
        ),
        "tenant_create_count": count,
    }


def _drop_bench_sites() -> None:
    from django.db import connection

    from tenants.models import Tenant

    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(slug__startswith=BENCH_PREFIX, kind=Tenant.Kind.AGENT_SITE):
        tenant.delete(force_drop=True)  # drops the schema; the domain row cascades


def _store_listings(mongodb_db: str) -> int:
    from pymongo import MongoClient

    client: MongoClient = MongoClient(os.environ["MONGODB_URI"])
    try:
        return int(client[mongodb_db]["listings"].estimated_document_count())
    finally:
        client.close()


def bench_home_page(
    rate: float, duration: float, warmup: float, *, prefix: str = "home_page", mongodb_db: str | None = None
) -> dict[str, float]:
    """``mongodb_db``: the listings store database the server reads (default: the benchmark's)."""
    from bench._common import bench_env
    from bench.server import BenchServer

    env = bench_env(**({"MONGODB_DB": mongodb_db} if mongodb_db else {}))
    listings = _store_listings(env["MONGODB_DB"])
    print(f"  {prefix}: listings store {env['MONGODB_DB']} holds {listings} listings", file=sys.stderr)
    with BenchServer(env=env) as server:
        status, body = server.warm("/", host=HOME_HOST)
        if status != 200 or b"Sarah Chen" not in body:
            raise RuntimeError(f"home page of {HOME_HOST} answered {status}: {body[:300]!r}")
        print(
            f"  server {server.url('/')} gunicorn {server.workers} workers × {server.threads} threads;"
            f" home page {len(body)} bytes",
            file=sys.stderr,
        )
        targets = [Target(server.url("/"), host=HOME_HOST)]
        # Warm-up (not counted): each worker loads the listings read model lazily on its first
        # request (seconds), so repeat short rounds at the benchmark rate until one round has no
        # errors and no request over 1 s, i.e. every worker is serving, or 60 s have passed.
        warm_started = time.monotonic()
        while warmup > 0 and time.monotonic() - warm_started < 60:
            w = load_in_subprocess(targets, rate=rate, duration=warmup, timeout=30.0)
            print(
                f"  warm-up round: p95 {w['p95_ms']} max {w['max_ms']} ms, errors {w['errors']}",
                file=sys.stderr,
            )
            if w["errors"] == 0 and w["max_ms"] < 1000:
                break
        warm_s = time.monotonic() - warm_started
        stats = load_in_subprocess(targets, rate=rate, duration=duration, timeout=5.0)
    print(
        f"  {prefix} at {rate} rps for {duration} s: p50 {stats['p50_ms']} p95 {stats['p95_ms']}"
        f" p99 {stats['p99_ms']} max {stats['max_ms']} ms; errors {stats['errors']} {stats['status_counts']};"
        f" achieved {stats['achieved_rps']} rps",
        file=sys.stderr,
    )
    return {
        f"{prefix}_p50_ms": stats["p50_ms"],
        f"{prefix}_p95_ms": stats["p95_ms"],
        f"{prefix}_p99_ms": stats["p99_ms"],
        f"{prefix}_max_ms": stats["max_ms"],
        f"{prefix}_errors": stats["errors"],
        f"{prefix}_requests": stats["sent"],
        f"{prefix}_offered_rps": rate,
        f"{prefix}_achieved_rps": stats["achieved_rps"],
        f"{prefix}_warmup_s": round(warm_s, 1),
        f"{prefix}_store_listings": listings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Site creation and home page benchmark")
    parser.add_argument("--creates", type=int, default=10)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring (not counted)")
    parser.add_argument("--skip-create", action="store_true")
    parser.add_argument("--skip-home", action="store_true")
    args = parser.parse_args()

    demo_database_ensure()
    _django_setup()
    results: dict[str, float] = {"machine_loadavg_1m_at_start": round(os.getloadavg()[0], 2)}
    if not args.skip_create:
        results.update(bench_tenant_create(args.creates))
    if not args.skip_home:
        # As users get it: the store the benchmarks share (the full feed when a search or ingest
        # benchmark has loaded it). Then against an empty store, which isolates the cost of
        # Django, Wagtail and Postgres from the featured-listings query on the store.
        results.update(bench_home_page(args.rate, args.duration, args.warmup))
        results.update(
            bench_home_page(
                args.rate, args.duration, args.warmup, prefix="home_page_empty_store", mongodb_db=EMPTY_STORE_DB
            )
        )
    results["machine_loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    write_results("tenant", results)


if __name__ == "__main__":
    main()
