"""Values derived from one read-model snapshot, memoised per process (similar-home pools, card
HTML, city and subdivision stats)."""

from __future__ import annotations

from typing import Any


class SnapshotMemo:
    """Values derived from one read-model snapshot, per process. Keys carry the snapshot
    version, so a value is never served for another snapshot; storing for a new snapshot (or
    past ``max_entries``) starts a fresh dict (a reference swap: safe with worker threads)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.version: int | None = None
        self.data: dict[tuple[Any, ...], Any] = {}

    def get(self, version: int, key: tuple[Any, ...]) -> Any:
        return self.data.get((version, *key))

    def put(self, version: int, key: tuple[Any, ...], value: Any) -> Any:
        if version != self.version or len(self.data) >= self.max_entries:
            self.data, self.version = {}, version
        self.data[(version, *key)] = value
        return value
