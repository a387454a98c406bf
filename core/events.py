"""The change-event channel: a sync publishes which listings it changed on this Redis pub/sub
channel (``listings.changes``), and every process's read model listens on it
(``listings.readmodel.loader``). The payload is ``{"seq": n, "epoch": "...", "changed": [key],
"removed": [key], "closed": [key]}`` in JSON (``listings.changes.changes_publish``)."""

from __future__ import annotations

from django.dispatch import Signal

LISTINGS_CHANGED = "listings:changed"
# How many events were ever published on the channel (incremented with each publish, in one
# transaction): a subscriber that lost its connection compares it with what it received, and
# reloads only when it missed something (listings.readmodel.refresh).
LISTINGS_CHANGED_COUNT = "listings:changed:count"
# A random name for the count's history, set by the first publish after Redis lost the count:
# each event carries ``seq`` (the count after it) and ``epoch``, so a sequence number is never
# compared with one from before a reset (listings.readmodel.holder's snapshot adoption).
LISTINGS_CHANGED_EPOCH = "listings:changed:epoch"

# Sent once for each event by the Celery task that receives it from the sync
# (``listings.tasks.alerts_on_changed``), with ``event`` = the checked payload. Apps that must see
# every sync (not just the freshest read model) connect a receiver that queues their own task, so
# listings never imports them (the investor portfolio's revaluation after closed sales does).
listings_changed = Signal()
