"""The event queue's claim / acknowledge protocol, so no event is lost when a flush fails.

A flusher claims a batch by moving it atomically (one Lua script: LRANGE + LTRIM + RPUSH) from
the queue to a processing list of its own, registered with the claim time in a sorted set. It
acknowledges (deletes the processing list) only after the batch's database transaction has
committed; when the write fails it puts the batch back at the head of the queue. A flusher that
dies between claim and acknowledgement leaves its list registered: any later flush moves lists
older than ``STALE_SECONDS`` back. Events carry a unique id, so a batch written twice (the
database committed, the process died before acknowledging) inserts nothing the second time."""

from __future__ import annotations

import time
import uuid
from typing import Any

from analytics.recorder import queue_key, redis

# A batch is written and rolled up in seconds; a list older than this lost its flusher.
STALE_SECONDS = 600

_CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return items end
redis.call('LTRIM', KEYS[1], #items, -1)
for i = 1, #items, 500 do
  redis.call('RPUSH', KEYS[2], unpack(items, i, math.min(i + 499, #items)))
end
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
return items
"""

# ARGV: processing lists to put back at the head of the queue (KEYS[1]), in their order.
_REQUEUE = """
local moved = 0
for _, key in ipairs(ARGV) do
  local items = redis.call('LRANGE', key, 0, -1)
  for i = #items, 1, -1 do redis.call('LPUSH', KEYS[1], items[i]) end
  moved = moved + #items
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[2], key)
end
return moved
"""


def inflight_key() -> str:
    return f"{queue_key()}:inflight"


class Batch:
    """One claimed batch: ``items`` until ``ack()`` (written) or ``requeue()`` (not written)."""

    def __init__(self, conn: Any, size: int) -> None:
        self.conn = conn
        self.key = f"{queue_key()}:processing:{uuid.uuid4().hex}"
        claim = conn.register_script(_CLAIM)
        self.items: list[bytes] = claim(keys=[queue_key(), self.key, inflight_key()], args=[size, time.time()])

    def ack(self) -> None:
        pipe = self.conn.pipeline(transaction=True)
        pipe.delete(self.key)
        pipe.zrem(inflight_key(), self.key)
        pipe.execute()

    def requeue(self) -> int:
        return int(self.conn.register_script(_REQUEUE)(keys=[queue_key(), inflight_key()], args=[self.key]))


def batch_claim(*, size: int) -> Batch:
    return Batch(redis(), size)


def stale_requeue(*, older_than: float = STALE_SECONDS) -> int:
    """Put back the batches of flushers that died before acknowledging; returns the events moved."""
    conn = redis()
    stale = [k.decode() for k in conn.zrangebyscore(inflight_key(), 0, time.time() - older_than)]
    if not stale:
        return 0
    return int(conn.register_script(_REQUEUE)(keys=[queue_key(), inflight_key()], args=stale))


def pending_count() -> int:
    """Events queued or claimed but not yet acknowledged (for tests and monitoring)."""
    conn = redis()
    claimed = sum(conn.llen(k) for k in conn.zrange(inflight_key(), 0, -1))
    return int(conn.llen(queue_key())) + int(claimed)
