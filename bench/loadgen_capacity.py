"""Benchmark of the load generator itself: how many requests/s ``bench/loadgen.py`` can offer
on this machine before IT becomes the bottleneck.

    .venv/bin/python -m bench.loadgen_capacity

Starts a trivial HTTP/1.1 keep-alive server (asyncio + uvloop, a fixed 2-byte answer) in one
subprocess and drives it with the generator in another, at fixed rates and then with
``find_max_rps`` (p95 ≤ 10 ms, no errors). The other benchmarks offer 50-600 requests/s; this
shows the generator has headroom well above that, so a latency the app benchmarks report is the
server's, not the generator's. Writes ``bench/results/loadgen_capacity.json``.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import free_port, write_results  # noqa: E402
from bench.loadgen import Target, find_max_rps, load_in_subprocess  # noqa: E402

_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


class _Trivial(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        n = self.buf.count(b"\r\n\r\n")
        if n:
            self.buf = self.buf[self.buf.rfind(b"\r\n\r\n") + 4 :]
            self.transport.write(_RESPONSE * n)  # type: ignore[attr-defined]


def serve(port: int) -> None:
    """The trivial server (run as ``python -m bench.loadgen_capacity --serve PORT``)."""
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass

    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(_Trivial, "127.0.0.1", port, backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(run())


def main() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bench.loadgen_capacity", "--serve", str(port)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("trivial server did not start") from None
                time.sleep(0.05)
        targets = [Target(f"http://127.0.0.1:{port}/", host="sarah.localhost")]
        results: dict[str, float] = {}
        for rate in (1000, 2000):
            stats = load_in_subprocess(targets, rate=rate, duration=10)
            print(
                f"  trivial server at {rate} rps: p50 {stats['p50_ms']} p95 {stats['p95_ms']} p99 {stats['p99_ms']} ms,"
                f" errors {stats['errors']}, achieved {stats['achieved_rps']} rps, send lag p99 {stats['send_lag_p99_ms']} ms",
                file=sys.stderr,
            )
            results[f"loadgen_at_{rate}_p95_ms"] = stats["p95_ms"]
            results[f"loadgen_at_{rate}_p99_ms"] = stats["p99_ms"]
            results[f"loadgen_at_{rate}_achieved_rps"] = stats["achieved_rps"]
            results[f"loadgen_at_{rate}_errors"] = stats["errors"]
        best = find_max_rps(targets, p95_limit_ms=10, start_rate=2000, factor=1.5, duration=8, refine_steps=2)
        results["loadgen_max_rps_p95_10ms"] = best["max_rps"]
        write_results("loadgen_capacity", results)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    else:
        main()
