"""The mixed benchmark's own services and the faults it injects (``bench/mixed.py``).

A Redis and a SecantusDB started for the run on free ports with their data in the run's
directory (restarting them never touches the machine's or the checkout's services), the fake
Spark feed, and the Celery worker and beat, each in its own process group so a fault kills
exactly what it means to. Redis runs as production's does (``--appendonly yes``,
platform/compose.yaml), so a restart keeps the broker's queue.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from bench._common import PYTHON, ROOT, free_port

CELERY = str(Path(PYTHON).parent / "celery")
SECANTUSD = str(Path(PYTHON).parent / "secantusd-py")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_port(port: int, *, up: bool, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while port_open(port) != up:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not {'start' if up else 'stop'} on port {port} within {timeout} s")
        time.sleep(0.05)


def _stop_group(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


class OwnServices:
    """Redis and SecantusDB of this run (``workdir`` holds their data and logs)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.redis_port, self.mongo_port = free_port(), free_port()
        self.redis: subprocess.Popen[bytes] | None = None
        self.mongo: subprocess.Popen[bytes] | None = None
        for name in ("redis", "secantus", "log"):
            (workdir / name).mkdir(parents=True, exist_ok=True)

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def mongo_uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}"

    def _log(self, name: str) -> int:
        return os.open(self.workdir / "log" / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def start_redis(self) -> None:
        cmd = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", ""]
        cmd += ["--appendonly", "yes", "--dir", str(self.workdir / "redis")]
        log = self._log("redis")
        self.redis = subprocess.Popen(cmd, stdout=log, stderr=log, start_new_session=True)
        os.close(log)
        wait_port(self.redis_port, up=True, timeout=15, what="redis")

    def start_mongo(self) -> None:
        cmd = [SECANTUSD, "--host", "127.0.0.1", "--port", str(self.mongo_port)]
        cmd += ["--storage-path", str(self.workdir / "secantus"), "--log-level", "WARNING"]
        log = self._log("secantus")
        self.mongo = subprocess.Popen(cmd, stdout=log, stderr=log, start_new_session=True)
        os.close(log)
        wait_port(self.mongo_port, up=True, timeout=120, what="secantusdb")

    def restart_redis(self) -> None:
        _stop_group(self.redis)
        wait_port(self.redis_port, up=False, timeout=10, what="redis")
        self.start_redis()

    def restart_mongo(self) -> None:
        _stop_group(self.mongo)
        wait_port(self.mongo_port, up=False, timeout=30, what="secantusdb")
        self.start_mongo()

    def stop(self) -> None:
        _stop_group(self.mongo)
        _stop_group(self.redis)


class FakeSpark:
    """The fake Spark API (``devtools.spark``) holding both MLS feeds."""

    def __init__(self, *, sizes: dict[str, tuple[int, int]], workdir: Path, seed: int = 42) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [PYTHON, "-m", "devtools.spark", "--port", str(self.port), "--seed", str(seed), "--warm"]
        for src, (active, closed) in sizes.items():
            args += [f"--{src}-active", str(active), f"--{src}-closed", str(closed)]
        with (workdir / "log" / "spark.log").open("wb") as log:
            self.proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)

    def wait_warm(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/_control/state", timeout=5).json().get("warm") == "ready":
                    return
            time.sleep(0.3)
        raise RuntimeError("the fake Spark feed did not warm up")

    def control(self, action: str, **body: object) -> dict:
        resp = requests.post(f"{self.url}/_control/{action}", json=body, timeout=120)
        resp.raise_for_status()
        return dict(resp.json())

    def stop(self) -> None:
        _stop_group(self.proc)


def _autogroup_nice(pid: int, nice: int) -> None:
    """Lower the CPU weight of ``pid``'s whole session, as systemd's ``CPUWeight`` does for the
    reports unit (platform/systemd/chatrealty-reports.service).

    With the kernel's autogroups (``/proc/sys/kernel/sched_autogroup_enabled``) every session is
    a scheduling group, and CPU is shared between groups first: a process started in a session
    of its own at ``nice 10`` still had a full group's weight, as much as all of gunicorn's
    workers together (session 8: the report renders took 0.25-0.4 of a core through the load
    while the web workers queued). Without autogroups there is no such file and ``nice`` alone
    does the job."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))


class CeleryProcs:
    """Celery workers and beat as production runs them (platform/Procfile): the default queue's
    worker, the report PDFs' worker at nice 10, and beat; restartable one at a time."""

    def __init__(self, *, env: dict[str, str], workdir: Path, concurrency: int = 2) -> None:
        self.env, self.workdir, self.concurrency = env, workdir, concurrency
        self.worker: subprocess.Popen[bytes] | None = None
        self.reports: subprocess.Popen[bytes] | None = None
        self.beat: subprocess.Popen[bytes] | None = None

    def _spawn(self, name: str, *args: str, nice: int = 0) -> subprocess.Popen[bytes]:
        log = (self.workdir / "log" / f"{name}.log").open("ab")
        prefix = ["nice", "-n", str(nice)] if nice else []
        proc = subprocess.Popen(
            [*prefix, CELERY, "-A", "config", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        if nice:
            _autogroup_nice(proc.pid, nice)
        return proc

    def start_worker(self) -> None:
        self.worker = self._spawn(
            "worker", "worker", "-l", "INFO", "-Q", "celery", "--concurrency", str(self.concurrency)
        )

    def start_reports(self) -> None:
        self.reports = self._spawn(
            "reports", "worker", "-l", "INFO", "-Q", "reports", "--concurrency", "1", "-n", "reports@%h", nice=10
        )

    def start_beat(self) -> None:
        schedule = str(self.workdir / "celerybeat-schedule")
        self.beat = self._spawn("beat", "beat", "-l", "INFO", "-s", schedule)

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool processes (a crash, an OOM kill): no warm shutdown,
        no message handed back."""
        _stop_group(self.worker, signal.SIGKILL)

    def stop(self) -> None:
        _stop_group(self.beat)
        _stop_group(self.reports)
        _stop_group(self.worker)


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


def lock_holder(lock: Path, pids: list[int]) -> int | None:
    """Which of ``pids`` holds the ``flock`` on ``lock`` (the read model's snapshot leader), from
    /proc/locks; None when none of them does."""
    try:
        inode = os.stat(lock).st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split()
        if "FLOCK" in parts and len(parts) >= 6 and parts[5].rsplit(":", 1)[-1] == str(inode):
            pid = int(parts[4])
            if pid in pids:
                return pid
    return None
