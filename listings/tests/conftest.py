"""A private SecantusDB for the tests that stop the listings store for real
(``test_store_breaker``, ``test_outage_answers``)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo.errors import PyMongoError

from listings.store import StoreUnavailable, get_db

SECANTUSD = str(Path(sys.executable).parent / "secantusd-py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, port: int, storage: Path) -> None:
        self.port, self.storage = port, storage
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [SECANTUSD, "--host", "127.0.0.1", "--port", str(self.port), "--storage-path", str(self.storage)]
        self.proc = subprocess.Popen([*cmd, "--log-level", "WARNING"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            assert time.monotonic() < deadline, "SecantusDB did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(30)
            self.proc = None

    def lost(self) -> None:
        """Stop the server and wait until the store's breaker knows: the first read after the
        loss finds out (its connection fails), the next ones raise ``StoreUnavailable``."""
        self.stop()
        deadline = time.monotonic() + 15
        while True:
            try:
                get_db()["t"].find_one({"_id": 1})
            except StoreUnavailable:
                return
            except PyMongoError:
                pass
            assert time.monotonic() < deadline, "the breaker never opened"
            time.sleep(0.05)


@pytest.fixture
def store_server(tmp_path: Path, settings: Any) -> Iterator[Server]:
    """The listings store (``get_db()``) on a private SecantusDB of this test's own."""
    if not Path(SECANTUSD).exists() and not shutil.which("secantusd-py"):
        pytest.skip("no SecantusDB")
    server = Server(_free_port(), tmp_path / "secantus")
    server.start()
    settings.MONGODB_URI = f"mongodb://127.0.0.1:{server.port}"
    settings.MONGODB_DB = "breaker_test"
    try:
        yield server
    finally:
        server.stop()
