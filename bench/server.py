"""The app as users get it, for latency benchmarks: production settings (DEBUG off, whitenoise
manifest static files, persistent DB connections) behind gunicorn on a free loopback port, in
its own process group.

    from bench.server import BenchServer
    with BenchServer() as server:          # collectstatic, start gunicorn, wait for /healthz
        server.url("/")                    # "http://127.0.0.1:<port>/"
        ...                                # drive it with bench.loadgen from another process

    .venv/bin/python -m bench.server       # serve until Ctrl-C (for poking at it by hand)

Settings: ``bench._settings`` = ``config.settings.production`` with STATIC_ROOT in a private
directory; the environment from ``bench._common.bench_env`` (the benchmark's own Postgres and
Mongo databases and cache prefix, DJANGO_SECURE_SSL_REDIRECT=False because the benchmark
speaks plain HTTP on loopback, ALLOWED_HOSTS ``.localhost``). Workers: gunicorn ``gthread``,
``2 × cores`` processes × ``BENCH_THREADS`` (default 2) threads, keep-alive on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import PYTHON, bench_env, free_port, process_cpu_s  # noqa: E402

GUNICORN = str(Path(PYTHON).parent / "gunicorn")


STATIC_CACHE = Path(tempfile.gettempdir()) / "chatrealty-bench-static"


def _static_sources_key() -> str:
    """A hash of every input of collectstatic: the project's and apps' static files, the npm
    packages served as static files, and the installed Python packages (their static files)."""
    digest = hashlib.sha256()
    roots = [ROOT / "static", *sorted(p for p in ROOT.glob("*/static") if p.is_dir())]
    roots += [ROOT / "node_modules" / "@fontsource", ROOT / "node_modules" / "maplibre-gl" / "dist"]
    roots += [ROOT / "node_modules" / name for name in ("us-atlas", "world-atlas", "topojson-client")]
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file():
                st = path.stat()
                digest.update(f"{path.relative_to(ROOT)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    site_packages = Path(PYTHON).resolve().parent.parent / "lib"
    for dist in sorted(site_packages.glob("python*/site-packages/*.dist-info")):
        digest.update(dist.name.encode() + b"\n")
    digest.update(b"bench._settings/CompressedManifestStaticFilesStorage")
    return digest.hexdigest()[:16]


def static_collected(env: dict[str, str]) -> Path:
    """A STATIC_ROOT filled by ``manage.py collectstatic`` with the benchmark's (production)
    settings: whitenoise's CompressedManifestStaticFilesStorage, which hashes and gzip/brotli
    compresses ~150 MB (4 minutes on this machine). Kept under the system temp directory, keyed
    by a hash of the static sources, so it is collected once per change, not once per run;
    built in a private directory and renamed into place, so concurrent runs are safe."""
    target = STATIC_CACHE / _static_sources_key()
    if (target / "staticfiles.json").is_file():
        return target
    STATIC_CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="collect-", dir=STATIC_CACHE))
    started = time.monotonic()
    try:
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**env, "BENCH_STATIC_ROOT": str(work)},
            check=True,
        )
        try:
            work.rename(target)
        except OSError:  # another run finished first: use theirs
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    print(f"  collectstatic into {target}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    return target


def production_threads() -> int:
    """Threads per worker as production runs gunicorn (config/gunicorn.py, GUNICORN_THREADS)."""
    from config import gunicorn

    return int(gunicorn.threads)


class BenchServer:
    def __init__(
        self,
        *,
        workers: int | None = None,
        threads: int | None = None,
        worker_class: str = "config.gunicorn_worker.SheddingThreadWorker",  # production's (config/gunicorn.py)
        port: int | None = None,
        env: dict[str, str] | None = None,
        startup_timeout: float = 60.0,
        collectstatic: bool = True,
        log_path: Path | None = None,
        app: str = "config.wsgi:application",
        config: str = "python:config.gunicorn",
    ) -> None:
        cores = os.cpu_count() or 1
        self.workers = workers or int(os.environ.get("BENCH_WORKERS", 2 * cores))
        self.threads = threads or int(os.environ.get("BENCH_THREADS", 2))
        self.worker_class = worker_class
        self.port = port or free_port()
        self.startup_timeout = startup_timeout
        self.collectstatic = collectstatic
        self.env = env or bench_env()
        self.log_path = log_path or Path(tempfile.gettempdir()) / "chatrealty-bench" / f"gunicorn-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.app, self.config = app, config  # config.asgi + config.gunicorn_asgi: the chat service

    @classmethod
    def chat_service(cls, *, env: dict[str, str], workers: int, startup_timeout: float) -> BenchServer:
        """The chat service as production runs it beside the WSGI app (platform/Procfile: gunicorn
        with uvicorn workers, ``config.asgi``), no static files."""
        return cls(
            workers=workers,
            worker_class="uvicorn.workers.UvicornWorker",
            app="config.asgi:application",
            config="python:config.gunicorn_asgi",
            env=env,
            collectstatic=False,
            startup_timeout=startup_timeout,
        )

    @property
    def threaded(self) -> bool:
        return self.worker_class in ("gthread", "config.gunicorn_worker.SheddingThreadWorker")

    # -- public ------------------------------------------------------------------------
    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> BenchServer:
        if self.collectstatic:
            self.env["BENCH_STATIC_ROOT"] = str(static_collected(self.env))
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        cmd = [
            GUNICORN,
            "-c",
            self.config,
            self.app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            *(["--threads", str(self.threads)] if self.threaded else []),
            "--keep-alive",
            "10",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
        ]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self._wait_healthy()
        return self

    def warm(self, path: str = "/", host: str = "localhost", timeout: float = 120.0) -> tuple[int, bytes]:
        """Request ``path`` until every worker has answered it once (each gunicorn worker
        imports URLconfs and compiles templates on its first request: seconds on a loaded
        machine); returns the last answer."""
        answer: tuple[int, bytes] = (0, b"")
        deadline = time.monotonic() + timeout
        for _ in range(self.workers * self.threads * 2):
            answer = self.get(path, host=host, timeout=max(1.0, deadline - time.monotonic()))
        return answer

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # gunicorn's master and its workers (own group)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def get(self, path: str = "/", host: str = "localhost", timeout: float = 10.0) -> tuple[int, bytes]:
        """One plain request (for sanity checks before a load run)."""
        req = urllib.request.Request(self.url(path), headers={"Host": host})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) used so far by gunicorn's master and its live workers."""
        total = 0.0
        for pid in ([self.proc.pid] if self.proc else []) + self.worker_pids():
            try:
                total += process_cpu_s(pid)
            except OSError:
                continue  # exited meanwhile
        return {"server_cpu_s": total}

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def __enter__(self) -> BenchServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # -- internals -----------------------------------------------------------------------
    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last: Any = None
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); log: {self._log_tail()}")
            try:
                status, body = self.get("/healthz", host="127.0.0.1", timeout=2)
                last = (status, body[:500])
                if status == 200:
                    return
            except OSError as exc:
                last = exc
            time.sleep(0.2)
        raise RuntimeError(f"server not healthy after {self.startup_timeout}s: {last!r}; log: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


def main() -> None:
    with BenchServer(port=int(os.environ.get("BENCH_PORT", "0")) or None) as server:
        status, body = server.get("/healthz", host="127.0.0.1")
        print(f"serving {server.url('/')} ({server.workers} × {server.threads} gthread); healthz {status}")
        print(json.dumps(json.loads(body)))
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
