"""CPU per chat stream, split by process: the ASGI server (gunicorn + uvicorn workers, as
``bench.chat`` serves it), the fake Groq and the load generator. On a shared machine the
latencies say little; the CPU seconds a stream costs each process do.

    nice -n 19 .venv/bin/python -m bench._chat_cpu [-n 100] [--rounds 3] [--tps 20] [--ramp 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import chat  # noqa: E402
from bench._common import demo_database_ensure, free_port, process_cpu_s  # noqa: E402
from bench.search import seed_if_empty  # noqa: E402


def self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tps", type=float, default=20)
    parser.add_argument("--words", type=int, default=60)
    parser.add_argument("--ramp", type=float, default=2.0)
    args = parser.parse_args()
    demo_database_ensure()
    seed_if_empty()
    port = free_port()
    groq = chat.fake_groq(port, args.tps, args.words)
    try:
        with chat.served(port) as server:
            chat.run(chat.wave(server.port, 16, ramp_s=0, concurrency=4))
            print(f"settled in {chat.settled(server)} s", file=sys.stderr)
            rows = []
            for _ in range(args.rounds):
                s0, g0, l0 = server.cpu_seconds()["server_cpu_s"], process_cpu_s(groq.pid), self_cpu()
                outcome = chat.run(chat.wave(server.port, args.n, ramp_s=args.ramp))
                time.sleep(0.5)  # the server's end-of-turn saves
                s1, g1, l1 = server.cpu_seconds()["server_cpu_s"], process_cpu_s(groq.pid), self_cpu()
                times = [t for t, ok in outcome if t is not None and ok]
                row = {
                    "server_ms": (s1 - s0) / args.n * 1000,
                    "groq_ms": (g1 - g0) / args.n * 1000,
                    "loadgen_ms": (l1 - l0) / args.n * 1000,
                    "p95_ms": chat.p95(times),
                    "p50_ms": round(statistics.median(times), 1) if times else float("nan"),
                    "failed": args.n - len(times),
                }
                rows.append(row)
                print("  " + ", ".join(f"{k} {v:.1f}" for k, v in row.items()), file=sys.stderr)
            for key in ("server_ms", "groq_ms", "loadgen_ms"):
                print(f"{key} per stream: median {statistics.median(r[key] for r in rows):.1f}")
            print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        groq.terminate()


if __name__ == "__main__":
    main()
