"""Read-model snapshots on local disk, shared by the processes of one host.

One process (the *leader*: whoever holds ``flock`` on ``leader.lock``) builds the model from
the store, writes its arrays to ``v<version>/`` and points ``CURRENT`` at it; every other
process (*followers*) maps the arrays with ``np.load(mmap_mode="r")``, so N workers share one
copy in the page cache and a new worker is ready in a fraction of a second. Layout of
``<root>`` (one per store database and collection)::

    leader.lock       flock LOCK_EX held by the leader for its whole life (the kernel drops
                      it when the process dies, so leadership can never be stuck)
    CURRENT           name of the newest published version, replaced atomically
    v000000000042/    meta.json + one .npy per array (+ .bin/.npy pairs for strings)
    .tmp-*/           a version being written; renamed to v*/ only when complete

Correctness rules:

* A version directory appears only by ``rename`` of a complete temporary directory, and
  ``meta.json`` lists every file with its size; ``open_snapshot`` refuses anything else, so a
  half-written or truncated snapshot is never mapped.
* ``CURRENT`` exists only while it is maintained. A process that becomes the leader adopts it
  when it can show no change event is missing from it: none was published since it was written
  (``meta.json``'s ``events`` mark against the channel's count), or every one since is in the
  process's own event log, and it replays those (``holder.Holder``). Otherwise (events published
  while nobody was subscribed are lost) the new leader deletes it before rebuilding and
  followers wait for the next one.
* Old versions are deleted after ``GRACE_S`` (the newest two are always kept). Unlinking a
  mapped file is safe on Linux: a process that still maps it keeps its pages.

Strings (numpy StringDType cannot be mapped) are stored as one UTF-8 blob plus character
offsets and rebuilt per process; they are a small part of the model (keys, slugs,
addresses, photo URLs and the text vocabulary).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from .columns import STR, Dictionary
from .model import DERIVED, Mark, ReadModel
from .normalize import fold
from .textindex import TextIndex

log = logging.getLogger(__name__)

FORMAT = 2  # 2: garage and condition columns (CMA)
GRACE_S = 60.0  # old versions live this long after being replaced (readers between steps)
_VERSION = re.compile(r"^v(\d{12})$")


class SnapshotError(Exception):
    """A snapshot directory that is missing, incomplete or not of this format."""


def root_for(base: str | os.PathLike[str], *, db_name: str, collection: str) -> Path:
    """``<base>/<db>/<collection>``, with anything unusual in the names replaced."""

    def safe(s: str) -> str:
        return re.sub(r"[^A-Za-z0-9_.-]", "_", s) or "_"

    return Path(base) / safe(db_name) / safe(collection)


# ---- writing and mapping one version -------------------------------------------------------
def _save_strings(directory: Path, stem: str, arr: np.ndarray, files: dict[str, int]) -> None:
    values = arr.tolist()
    blob = "".join(values).encode("utf-8", "surrogatepass")
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, values), np.int64, len(values)), out=offsets[1:])
    (directory / f"{stem}.bin").write_bytes(blob)
    np.save(directory / f"{stem}.off.npy", offsets)
    files[f"{stem}.bin"] = len(blob)
    files[f"{stem}.off.npy"] = (directory / f"{stem}.off.npy").stat().st_size


def _save_array(directory: Path, stem: str, arr: np.ndarray, files: dict[str, int]) -> None:
    path = directory / f"{stem}.npy"
    np.save(path, np.ascontiguousarray(arr))
    files[path.name] = path.stat().st_size


def write_snapshot(model: ReadModel, directory: Path) -> None:
    """Write ``model`` into the new, empty ``directory`` (meta.json last)."""
    files: dict[str, int] = {}
    kinds: dict[str, str] = {}
    for name, arr in model.cols.items():
        if arr.dtype == STR:
            _save_strings(directory, f"col.{name}", arr, files)
            kinds[name] = "str"
        else:
            _save_array(directory, f"col.{name}", arr, files)
            kinds[name] = "array"
    for name in DERIVED:
        _save_array(directory, f"derived.{name}", getattr(model, name), files)
    _save_strings(directory, "text.vocab", model.text.vocab, files)
    _save_array(directory, "text.offsets", model.text.offsets, files)
    _save_array(directory, "text.rows", model.text.rows, files)
    meta = {
        "format": FORMAT,
        "size": model.size,
        "columns": kinds,
        "dicts": {name: d.values for name, d in model.dicts.items()},
        "files": files,
        "pid": os.getpid(),
        "written": time.time(),
        # The events it reflects: a new leader adopts it and replays only what came after.
        "events": list(model.mark) if model.mark is not None else None,
        "lineage": model.lineage,
    }
    (directory / "meta.json").write_text(json.dumps(meta))


def _map(path: Path) -> np.ndarray:
    """The file's pages, shared with every process mapping it, as a plain ndarray view:
    ``np.memmap``'s Python-level ``__getitem__`` would run on every indexing."""
    try:
        return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
    except ValueError:  # numpy cannot map an empty array: nothing to share anyway
        return np.load(path, allow_pickle=False)


def _load_strings(directory: Path, stem: str) -> np.ndarray:
    text = (directory / f"{stem}.bin").read_bytes().decode("utf-8", "surrogatepass")
    offsets = np.load(directory / f"{stem}.off.npy", allow_pickle=False).tolist()
    return np.array([text[a:b] for a, b in pairwise(offsets)], dtype=STR)


def _dictionary(values: list[Any]) -> Dictionary:
    d = Dictionary()
    d.values = [None, *values[1:]]
    d.codes = {f: i for i, v in enumerate(d.values) if (f := fold(v)) is not None}
    return d


def open_snapshot(directory: Path) -> ReadModel:
    """Map a complete version directory; ``SnapshotError`` for anything else."""
    try:
        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("format") != FORMAT:
            raise SnapshotError(f"{directory}: format {meta.get('format')!r}, expected {FORMAT}")
        for name, size in meta["files"].items():
            if (directory / name).stat().st_size != size:
                raise SnapshotError(f"{directory / name}: truncated or rewritten")
        cols = {
            name: _map(directory / f"col.{name}.npy") if kind == "array" else _load_strings(directory, f"col.{name}")
            for name, kind in meta["columns"].items()
        }
        derived = {name: _map(directory / f"derived.{name}.npy") for name in DERIVED}
        text = TextIndex(
            _load_strings(directory, "text.vocab"),
            _map(directory / "text.offsets.npy"),
            _map(directory / "text.rows.npy"),
        )
        dicts = {name: _dictionary(values) for name, values in meta["dicts"].items()}
    except SnapshotError:
        raise
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        raise SnapshotError(f"{directory}: {e}") from e
    if any(len(a) != meta["size"] for a in (*cols.values(), *derived.values())):
        raise SnapshotError(f"{directory}: column lengths differ from size {meta['size']}")
    model = ReadModel(cols=cols, dicts=dicts, text=text, derived=derived)
    model.snapshot = directory.name
    model.mark = _mark(meta.get("events"))
    if isinstance(meta.get("lineage"), str):
        model.lineage = meta["lineage"]
    return model


def _mark(value: Any) -> Mark | None:
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and type(value[1]) is int:
        return Mark(value[0], value[1])
    return None


# ---- the shared directory of one collection ------------------------------------------------
class SharedDir:
    """Leadership, publication and garbage collection of one collection's snapshots."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock_fd: int | None = None

    # leadership
    @property
    def leading(self) -> bool:
        return self._lock_fd is not None

    def try_lead(self) -> bool:
        """Become the leader if nobody is (non-blocking). Creates the directory."""
        if self._lock_fd is not None:
            return True
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / "leader.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    def leader_alive(self) -> bool:
        """Whether another process leads (never creates anything, never keeps the lock)."""
        try:
            fd = os.open(self.root / "leader.lock", os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing drops a lock we may have taken
        return False

    def resign(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # versions
    def current(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return name if _VERSION.match(name) else None

    def versions(self) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.root) if _VERSION.match(e.name) and e.is_dir())
        except FileNotFoundError:
            return []

    def retract(self) -> None:
        """Leader only: the published snapshot may be stale; followers must wait for the next."""
        with contextlib.suppress(FileNotFoundError):
            (self.root / "CURRENT").unlink()

    def publish(self, model: ReadModel) -> Path:
        """Leader only: write ``model`` as the next version and make it current."""
        assert self.leading, "only the leader publishes"
        staging = self.stage()
        try:
            write_snapshot(model, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self.commit(staging)

    def stage(self) -> Path:
        """A new, empty temporary directory to write the next version into (any process may
        write it; ``commit`` makes it a version)."""
        staging = self.root / f".tmp-{os.getpid()}-{secrets.token_hex(4)}"
        staging.mkdir(parents=True)
        return staging

    def commit(self, staging: Path) -> Path:
        """Leader only: the complete ``staging`` directory becomes the next version, current."""
        assert self.leading, "only the leader publishes"
        existing = self.versions()
        number = int(existing[-1][1:]) + 1 if existing else 1
        name = f"v{number:012d}"
        try:
            os.rename(staging, self.root / name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        pointer = self.root / f".CURRENT-{os.getpid()}"
        pointer.write_text(name)
        os.replace(pointer, self.root / "CURRENT")
        self.collect(keep=name)
        return self.root / name

    def collect(self, *, keep: str, now: float | None = None) -> list[str]:
        """Delete versions older than the two newest once unused for ``GRACE_S``, and
        temporary directories of writers that died (older than ten minutes)."""
        now = time.time() if now is None else now
        removed = []
        newest = set(self.versions()[-2:]) | {keep}
        for e in os.scandir(self.root):
            try:
                age = now - e.stat().st_mtime
            except FileNotFoundError:
                continue
            old_version = _VERSION.match(e.name) and e.name not in newest and age > GRACE_S
            dead_tmp = e.name.startswith(".tmp-") and age > 600
            if e.is_dir() and (old_version or dead_tmp):
                shutil.rmtree(e.path, ignore_errors=True)
                removed.append(e.name)
        return removed

    def open_current(self) -> ReadModel | None:
        """The current version mapped, or None when there is none (yet)."""
        for _ in range(3):  # a version replaced and collected between the two reads: retry
            name = self.current()
            if name is None:
                return None
            try:
                return open_snapshot(self.root / name)
            except SnapshotError:
                if self.current() == name:
                    raise
        return None
