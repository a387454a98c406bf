"""The change-event channel: a sync publishes which listings it changed on this Redis pub/sub
channel (``listings.changes``), and every process's read model listens on it
(``listings.readmodel.loader``). The payload is ``{"changed": [key], "removed": [key],
"closed": [key]}`` in JSON."""

from __future__ import annotations

LISTINGS_CHANGED = "listings:changed"
