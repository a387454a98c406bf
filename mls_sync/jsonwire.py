"""JSON for feed pages (~10 MB each): orjson when installed, the standard library otherwise.

Both directions produce and accept the same JSON documents; orjson is only faster (parsing a
page ~2x, encoding one ~6x), which matters because the feed is read - and, in dev and
benchmarks, served by ``devtools.spark`` - on the same machine as the database.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is in requirements; the fallback keeps stdlib-only use working
    orjson = None  # type: ignore[assignment]


def loads(data: bytes | str) -> Any:
    if orjson is not None:
        return orjson.loads(data)
    return json.loads(data)


def dumps(payload: Any) -> bytes:
    """Compact JSON bytes."""
    if orjson is not None:
        try:
            return orjson.dumps(payload)
        except TypeError:  # a type orjson refuses (e.g. non-str keys): the stdlib's rules apply
            pass
    return json.dumps(payload, separators=(",", ":")).encode()
