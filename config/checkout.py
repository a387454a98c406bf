"""This checkout's own development services: names and ports derived from its path.

Two checkouts on one machine (a second clone, a git worktree) must never share a listings store,
a database or a Redis: a second checkout's ``make demo`` once wrote into the first's. So every
checkout gets its own PostgreSQL database name, its own SecantusDB port and storage (under its
``var/``) and its own Redis server port, all derived from the checkout's absolute path.
``platform/services.sh`` starts the services on these ports; ``config/env.py`` offers them as
defaults to every non-production process (a value in the environment or ``.env`` wins).

Standard library only: the shell scripts run it before the virtualenv has the app's packages.

    python -m config.checkout          # KEY=value lines for the shell (``eval``); the environment wins
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Ports come in pairs (SecantusDB, Redis) from 20000-31999: below the range Linux hands out to
# outgoing connections (32768+), so a client socket never takes one; services.sh checks who
# owns a busy port.
_PORT_BASE = 20000
_PORT_PAIRS = 6000


def checkout_id(root: Path = ROOT) -> str:
    """Six hex digits naming this checkout, stable across runs."""
    return hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:6]


def dev_services(root: Path = ROOT) -> dict[str, str]:
    """The values of this checkout's services, as environment variables."""
    cid = checkout_id(root)
    mongo_port = _PORT_BASE + 2 * (int(cid, 16) % _PORT_PAIRS)
    redis_port = mongo_port + 1
    database = f"chatrealty_{cid}"
    return {
        "CHECKOUT_ID": cid,
        "SECANTUS_PORT": str(mongo_port),
        "REDIS_PORT": str(redis_port),
        "DEV_DATABASE_NAME": database,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "MONGODB_URI": f"mongodb://127.0.0.1:{mongo_port}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "TEST_DATABASE_NAME": f"test_{database}",
    }


def apply_defaults(environ: os._Environ[str] | dict[str, str] = os.environ) -> None:
    """Offer this checkout's services as defaults; anything already set wins."""
    for key, value in dev_services().items():
        environ.setdefault(key, value)


if __name__ == "__main__":
    # What the shell scripts use: this checkout's values, unless the environment sets them.
    sys.stdout.write("".join(f"{key}={os.environ.get(key, value)}\n" for key, value in dev_services().items()))
