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
    """Parse a page. orjson refuses ``NaN``, ``Infinity`` and numbers beyond a double (``1e400``),
    which some servers send; the standard library reads them as non-finite floats, which the
    flattener quarantines record by record instead of the page failing on every retry."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # truncated or merely non-standard: the stdlib parser decides which
    return json.loads(data)


def dumps(payload: Any) -> bytes:
    """Compact JSON bytes."""
    if orjson is not None:
        try:
            return orjson.dumps(payload)
        except TypeError:  # a type orjson refuses (e.g. non-str keys): the stdlib's rules apply
            pass
    return json.dumps(payload, separators=(",", ":")).encode()
