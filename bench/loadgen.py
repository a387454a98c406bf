"""Open-loop HTTP load generator (coordinated-omission-free), for every latency benchmark.

Requests are *scheduled* at ``t0 + i / rate`` whatever the server does: a slow answer never
slows the sender down, and each latency is measured from the request's scheduled send time, so
time spent waiting for a free connection or behind a stalled server counts (as a user would see
it). Runs on asyncio (uvloop when installed) with raw HTTP/1.1 keep-alive connections from a
bounded pool; one process sustains several thousand requests/s on this 2-core machine
(``bench/loadgen_capacity.py`` measures it), far above the rates the app benchmarks offer.

Use it in ANOTHER process than the server. From Python::

    from bench.loadgen import Target, load_in_subprocess, find_max_rps
    stats = load_in_subprocess([Target("http://127.0.0.1:8000/", host="sarah.localhost")],
                               rate=50, duration=30)
    stats["p95_ms"], stats["errors"], stats["achieved_rps"]
    best = find_max_rps(targets, p95_limit_ms=100, start_rate=100)

From the shell (prints the stats as JSON)::

    python -m bench.loadgen --url http://127.0.0.1:8000/ --host sarah.localhost --rate 50 --duration 30
    python -m bench.loadgen --targets urls.json --rate 200 --duration 30   # [{"url":..,"host":..}, ...]

Stats: ``sent``, ``completed`` (got a response), ``ok`` (2xx/3xx), ``errors`` (anything else:
4xx/5xx, timeouts, connection failures; split into ``errors_status``, ``errors_timeout``,
``errors_connection``), ``p50_ms``/``p90_ms``/``p95_ms``/``p99_ms``/``max_ms``/``mean_ms`` over
ALL requests (a timed-out request counts with the time it waited), ``offered_rps``,
``achieved_rps`` (responses per second of the sending window), ``send_lag_p99_ms`` and
``send_lag_max_ms`` (how late the generator itself was against its schedule: large values mean
the generator, not the server, was saturated; latencies stay honest either way because they are
measured from the schedule). ``t0_wall`` is the wall-clock time (epoch seconds) of the schedule's
start; with ``records`` (``--records FILE``) every request is also written to FILE as one JSON
array of ``[target index, scheduled offset s, latency ms, outcome, status]`` (outcome: ok,
status, timeout, connection), for benchmarks that split the run by time or by kind of request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# Responses are counted by this header's value (stats["x_cache"], e.g. {"hit": 812, "miss": 5188}).
COUNT_HEADER = b"x-cache"


@dataclass(frozen=True)
class Target:
    """One request: ``url`` is where to connect (e.g. ``http://127.0.0.1:8000/path``); ``host``
    the Host header to send (sites are chosen by Host), defaulting to the URL's host; ``body``
    is sent with its ``Content-Length`` (e.g. a JSON POST, with its Content-Type in headers)."""

    url: str
    host: str | None = None
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""


class _Request:
    __slots__ = ("addr", "raw")

    def __init__(self, target: Target) -> None:
        parts = urlsplit(target.url)
        if parts.scheme != "http":
            raise ValueError(f"only plain http:// is supported (loopback benchmarks): {target.url}")
        port = parts.port or 80
        self.addr = (parts.hostname or "127.0.0.1", port)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        host = target.host or parts.netloc
        lines = [
            f"{target.method} {path} HTTP/1.1",
            f"Host: {host}",
            "User-Agent: chatrealty-loadgen/1",
            "Accept: text/html,application/json,*/*",
            "Accept-Encoding: identity",
            "Connection: keep-alive",
        ]
        lines += [f"{k}: {v}" for k, v in target.headers]
        body = target.body.encode()
        if body:
            lines.append(f"Content-Length: {len(body)}")
        self.raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 client connection; answers one request at a time."""

    __slots__ = (
        "pool",
        "transport",
        "buf",
        "job",
        "head_done",
        "status",
        "length",
        "chunked",
        "keep_alive",
        "used",
        "counted",
    )

    def __init__(self, pool: _Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.job: _Job | None = None
        self.used = False  # has answered a request before (so a close may be a stale keep-alive)
        self._reset()

    def _reset(self) -> None:
        self.head_done = False
        self.status = 0
        self.length = -1
        self.chunked = False
        self.keep_alive = True
        self.counted = ""  # value of the counted header (COUNT_HEADER) of this response

    # -- asyncio callbacks -------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, job: _Job) -> None:
        self.job = job
        self._reset()
        assert self.transport is not None
        self.transport.write(job.req.raw)

    def data_received(self, data: bytes) -> None:
        if self.job is None:  # unsolicited bytes: drop the connection
            self.abort()
            return
        self.buf += data
        self._parse()

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        job, self.job = self.job, None
        self.transport = None
        if job is not None and not job.done:
            if self.head_done and self.length < 0 and not self.chunked:
                self.pool.finished(self, job, self.status, keep_alive=False)  # body ended by close
                return
            retry = self.used and not self.head_done and not self.buf and not job.retried
            self.pool.lost(self, job, retry=retry)
        else:
            self.pool.lost(self, None, retry=False)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    # -- response parsing ----------------------------------------------------------------
    def _parse(self) -> None:
        buf = self.buf
        if not self.head_done:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end])
            del buf[: end + 4]
            lines = head.split(b"\r\n")
            parts = lines[0].split(b" ", 2)
            try:
                version, self.status = parts[0], int(parts[1])
            except (IndexError, ValueError):
                self._fail()
                return
            http11 = version == b"HTTP/1.1"
            self.keep_alive = http11
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    self.length = int(value.strip())
                elif name == b"transfer-encoding":
                    self.chunked = b"chunked" in value.lower()
                elif name == b"connection":
                    v = value.strip().lower()
                    self.keep_alive = (v != b"close") if http11 else (v == b"keep-alive")
                elif name == COUNT_HEADER:
                    self.counted = value.strip().decode("latin-1")
            self.head_done = True
            if self.status in (204, 304) or 100 <= self.status < 200:
                self.length = 0
                self.chunked = False
        if self.chunked:
            pos = 0
            while True:
                eol = buf.find(b"\r\n", pos)
                if eol < 0:
                    return
                size = int(bytes(buf[pos:eol]).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    trailer_end = buf.find(b"\r\n\r\n", eol)
                    if trailer_end < 0 and buf[eol + 2 : eol + 4] != b"\r\n":
                        return
                    del buf[:]
                    break
                if len(buf) < eol + 2 + size + 2:
                    return
                pos = eol + 2 + size + 2
            self._complete()
        elif self.length >= 0 and len(buf) >= self.length:
            del buf[: self.length]
            self._complete()
        # else: body runs until the server closes (connection_lost completes it)

    def _complete(self) -> None:
        job, self.job = self.job, None
        self.used = True
        assert job is not None
        if self.counted:
            counts = self.pool.rec.header_counts
            counts[self.counted] = counts.get(self.counted, 0) + 1
        self.pool.finished(self, job, self.status, keep_alive=self.keep_alive and not self.buf)

    def _fail(self) -> None:
        job, self.job = self.job, None
        if job is not None:
            self.pool.failed(job, "connection")
        self.abort()


class _Job:
    __slots__ = ("req", "scheduled", "deadline", "done", "retried", "idx")

    def __init__(self, req: _Request, scheduled: float, timeout: float, idx: int = 0) -> None:
        self.req = req
        self.idx = idx
        self.scheduled = scheduled
        self.deadline = scheduled + timeout
        self.done = False
        self.retried = False


class _Recorder:
    def __init__(self, *, keep: bool = False) -> None:
        self.records: list[tuple[int, float, float, str, int]] | None = [] if keep else None
        self.latencies: list[float] = []
        self.counts = {"ok": 0, "status": 0, "timeout": 0, "connection": 0}
        self.status_counts: dict[int, int] = {}
        self.header_counts: dict[str, int] = {}
        self.last_done = 0.0
        self.outstanding = 0

    def record(self, job: _Job, outcome: str, status: int = 0) -> None:
        if job.done:
            return
        job.done = True
        now = time.monotonic()
        self.outstanding -= 1
        self.counts[outcome] += 1
        if status:
            self.status_counts[status] = self.status_counts.get(status, 0) + 1
        self.latencies.append((now - job.scheduled) * 1000.0)
        if self.records is not None:
            self.records.append((job.idx, job.scheduled, (now - job.scheduled) * 1000.0, outcome, status))
        self.last_done = max(self.last_done, now)


class _Pool:
    """Bounded keep-alive connection pool for one address: LIFO reuse of idle connections,
    requests queue (their wait counts in their latency) when every connection is busy."""

    def __init__(self, addr: tuple[str, int], limit: int, rec: _Recorder) -> None:
        self.addr = addr
        self.limit = limit
        self.rec = rec
        self.idle: list[_Conn] = []
        self.busy: set[_Conn] = set()
        self.pending: deque[_Job] = deque()
        self.open = 0  # connected + connecting
        self.opened_total = 0
        self.loop = asyncio.get_running_loop()

    def submit(self, job: _Job) -> None:
        while self.idle:
            conn = self.idle.pop()
            if conn.transport is not None and not conn.transport.is_closing():
                self._send(conn, job)
                return
        self.pending.append(job)
        if self.open < self.limit:
            self._open()

    def _send(self, conn: _Conn, job: _Job) -> None:
        self.busy.add(conn)
        conn.send(job)

    def _open(self) -> None:
        self.open += 1
        self.opened_total += 1
        self.loop.create_task(self._connect())

    async def _connect(self) -> None:
        try:
            _, conn = await self.loop.create_connection(lambda: _Conn(self), *self.addr)
        except OSError:
            self.open -= 1
            while self.pending:  # attribute the failure to the oldest waiting request
                job = self.pending.popleft()
                if not job.done:
                    self.rec.record(job, "connection")
                    break
            return
        self._next(conn)

    def _next(self, conn: _Conn) -> None:
        """Give a free connection the oldest waiting request, or park it."""
        if conn.transport is None or conn.transport.is_closing():
            return  # already lost: connection_lost released its slot
        while self.pending:
            job = self.pending.popleft()
            if not job.done:
                self._send(conn, job)
                return
        self.idle.append(conn)

    def finished(self, conn: _Conn, job: _Job, status: int, *, keep_alive: bool) -> None:
        self.busy.discard(conn)
        self.rec.record(job, "ok" if 200 <= status < 400 else "status", status)
        if keep_alive and conn.transport is not None:
            self._next(conn)
        else:
            conn.abort()  # connection_lost will release the slot

    def failed(self, job: _Job, outcome: str) -> None:
        self.rec.record(job, outcome)

    def lost(self, conn: _Conn, job: _Job | None, *, retry: bool) -> None:
        self.busy.discard(conn)
        if conn in self.idle:
            self.idle.remove(conn)
        self.open -= 1
        if job is not None and not job.done:
            if retry:
                job.retried = True
                self.pending.appendleft(job)  # a stale kept-alive connection: retry once
            else:
                self.rec.record(job, "connection")
        if self.pending and self.open < self.limit:
            self._open()

    def expire(self, now: float) -> None:
        """Time out waiting and in-flight requests past their deadline."""
        if self.pending:
            kept: deque[_Job] = deque()
            for job in self.pending:
                if job.done:
                    continue
                if job.deadline <= now:
                    self.rec.record(job, "timeout")
                else:
                    kept.append(job)
            self.pending = kept
        for conn in list(self.busy):
            job = conn.job
            if job is not None and job.deadline <= now:
                self.rec.record(job, "timeout")
                conn.job = None
                self.busy.discard(conn)
                conn.abort()

    def close(self) -> None:
        for conn in self.idle + list(self.busy):
            conn.abort()


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


async def _run(
    targets: Sequence[Target],
    rate: float,
    duration: float,
    timeout: float,
    connections: int,
    records: Path | None = None,
) -> dict[str, Any]:
    if rate <= 0 or duration <= 0:
        raise ValueError("rate and duration must be positive")
    requests = [_Request(t) for t in targets]
    rec = _Recorder(keep=records is not None)
    pools: dict[tuple[str, int], _Pool] = {}
    for r in requests:
        if r.addr not in pools:
            pools[r.addr] = _Pool(r.addr, connections, rec)
    pool_of = [pools[r.addr] for r in requests]
    total = max(1, int(round(rate * duration)))
    lags: list[float] = []
    interval = 1.0 / rate
    n_req = len(requests)
    clock = time.monotonic  # ns resolution (uvloop's loop.time() is in whole milliseconds)
    t0 = clock() + 0.05
    t0_wall = time.time() + (t0 - clock())
    next_sweep = t0
    i = 0
    while i < total:
        now = clock()
        if now >= next_sweep:
            for pool in pools.values():
                pool.expire(now)
            next_sweep = now + 0.01
        scheduled = t0 + i * interval
        if scheduled > now:
            await asyncio.sleep(min(scheduled - now, 0.01))
            continue
        # send everything that is due (batching keeps up when the loop wakes late)
        while i < total and (scheduled := t0 + i * interval) <= now:
            lags.append((now - scheduled) * 1000.0)
            k = i % n_req
            rec.outstanding += 1
            pool_of[k].submit(_Job(requests[k], scheduled, timeout, k))
            i += 1
        await asyncio.sleep(0)  # let responses in between bursts
    send_end = t0 + total * interval
    while rec.outstanding > 0:
        now = clock()
        for pool in pools.values():
            pool.expire(now)
        if rec.outstanding > 0:
            await asyncio.sleep(0.005)
    for pool in pools.values():
        pool.close()
    if records is not None and rec.records is not None:
        rows = [[i, round(s - t0, 4), round(ms, 3), outcome, st] for i, s, ms, outcome, st in rec.records]
        records.write_text(json.dumps(rows))
    latencies = sorted(rec.latencies)
    lags.sort()
    counts = rec.counts
    completed = counts["ok"] + counts["status"]
    window = max(send_end, rec.last_done) - t0
    errors = counts["status"] + counts["timeout"] + counts["connection"]
    return {
        "offered_rps": rate,
        "duration_s": duration,
        "t0_wall": round(t0_wall, 4),
        "sent": total,
        "completed": completed,
        "ok": counts["ok"],
        "errors": errors,
        "errors_status": counts["status"],
        "errors_timeout": counts["timeout"],
        "errors_connection": counts["connection"],
        "achieved_rps": round(completed / window, 2) if window > 0 else 0.0,
        "p50_ms": round(_percentile(latencies, 50), 3),
        "p90_ms": round(_percentile(latencies, 90), 3),
        "p95_ms": round(_percentile(latencies, 95), 3),
        "p99_ms": round(_percentile(latencies, 99), 3),
        "max_ms": round(latencies[-1], 3) if latencies else math.nan,
        "mean_ms": round(sum(latencies) / len(latencies), 3) if latencies else math.nan,
        "send_lag_p99_ms": round(_percentile(lags, 99), 3),
        "send_lag_max_ms": round(lags[-1], 3) if lags else math.nan,
        "connections_opened": sum(p.opened_total for p in pools.values()),
        "status_counts": {str(k): v for k, v in sorted(rec.status_counts.items())},
        "x_cache": dict(sorted(rec.header_counts.items())),
        "loadgen_cpu_s": round(time.process_time(), 3),  # this generator process, start to end
    }


def _install_uvloop() -> None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - plain asyncio works, a little slower
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def load(
    targets: Sequence[Target],
    *,
    rate: float,
    duration: float,
    timeout: float = 5.0,
    connections: int = 256,
    records: Path | None = None,
) -> dict[str, Any]:
    """Offer ``rate`` requests/s for ``duration`` s, cycling through ``targets`` (in THIS process:
    call it from a process that is not the server's, or use :func:`load_in_subprocess`)."""
    _install_uvloop()
    return asyncio.run(_run(targets, rate, duration, timeout, connections, records))


def load_in_subprocess(
    targets: Sequence[Target],
    *,
    rate: float,
    duration: float,
    timeout: float = 5.0,
    connections: int = 256,
    records: Path | None = None,
) -> dict[str, Any]:
    """Same as :func:`load`, run by ``python -m bench.loadgen`` in a fresh process, so the
    generator shares no interpreter, GIL or garbage collector with the caller."""
    spec = json.dumps([asdict(t) for t in targets])
    cmd = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--targets",
        "-",
        "--rate",
        str(rate),
        "--duration",
        str(duration),
        "--timeout",
        str(timeout),
        "--connections",
        str(connections),
        *(["--records", str(records)] if records is not None else []),
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        cmd, input=spec, capture_output=True, text=True, cwd=ROOT, env=env, timeout=duration + timeout + 120
    )
    if proc.returncode != 0:
        raise RuntimeError(f"loadgen failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


def find_max_rps(
    targets: Sequence[Target] | Callable[[float, float], Sequence[Target]],
    *,
    p95_limit_ms: float,
    start_rate: float = 50,
    factor: float = 1.5,
    max_rate: float = 20_000,
    duration: float = 10,
    timeout: float = 5.0,
    refine_steps: int = 2,
    max_error_rate: float = 0.0,
    connections: int = 256,
    pause_s: float = 1.0,
    verbose: bool = True,
    probe: Callable[[], dict[str, float]] | None = None,
) -> dict[str, Any]:
    """Step the offered rate up (×``factor`` from ``start_rate``) until p95 exceeds
    ``p95_limit_ms`` or errors appear (more than ``max_error_rate`` of requests), then bisect
    ``refine_steps`` times between the last passing and the first failing rate. Every step runs
    in a fresh generator process. Returns ``max_rps`` (highest passing offered rate, 0 when even
    ``start_rate`` fails), ``first_failing_rps`` and every step's stats. ``targets`` may be a
    function of (rate, duration) giving each step its own requests (e.g. fresh queries, so no
    step replays another's)."""
    steps: list[dict[str, Any]] = []

    def attempt(rate: float) -> bool:
        step_targets = targets(rate, duration) if callable(targets) else targets
        before = probe() if probe else {}
        stats = load_in_subprocess(step_targets, rate=rate, duration=duration, timeout=timeout, connections=connections)
        if probe:
            after = probe()
            stats.update({k: round(after[k] - before.get(k, 0.0), 3) for k in after})
        passed = stats["p95_ms"] <= p95_limit_ms and stats["errors"] <= max_error_rate * stats["sent"]
        steps.append({"rate": rate, "passed": passed, **stats})
        if verbose:
            print(
                f"  offered {rate:8.1f} rps: p50 {stats['p50_ms']:.1f} p95 {stats['p95_ms']:.1f} "
                f"p99 {stats['p99_ms']:.1f} ms, errors {stats['errors']}, achieved {stats['achieved_rps']:.1f} rps"
                f"{' ' + str(stats['x_cache']) if stats['x_cache'] else ''} -> {'ok' if passed else 'FAIL'}",
                file=sys.stderr,
                flush=True,
            )
        time.sleep(pause_s)  # let queues drain between steps
        return passed

    good, bad = 0.0, None
    rate = float(start_rate)
    while rate <= max_rate:
        if attempt(rate):
            good = rate
            rate = round(rate * factor, 1)
        else:
            bad = rate
            break
    if bad is not None and good > 0:
        for _ in range(refine_steps):
            mid = round((good + bad) / 2, 1)
            if mid in (good, bad):
                break
            if attempt(mid):
                good = mid
            else:
                bad = mid
    return {"max_rps": good, "first_failing_rps": bad, "p95_limit_ms": p95_limit_ms, "steps": steps}


def _parse_targets(args: argparse.Namespace) -> list[Target]:
    if args.targets:
        raw = sys.stdin.read() if args.targets == "-" else Path(args.targets).read_text()
        items = json.loads(raw)
        return [
            Target(
                url=it["url"],
                host=it.get("host"),
                method=it.get("method", "GET"),
                headers=tuple(tuple(h) for h in it.get("headers", ())),  # type: ignore[misc]
                body=it.get("body", ""),
            )
            for it in items
        ]
    if not args.url:
        raise SystemExit("give --url (repeatable) or --targets FILE|-")
    return [Target(url=u, host=args.host) for u in args.url]


def main() -> None:
    parser = argparse.ArgumentParser(description="Open-loop HTTP load generator; prints JSON stats.")
    parser.add_argument("--url", action="append", help="URL to request (repeatable; cycled in order)")
    parser.add_argument("--host", help="Host header for --url targets")
    parser.add_argument("--targets", help='JSON file (or "-" for stdin): [{"url": .., "host": ..}, ...]')
    parser.add_argument("--rate", type=float, required=True, help="offered requests per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of sending")
    parser.add_argument("--timeout", type=float, default=5.0, help="per request, from its scheduled time")
    parser.add_argument("--connections", type=int, default=256, help="max open connections per address")
    parser.add_argument("--records", help="write every request's [target, offset s, ms, outcome, status] here")
    args = parser.parse_args()
    stats = load(
        _parse_targets(args),
        rate=args.rate,
        duration=args.duration,
        timeout=args.timeout,
        connections=args.connections,
        records=Path(args.records) if args.records else None,
    )
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
