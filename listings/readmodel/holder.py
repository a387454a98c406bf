"""One collection's read model in one process: ``Holder``.

It loads or maps the model on first use, swaps in each new version atomically (readers just
take ``holder.get()``), and with a shared snapshot directory (``snapshot.py``) leads (builds,
applies the change events, publishes) or follows (maps what the leader publishes). A new
leader adopts the last published version when no change event can be missing from it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from pymongo.database import Database

from . import offload, snapshot
from .model import Mark, ReadModel
from .reader import fetch, load, release_free_memory
from .refresh import Event, EventLog, event_keys, mark_advance
from .snapshot import SharedDir

log = logging.getLogger(__name__)

CLOSED = "closed"  # mirrors listings.store (kept import-light for tests)


class Holder:
    """The current snapshot of one collection's read model.

    With a ``shared`` directory (``snapshot.SharedDir``) the processes of a host share one
    mapped copy: the leader builds it from the store, applies the change events and
    publishes each version; followers map the current version and remap when it changes
    (``poll``, from the watcher thread). ``lead=False`` (no event subscriber in this
    process) never leads: it follows a leader or, without one, loads its own model. Without
    ``shared`` (or when the directory is unusable) each process loads its own model.
    """

    def __init__(
        self,
        *,
        collection: str,
        db: Callable[[], Database],
        shared: SharedDir | None = None,
        lead: bool = True,
        position: Callable[[], Mark | None] | None = None,
    ) -> None:
        self.collection = collection
        self._db = db
        # The change channel's newest position (None: unknown), read before each build, and the
        # events this process received (set with its refresher): together they let a new leader
        # adopt the last snapshot instead of rebuilding (``_adopt``).
        self._position = position
        self.events: EventLog | None = None
        self._model: ReadModel | None = None
        self._lock = threading.Lock()  # serialises loads and swaps, never reads
        self.shared = shared
        self.lead = lead
        self.wait_s = 300.0  # how long a follower waits for a leader's first version

    def get(self) -> ReadModel:
        model = self._model
        if model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._first_model()
                model = self._model
        return model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def leading(self) -> bool:
        return self.shared is not None and self.shared.leading

    @property
    def following(self) -> bool:
        """Mapping a version another process maintains (events are that process's job)."""
        return (
            self.shared is not None
            and not self.shared.leading
            and self._model is not None
            and self._model.snapshot is not None
        )

    # ---- shared snapshots (callers hold self._lock) ------------------------------------
    def _unshare(self, error: BaseException) -> None:
        log.warning(
            "read model snapshots unusable at %s (%s): this process loads its own model",
            self.shared and self.shared.root,
            error,
        )
        if self.shared is not None:
            self.shared.resign()
        self.shared = None

    def _position_now(self) -> Mark | None:
        if self._position is None:
            return None
        try:
            return self._position()
        except Exception as e:  # Redis away: the model's position is unknown, never guessed
            log.warning("read model %s: change channel position unknown (%s)", self.collection, e)
            return None

    def _build(self) -> ReadModel:
        """A fresh model from the store; the leader publishes it and serves the mapped copy."""
        mark = self._position_now()  # before reading: every event up to it is in what we read
        model = load(db=self._db(), collection=self.collection)
        model.mark = mark
        return self._publish(model) if self.leading else model

    def _publish(self, model: ReadModel) -> ReadModel:
        assert self.shared is not None
        try:
            mapped = snapshot.open_snapshot(self.shared.publish(model))
        except (OSError, snapshot.SnapshotError) as e:
            self.shared.retract()
            self._unshare(e)
            return model
        del model
        release_free_memory()
        return mapped

    def _lead(self, *, adopt: bool = False) -> ReadModel:
        assert self.shared is not None
        log.info("read model %s: leading %s (pid %d)", self.collection, self.shared.root, os.getpid())
        if adopt and (adopted := self._adopt()) is not None:
            return adopted
        self.shared.retract()  # events may have been missed while nobody led: rebuild
        return self._build()

    def _adopt(self) -> ReadModel | None:
        """Take over the last published snapshot when this process received every event
        published since it was written (the dead leader's last version and what it had not
        applied yet), replaying those; None when any is missing (the caller rebuilds)."""
        assert self.shared is not None
        try:
            current = self.shared.open_current()
        except (OSError, snapshot.SnapshotError):
            return None
        now = self._position_now()
        mark = current.mark if current is not None else None
        if current is None or mark is None or now is None or now.epoch != mark.epoch:
            return None
        if now.seq == mark.seq:
            missed: list[tuple[Mark, Event]] | None = []  # nothing published since it was written
        else:
            missed = self.events.after(mark, through=now.seq) if self.events is not None else None
        if missed is None:
            return None
        started = time.perf_counter()
        upsert, remove = event_keys((e for _, e in missed), closed=self.collection == CLOSED)
        model = self._apply(current, upsert=upsert, remove=remove, marks=[m for m, _ in missed])
        log.info(
            "read model %s: adopted %s, %d event(s) replayed in %.3fs",
            self.collection,
            current.snapshot,
            len(missed),
            time.perf_counter() - started,
        )
        return model

    def _first_model(self) -> ReadModel:
        if self.shared is None:
            return load(db=self._db(), collection=self.collection)
        deadline = time.monotonic() + self.wait_s
        try:
            while True:
                if self.lead and self.shared.try_lead():
                    return self._lead(adopt=True)
                if not self.lead and not self.shared.leader_alive():
                    return load(db=self._db(), collection=self.collection)
                mapped = self.shared.open_current()
                if mapped is not None:
                    return mapped
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no snapshot from the leader within {self.wait_s:.0f}s")
                time.sleep(0.05)  # the leader is building its first version
        except (OSError, snapshot.SnapshotError) as e:
            self._unshare(e)
            return load(db=self._db(), collection=self.collection)

    def poll(self) -> ReadModel | None:
        """Follower step (watcher thread): take over from a dead leader, or map a newer
        version. Returns the new model when it changed."""
        with self._lock:
            if self.shared is None or self._model is None or self.shared.leading:
                return None
            try:
                if self.lead and self.shared.try_lead():
                    self._model = self._lead(adopt=True)
                    return self._model
                name = self.shared.current()
                if name is None:
                    if not self.lead and self._model.snapshot is not None and not self.shared.leader_alive():
                        self._model = load(db=self._db(), collection=self.collection)  # orphaned: own copy
                        return self._model
                    return None
                if name == self._model.snapshot:
                    return None
                mapped = self.shared.open_current()
            except (OSError, snapshot.SnapshotError) as e:
                self._unshare(e)
                return None
            if mapped is None:
                return None
            self._model = mapped
            return mapped

    # ---- loads and events --------------------------------------------------------------
    def reload(self) -> ReadModel:
        with self._lock:
            if self.following:  # the leader reloads; map whatever it publishes
                assert self.shared is not None
                with contextlib.suppress(OSError, snapshot.SnapshotError):
                    self._model = self.shared.open_current() or self._model
                assert self._model is not None
                return self._model
            self._model = self._build()
            return self._model

    def refresh(self, *, upsert: Iterable[str], remove: Iterable[str], marks: Iterable[Mark] = ()) -> ReadModel | None:
        """Re-read ``upsert`` keys (a key no longer in the store is removed) and drop ``remove``;
        ``marks`` are the positions of the events asking it."""
        with self._lock:
            if self._model is None:
                return None  # not loaded yet: the first load will read the fresh data
            if self.following:
                return self._model  # the leader applies it and publishes; ``poll`` remaps
            marks = list(marks)
            have = self._model.mark
            if marks and have is not None and all(m.epoch == have.epoch and m.seq <= have.seq for m in marks):
                return self._model  # already read (a build or an adoption after they were published)
            self._model = self._apply(self._model, upsert=upsert, remove=remove, marks=marks)
            return self._model

    def _apply(
        self, model: ReadModel, *, upsert: Iterable[str], remove: Iterable[str], marks: Iterable[Mark]
    ) -> ReadModel:
        """``model`` with the keys re-read and dropped, published when leading."""
        upsert, remove = set(upsert), set(remove)
        mark = mark_advance(model.mark, marks)
        docs = fetch(db=self._db(), collection=self.collection, keys=upsert)
        gone = upsert - {d["listingKey"] for d in docs}
        present = [k for k in remove | gone if model.row_of_key(k) is not None]
        if not docs and not present:
            model.mark = mark  # nothing of ours (e.g. another database's sync): no rebuild
            return model
        if self.leading and model.snapshot is not None and (mapped := self._apply_in_child(model, docs, present, mark)):
            return mapped
        new = model.apply_changes(changed=docs, removed=present)
        new.mark = mark
        new = self._publish(new) if self.leading else new
        release_free_memory()
        return new

    def _apply_in_child(
        self, model: ReadModel, docs: list[dict[str, Any]], removed: list[str], mark: Mark | None
    ) -> ReadModel | None:
        """The next version written by a child process (``offload.py``) and mapped here; None
        when that failed (the caller applies in this process)."""
        assert self.shared is not None and model.snapshot is not None
        try:
            staging = self.shared.stage()
        except OSError:
            return None
        current = self.shared.root / model.snapshot
        if not offload.apply_in_child(current=current, staging=staging, changed=docs, removed=removed, mark=mark):
            shutil.rmtree(staging, ignore_errors=True)
            return None
        try:
            return snapshot.open_snapshot(self.shared.commit(staging))
        except (OSError, snapshot.SnapshotError) as e:
            log.warning("read model %s: version from the child process unusable (%s)", self.collection, e)
            shutil.rmtree(staging, ignore_errors=True)
            return None
