"""The listings store fails fast while it restarts (listings/store.py): once a reachable
server goes away, reads raise ``StoreUnavailable`` at once instead of holding the request's
thread for the selection timeout, and they work again within about a second of its return.
Against a private SecantusDB, restarted for real."""

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
pytestmark = pytest.mark.skipif(
    not Path(SECANTUSD).exists() and not shutil.which("secantusd-py"), reason="no SecantusDB"
)


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


@pytest.fixture
def store_server(tmp_path: Path, settings: Any) -> Iterator[Server]:
    server = Server(_free_port(), tmp_path / "secantus")
    server.start()
    settings.MONGODB_URI = f"mongodb://127.0.0.1:{server.port}"
    settings.MONGODB_DB = "breaker_test"
    try:
        yield server
    finally:
        server.stop()


def _read() -> Any:
    return get_db()["t"].find_one({"_id": 1})


def test_reads_fail_fast_while_the_store_restarts_and_recover(store_server: Server) -> None:
    get_db()["t"].insert_one({"_id": 1, "v": "x"})
    assert _read()["v"] == "x"
    store_server.stop()
    deadline = time.monotonic() + 15
    while True:  # the first read after the loss finds out (its connection fails)
        try:
            _read()
        except StoreUnavailable:
            break
        except PyMongoError:
            pass
        assert time.monotonic() < deadline, "the breaker never opened"
        time.sleep(0.05)
    started = time.perf_counter()
    for _ in range(20):
        with pytest.raises(StoreUnavailable):
            _read()
    assert (time.perf_counter() - started) / 20 < 0.05  # no selection timeout waited
    store_server.start()
    back = time.monotonic()
    while True:
        try:
            assert _read()["v"] == "x"
            break
        except PyMongoError:
            assert time.monotonic() - back < 10, "reads did not recover within 10 s of the store's return"
            time.sleep(0.05)
