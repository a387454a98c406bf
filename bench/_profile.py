"""Where a page's time goes: SQL queries per request and a cProfile of N requests, in-process
through the full middleware stack with the benchmark's production settings.

    .venv/bin/python -m bench._profile [--host sarah.localhost] [--path /] [-n 200] [--top 30]

Prints the queries of one warm request (with their time), the mean wall time per request, and
the functions with the most cumulative time (cProfile, stdlib: nothing to install).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import apply_bench_env  # noqa: E402
from bench.server import static_collected  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="sarah.localhost")
    parser.add_argument("--path", default="/")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    env = apply_bench_env()
    os.environ["BENCH_STATIC_ROOT"] = str(static_collected(env))  # manifest storage needs it
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=args.host)
    for _ in range(5):  # warm: imports, template compilation, connection
        status = client.get(args.path).status_code
    print(f"GET {args.host}{args.path} -> {status}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(args.path)
    print(f"{len(ctx.captured_queries)} SQL queries in one warm request:")
    for q in ctx.captured_queries:
        print(f"  {float(q['time']) * 1000:7.2f} ms  {q['sql'][:220]}")
    started = time.perf_counter()
    for _ in range(args.n):
        client.get(args.path)
    wall = (time.perf_counter() - started) / args.n * 1000
    print(f"mean {wall:.2f} ms per request over {args.n} (no profiler)")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.n):
        client.get(args.path)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
