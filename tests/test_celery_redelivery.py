"""A task held by a Celery worker that dies (SIGKILL, OOM) runs again, after the broker's
visibility timeout (``CELERY_VISIBILITY_TIMEOUT``, config/settings/celery.py), on the next worker.

Tasks are acknowledged late, so the Redis transport keeps a delivered message in its "unacked"
set until the task finishes; a killed worker never finishes it, and only a later worker's
restore scan hands it back, once the message is older than the visibility timeout (kombu's
default is an hour: the mixed benchmark's alerts lost with a killed worker). Here a process
takes the message as a worker does and is SIGKILLed; a real worker (the production command
line, its settings read from the environment) started after the timeout runs it.

A queue of this test's own, so nothing else on the checkout's broker is touched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")
VISIBILITY_S = 2

# Takes one message from the queue without acknowledging it (as a worker running an acks-late
# task holds it), says so, then waits to be killed.
HOLDER = """
import sys, time
from config.celery import app
with app.connection_for_read() as conn:
    queue = conn.SimpleQueue(sys.argv[1], no_ack=False)
    message = queue.get(timeout=20)
    print("holding", message.headers.get("id"), flush=True)
    time.sleep(120)
"""


def _env(queue: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_S),
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture
def queue() -> Iterator[str]:
    from config.celery import app

    name = f"redelivery-{uuid.uuid4().hex[:8]}"
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False  # a real message
    yield name
    app.conf.task_always_eager = eager
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(name)


def _worker_ran(log: Path, task_id: str, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if f"tenants.current_schema[{task_id}] succeeded" in text:
            return True
        time.sleep(0.25)
    return False


def test_a_killed_workers_task_runs_on_the_next_worker(queue: str, tmp_path: Path) -> None:
    from config.celery import app

    env = _env(queue)
    task_id = app.send_task("tenants.current_schema", kwargs={"schema_name": "public"}, queue=queue).id

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, queue], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline()
        assert line.split() == ["holding", task_id], line
        unacked = redis.Redis.from_url(settings.CELERY_BROKER_URL).hlen("unacked")
        assert unacked >= 1  # held, not acknowledged: the broker still has it
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # dies holding it: no ack, no graceful restore
        holder.wait(timeout=10)

    time.sleep(VISIBILITY_S + 0.5)  # the message is now older than the visibility timeout
    log = tmp_path / "worker.log"
    cmd = [CELERY, "-A", "config", "worker", "-l", "INFO", "-Q", queue, "--pool", "solo"]
    cmd += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--logfile", str(log)]
    worker = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        assert _worker_ran(log, task_id, timeout=60), log.read_text(errors="replace")[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_the_visibility_timeout_reaches_the_broker_transport() -> None:
    """The setting is what the app's broker connections use (not kombu's hour)."""
    from config.celery import app

    with app.connection_for_read() as conn:
        channel = conn.default_channel
        configured = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        assert channel.visibility_timeout == configured != 3600
