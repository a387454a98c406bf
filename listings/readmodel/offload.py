"""The leader's work on a new snapshot version, in a child process at a lower CPU priority.

Applying a sync's changes to the model (``ReadModel.apply_changes``: ~0.6 s of CPU for 2,000
changed listings, most of it Python holding the GIL) and writing the next version used to run
on the leader's refresher thread, inside a web worker: for that time the worker's request
threads shared its GIL with the apply, and with the host's cores busy every worker's requests
queued past the load-shedding limit (the mixed benchmark's errors as a sync finished). Here a
child process maps the current version, applies the changes the leader read from the store and
writes the result into a staging directory; the leader only commits it (a rename) and maps it.
The child runs at ``nice`` 10, so under contention the web's requests go first.

The child comes from a ``forkserver`` (a clean interpreter that imports only this module and
numpy, never a fork of a threaded web worker) and is kept for the next event.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .model import Mark
from .snapshot import open_snapshot, write_snapshot

log = logging.getLogger(__name__)

NICE = 10
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _lower_priority() -> None:
    os.nice(NICE)


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload([__name__])
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_lower_priority)
        return _pool


def _reset() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def apply_to_version(
    current: str, staging: str, changed: Sequence[Mapping[str, Any]], removed: Sequence[str], mark: Mark | None
) -> None:
    """In the child: ``current`` (a version directory) with the changes, written to ``staging``."""
    model = open_snapshot(Path(current)).apply_changes(changed=changed, removed=removed)
    model.mark = mark
    write_snapshot(model, Path(staging))


def apply_in_child(
    *, current: Path, staging: Path, changed: Sequence[Mapping[str, Any]], removed: Sequence[str], mark: Mark | None
) -> bool:
    """Run ``apply_to_version`` in the child; False when the child could not (the caller then
    applies in this process: a version is never skipped)."""
    try:
        future = _executor().submit(apply_to_version, str(current), str(staging), list(changed), list(removed), mark)
        future.result(timeout=300)
        return True
    except Exception as e:  # a broken pool, a killed child, a timeout: start a new one next time
        log.warning("read model apply in a child process failed (%s); applying here", e)
        _reset()
        return False
