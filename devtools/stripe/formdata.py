"""Decode Stripe-style form bodies (``a[b][0][c]=v``) into nested dicts and lists."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def _split_key(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    parts = [head]
    if rest:
        parts.extend(_KEY_PART.findall("[" + rest))
    return parts


def _listify(node: Any) -> Any:
    # Containers are built as dicts first; a dict whose keys are all numeric (from ``x[0]``)
    # or the empty marker (from ``x[]``) becomes a list in index order.
    if isinstance(node, dict):
        converted = {k: _listify(v) for k, v in node.items()}
        if converted and all(k.isdigit() or k.startswith("\x00") for k in converted):
            return [converted[k] for k in sorted(converted, key=_index_sort_key)]
        return converted
    return node


def _index_sort_key(key: str) -> tuple[int, int]:
    if key.startswith("\x00"):
        return (1, int(key[1:]))
    return (0, int(key))


def decode(body: str) -> dict[str, Any]:
    """``line_items[0][price]=p&expand[]=x&metadata[k]=v`` → nested Python structures."""
    root: dict[str, Any] = {}
    append_counter = 0
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = _split_key(key)
        node = root
        for i, part in enumerate(parts):
            if part == "":
                # ``x[]`` appends: give each occurrence its own ordered slot.
                part = f"\x00{append_counter}"
                append_counter += 1
            if i == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise ValueError(f"Conflicting parameter {key!r}")
    return _listify(root)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def as_bool(value: Any) -> bool:
    return str(value).lower() in {"true", "1", "yes", "on"}
