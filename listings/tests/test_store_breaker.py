"""The listings store fails fast while it restarts (listings/store.py): once a reachable
server goes away, reads raise ``StoreUnavailable`` at once instead of holding the request's
thread for the selection timeout, and they work again within about a second of its return.
Against a private SecantusDB, restarted for real."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pymongo.errors import PyMongoError

from listings.store import StoreUnavailable, get_db
from listings.tests.conftest import Server


def _read() -> Any:
    return get_db()["t"].find_one({"_id": 1})


def test_reads_fail_fast_while_the_store_restarts_and_recover(store_server: Server) -> None:
    get_db()["t"].insert_one({"_id": 1, "v": "x"})
    assert _read()["v"] == "x"
    store_server.lost()
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
