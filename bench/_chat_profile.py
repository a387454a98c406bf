"""Where a chat stream's CPU goes: ``POST /api/chat/stream`` driven through ``config.asgi``
in this process (production settings, the fake Groq in a subprocess answering at once), N
streams at a time on uvloop, profiled with yappi (every thread: the event loop and the
thread pool) when it is importable, else only timed.

    PYTHONPATH=/tmp/pyextra nice -n 19 .venv/bin/python -m bench._chat_profile -n 200 -c 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import chat  # noqa: E402
from bench._common import free_port  # noqa: E402


async def one(app: Any, message: str) -> tuple[int, bytes]:
    body = json.dumps({"message": message}).encode()
    address = chat.visitor_address(0)  # a new visitor each
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/chat/stream",
        "raw_path": b"/api/chat/stream",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"localhost"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-forwarded-for", address.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8001),
    }
    sent = False
    out: list[bytes] = []
    status = 0
    finished = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            out.append(message.get("body", b""))
            if not message.get("more_body"):
                finished.set()

    await app(scope, receive, send)
    return status, b"".join(out)


async def drive(app: Any, n: int, concurrency: int) -> list[int]:
    gate = asyncio.Semaphore(concurrency)

    async def go(i: int) -> int:
        async with gate:
            status, body = await one(app, f"homes in palm springs {i}")
            assert status == 200 and b"event: done" in body, (status, body[-300:])
            return status

    return await asyncio.gather(*(go(i) for i in range(n)))


def print_yappi(stats: list[Any], *, streams: int, top: int) -> None:
    """The ``top`` functions by total, then by own CPU time: ms a stream (total, own), calls."""
    for key in ("ttot", "tsub"):
        print(f"--- by {key}")
        for s in sorted(stats, key=lambda s: getattr(s, key), reverse=True)[:top]:
            where = f"{Path(s.module).name}:{s.lineno}"
            print(f"{s.ttot / streams * 1000:8.3f} {s.tsub / streams * 1000:8.3f} {s.ncall:8d}  {s.name}  {where}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("-c", type=int, default=20)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--tps", type=float, default=0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    port = free_port()
    groq = chat.fake_groq(port, args.tps, 60)
    env = chat.chat_env(port)
    os.environ.update(env)
    import uvloop

    from config.asgi import application

    try:
        loop = uvloop.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(drive(application, 30, 5))  # warm
        yappi = None
        if not args.no_profile:
            try:
                import yappi  # type: ignore[import-not-found,no-redef]
            except ImportError:
                yappi = None
        if yappi is not None:
            yappi.set_clock_type("cpu")
            yappi.start(builtins=False)
        per_stream = []
        for _ in range(args.rounds):
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            t0 = time.perf_counter()
            loop.run_until_complete(drive(application, args.n, args.c))
            wall = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
            per_stream.append(cpu / args.n * 1000)
            print(f"{args.n} streams, {args.c} at a time: {per_stream[-1]:.2f} ms CPU a stream, {wall:.1f} s wall")
        if yappi is not None:
            yappi.stop()
        print(f"median {statistics.median(per_stream):.2f} min {min(per_stream):.2f} ms CPU a stream")
        if yappi is not None:
            print_yappi(list(yappi.get_func_stats()), streams=args.n, top=args.top)
    finally:
        groq.terminate()


if __name__ == "__main__":
    main()
