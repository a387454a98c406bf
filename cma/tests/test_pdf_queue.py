"""Report PDFs go to a queue of their own: a worker started without ``--queues`` (the demo)
consumes both, and every production process definition runs a low-priority worker for it, so
a backlog of renders never holds a sync or an alert behind it, nor slows the web workers."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from config.celery import app

PLATFORM = Path(__file__).resolve().parents[2] / "platform"


def test_pdf_renders_have_their_own_queue_and_workers_consume_both() -> None:
    assert app.amqp.router.route({}, "cma.render_pdf")["queue"].name == "reports"
    assert app.amqp.router.route({}, "mls_sync.sync")["queue"].name == "celery"
    assert app.amqp.router.route({}, "listings.alerts_on_changed")["queue"].name == "celery"
    assert {q.name for q in app.amqp.queues.consume_from.values()} == {"celery", "reports"}


def _workers(commands: list[list[str]]) -> dict[str, bool]:
    """Queue -> is its worker niced, over the Celery worker command lines given."""
    out: dict[str, bool] = {}
    for argv in commands:
        if "worker" not in argv or "celery" not in " ".join(argv):
            continue
        queues = argv[argv.index("-Q") + 1] if "-Q" in argv else "celery,reports"
        niced = argv[:3] == ["nice", "-n", "10"]
        for q in queues.split(","):
            out[q] = niced
    return out


def test_every_process_definition_runs_the_reports_queue_at_low_priority() -> None:
    procfile = [
        shlex.split(line.split(":", 1)[1])[1:]  # after the DJANGO_SETTINGS_MODULE assignment
        for line in (PLATFORM / "Procfile").read_text().splitlines()
        if re.match(r"^\w+:", line)
    ]
    assert _workers(procfile) == {"celery": False, "reports": True}
    compose = yaml.safe_load((PLATFORM / "compose.yaml").read_text())["services"]
    assert _workers([s["command"] for s in compose.values() if isinstance(s.get("command"), list)]) == {
        "celery": False,
        "reports": True,
    }
    # A container or a unit is a cgroup, shared by weight before nice counts: the reports' is low.
    assert {n: s.get("cpu_shares", 1024) < 1024 for n, s in compose.items()} == {n: n == "reports" for n in compose}
    units = {}
    for name in ("worker", "reports"):
        text = (PLATFORM / "systemd" / f"chatrealty-{name}.service").read_text()
        argv = shlex.split(re.search(r"^ExecStart=(.*)$", text, re.M).group(1))  # type: ignore[union-attr]
        nice = re.search(r"^Nice=(\d+)$", text, re.M)
        weight = re.search(r"^CPUWeight=(\d+)$", text, re.M)
        low = nice is not None and int(nice.group(1)) >= 10 and weight is not None and int(weight.group(1)) <= 20
        units.update(dict.fromkeys(_workers([argv]), low))
    web = (PLATFORM / "systemd" / "chatrealty-web.service").read_text()
    assert not re.search(r"^(Nice|CPUWeight)=", web, re.M)
    assert units == {"celery": False, "reports": True}
