"""Each checkout's development services are its own (config/checkout.py, platform/services.sh):
a second clone or worktree never writes into the first's store, database or Redis."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from config.checkout import ROOT, checkout_id, dev_services


def test_two_checkouts_get_different_services(tmp_path: Path) -> None:
    here, other = dev_services(ROOT), dev_services(tmp_path / "chatrealty")
    for key in ("DEV_DATABASE_NAME", "SECANTUS_PORT", "REDIS_PORT", "MONGODB_URI", "REDIS_URL", "DATABASE_URL"):
        assert here[key] != other[key], key
    assert dev_services(ROOT) == here, "derivation is stable"
    assert 20000 <= int(here["SECANTUS_PORT"]) < 32000 and int(here["REDIS_PORT"]) == int(here["SECANTUS_PORT"]) + 1


def test_settings_default_to_this_checkouts_services() -> None:
    """With nothing set in the environment, every dev and test process finds this checkout's
    services; production settings get none of these defaults."""
    names = {"MONGODB_URI", "REDIS_URL", "DATABASE_URL", "TEST_DATABASE_NAME", "SECANTUS_PORT", "REDIS_PORT"}
    clean = {k: v for k, v in os.environ.items() if k not in names and not k.startswith("DJANGO_")}
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.MONGODB_URI, s.REDIS_URL, s.DATABASES['default']['NAME'], s.DATABASES['default']['TEST']['NAME']]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    services = dev_services()
    assert json.loads(out.strip().splitlines()[-1]) == [
        services["MONGODB_URI"],
        services["REDIS_URL"],
        services["DEV_DATABASE_NAME"],
        services["TEST_DATABASE_NAME"],
    ]
    assert services["TEST_DATABASE_NAME"] == f"test_chatrealty_{checkout_id()}"


def test_services_refuse_a_port_held_by_someone_else() -> None:
    """A port this checkout did not start a service on is reported, not silently shared."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = {**os.environ, "SECANTUS_PORT": str(port)}
        result = subprocess.run(
            ["bash", str(ROOT / "platform" / "services.sh"), "start"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"port {port} is taken by a process that is not this checkout's" in result.stderr
