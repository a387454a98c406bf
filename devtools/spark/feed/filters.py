"""A small parser for Spark ``_filter`` and RESO/OData ``$filter`` expressions.

Both dialects share a shape (``Field Op Value`` joined by And/Or, parentheses, Not); the
operators differ only in case (``Gt`` vs ``gt``), so one case-insensitive grammar serves both.
The fake server evaluates the parsed tree against column arrays, never record by record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

OPS = {"eq", "ne", "gt", "ge", "lt", "le"}
_TOKEN = re.compile(
    r"\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<str>'(?:[^']|'')*')|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<lit>[0-9][0-9:.TZ+\-]*))"
)


class FilterError(ValueError):
    """The filter does not parse or names an unsupported field (Spark code 1040)."""


@dataclass(frozen=True, slots=True)
class Cmp:
    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" | "or"
    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Any


@dataclass(frozen=True, slots=True)
class EnumLiteral:
    """An OData enum literal: ``Namespace.EnumType'Member'`` (``enum_type`` empty when unqualified)."""

    enum_type: str
    member: str


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FilterError(f"unexpected input at {pos}: {text[pos : pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def parse_literal(raw: str) -> Any:
    if raw.startswith("'"):
        return raw[1:-1].replace("''", "'")
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    if "T" in raw or raw.count("-") == 2:
        return parse_timestamp(raw)
    try:
        return float(raw) if "." in raw else int(raw)
    except ValueError as exc:
        raise FilterError(f"bad literal {raw!r}") from exc


def parse_timestamp(raw: str) -> float:
    """ISO 8601 date or datetime (naive = UTC) to epoch seconds."""
    try:
        if "T" not in raw:
            return datetime.combine(date.fromisoformat(raw), datetime.min.time(), UTC).timestamp()
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise FilterError(f"bad timestamp {raw!r}") from exc
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek_word(self) -> str | None:
        if self.i < len(self.toks) and self.toks[self.i][0] == "word":
            return self.toks[self.i][1].lower()
        return None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.toks):
            raise FilterError("unexpected end of filter")
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expr(self) -> Any:
        items = [self.term()]
        while self.peek_word() == "or":
            self.i += 1
            items.append(self.term())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def term(self) -> Any:
        items = [self.factor()]
        while self.peek_word() == "and":
            self.i += 1
            items.append(self.factor())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def factor(self) -> Any:
        kind, text = self.take()
        if kind == "lp":
            node = self.expr()
            if self.take()[0] != "rp":
                raise FilterError("missing )")
            return node
        if kind == "word" and text.lower() == "not":
            return Not(self.factor())
        if kind != "word":
            raise FilterError(f"expected a field name, got {text!r}")
        op_kind, op = self.take()
        if op_kind != "word" or op.lower() not in OPS:
            raise FilterError(f"expected an operator after {text}, got {op!r}")
        val_kind, val = self.take()
        if val_kind not in ("str", "lit", "word"):
            raise FilterError(f"expected a value after {text} {op}")
        if val_kind == "word" and self.i < len(self.toks) and self.toks[self.i][0] == "str":
            member = self.take()[1]  # Namespace.Type'Member': an OData enum literal
            return Cmp(text, op.lower(), EnumLiteral(val, member[1:-1].replace("''", "'")))
        return Cmp(text, op.lower(), parse_literal(val))


def parse_filter(text: str) -> Any:
    """Parse a Spark or OData filter; raises ``FilterError`` on anything malformed."""
    if not text or not text.strip():
        raise FilterError("empty filter")
    parser = _Parser(text)
    node = parser.expr()
    if parser.i != len(parser.toks):
        raise FilterError(f"trailing input: {parser.toks[parser.i][1]!r}")
    return node
