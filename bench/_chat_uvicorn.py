"""Profile the chat service as served: ``config.asgi`` under uvicorn (httptools, uvloop) in this
process with yappi (every thread), streams from ``bench.chat``'s load generator in a subprocess.

    PYTHONPATH=/tmp/pyextra nice -n 19 .venv/bin/python -m bench._chat_uvicorn -n 100
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import chat  # noqa: E402
from bench._chat_profile import print_yappi  # noqa: E402
from bench._common import PYTHON, free_port  # noqa: E402

LOADGEN = """
import sys; sys.path.insert(0, {root!r})
from bench import chat
out = chat.run(chat.wave({port}, {n}, ramp_s={ramp}))
times = [t for t, ok in out if t is not None and ok]
print("p95", chat.p95(times), "failed", len(out) - len(times))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--ramp", type=float, default=2.0)
    parser.add_argument("--tps", type=float, default=20)
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    gport, port = free_port(), free_port()
    groq = chat.fake_groq(gport, args.tps, 60)
    env = chat.chat_env(gport)
    os.environ.update(env)
    import uvicorn

    config = uvicorn.Config(
        "config.asgi:application",
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.1)

    def wave(n: int) -> str:
        code = LOADGEN.format(root=str(ROOT), port=port, n=n, ramp=args.ramp)
        return subprocess.run([PYTHON, "-c", code], capture_output=True, text=True).stdout.strip()

    try:
        print("warm", wave(20))
        yappi: Any = None
        if not args.no_profile:
            import yappi  # type: ignore[import-not-found,no-redef]

            yappi.set_clock_type("cpu")
            yappi.start(builtins=False)
        for _ in range(2 if args.no_profile else 1):
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            print(wave(args.n))
            time.sleep(0.5)
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
            print(f"server {cpu / args.n * 1000:.2f} ms CPU a stream (load {os.getloadavg()[0]:.1f})")
        if yappi is not None:
            yappi.stop()
            print_yappi(list(yappi.get_func_stats()), streams=args.n, top=args.top)
    finally:
        server.should_exit = True
        groq.terminate()


if __name__ == "__main__":
    main()
