"""One registry of the assistant's tools: name, JSON schema, and the function that runs it.

Every call, whether the model (Groq) or the offline assistant made it, goes through
``tool_run``: the raw arguments are parsed and checked against the tool's schema *before*
anything runs — wrong types, unknown fields, out-of-range numbers, over-long strings and
operator objects (``{"$gt": 1}``, or any key starting with ``$``) come back to the model as a
tool error it can read and correct, never executed. Tools then take a ``ToolContext`` that
carries the site, so a tool can only ever see that site's listings and data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_ARGUMENT_BYTES = 8_000


class ToolError(Exception):
    """Arguments the tool refuses, or a request it cannot fulfil; told to the model."""

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields or {}

    def payload(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "fields": self.fields}


@dataclass
class ToolContext:
    """Who is asking, on which site. ``scope`` limits every listing read to the site's MLS
    sources; ``schema`` is the site's PostgreSQL schema for anything written."""

    schema: str
    scope: Any  # listings.selectors.Scope
    site_name: str
    agent_name: str = ""
    is_flagship: bool = True
    user: Any = None
    anonymous_id: str = ""
    client_address: str = ""  # security.client_ip: visitors are metered by it too
    # The conversation's id, saving a new conversation first (it is saved with the answer
    # otherwise, off the path to the first token); None outside a chat turn.
    conversation_ensure: Callable[[], int | None] = lambda: None
    transcript: Callable[[], str] = lambda: ""
    shown_keys: list[str] = field(default_factory=list)  # listings shown so far, newest last
    # The HTTP request the turn came in (None outside one): tools that write count against the
    # same rate-limit counters as the site's forms (security.ratelimit.limit_hit).
    request: Any = None

    @property
    def signed_in(self) -> bool:
        return self.user is not None and bool(getattr(self.user, "is_authenticated", False))


@dataclass(frozen=True)
class ToolResult:
    name: str
    arguments: dict[str, Any]  # validated
    ok: bool
    content: dict[str, Any]  # what the model reads back
    display: dict[str, Any]  # what the page shows (cards, stats, links)

    def for_model(self) -> str:
        return json.dumps(self.content, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    run: Callable[[ToolContext, dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]
    writes: bool = False  # touches PostgreSQL (runs in a thread, in the site's schema)
    available: Callable[[ToolContext], bool] = lambda ctx: True

    def spec(self) -> dict[str, Any]:
        """The OpenAI/Groq ``tools`` entry."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


_TOOLS: dict[str, Tool] = {}


def register(tool: Tool) -> Tool:
    _TOOLS[tool.name] = tool
    return tool


def tools_for(ctx: ToolContext) -> list[Tool]:
    return [t for t in _TOOLS.values() if t.available(ctx)]


def tool_get(name: str) -> Tool | None:
    return _TOOLS.get(name)


# ---- validation ------------------------------------------------------------------------------
def _type_ok(value: Any, expected: str) -> bool:
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "string":
        return isinstance(value, str)
    if expected == "array":
        return isinstance(value, list)
    if expected == "object":
        return isinstance(value, dict)
    return False


def _check(value: Any, schema: Mapping[str, Any], path: str, errors: dict[str, str]) -> None:
    if "anyOf" in schema:
        trial: list[dict[str, str]] = []
        for option in schema["anyOf"]:
            e: dict[str, str] = {}
            _check(value, option, path, e)
            if not e:
                return
            trial.append(e)
        errors[path] = "; or ".join(next(iter(e.values())) for e in trial)
        return
    if isinstance(value, dict) and any(str(k).startswith("$") for k in value):
        errors[path] = "operator objects are not allowed; give a plain value"
        return
    expected = schema.get("type")
    if expected and not _type_ok(value, expected):
        errors[path] = f"must be {'an' if expected[0] in 'aeiou' else 'a'} {expected}"
        return
    if "enum" in schema and value not in schema["enum"]:
        errors[path] = "must be one of: " + ", ".join(map(str, schema["enum"]))
    elif expected in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors[path] = f"must be at least {schema['minimum']}"
        elif "maximum" in schema and value > schema["maximum"]:
            errors[path] = f"must be at most {schema['maximum']}"
    elif expected == "string":
        if len(value) > schema.get("maxLength", 500):
            errors[path] = f"must be at most {schema.get('maxLength', 500)} characters"
        elif len(value) < schema.get("minLength", 0):
            errors[path] = "must not be empty"
    elif expected == "array":
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", 20):
            errors[path] = f"must have {schema.get('minItems', 0)} to {schema.get('maxItems', 20)} items"
            return
        for i, item in enumerate(value):
            _check(item, schema.get("items", {}), f"{path}[{i}]", errors)
    elif expected == "object":
        _check_object(value, schema, path, errors)


def _check_object(value: dict[str, Any], schema: Mapping[str, Any], path: str, errors: dict[str, str]) -> None:
    props = schema.get("properties", {})
    prefix = f"{path}." if path else ""
    for key in value:
        if key not in props:
            errors[f"{prefix}{str(key)[:60]}"] = "unknown field"
    for key in schema.get("required", ()):
        if key not in value:
            errors[f"{prefix}{key}"] = "required"
    for key, item in value.items():
        if key in props:
            if item is None:
                continue  # models send null for "not given"
            _check(item, props[key], f"{prefix}{key}", errors)


def parse_arguments(tool: Tool, raw: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """JSON text (as the model sends it) or a mapping -> checked arguments, or ToolError."""
    if raw is None or raw == "":
        value: Any = {}
    elif isinstance(raw, str):
        if len(raw.encode()) > MAX_ARGUMENT_BYTES:
            raise ToolError("invalid_arguments", "The arguments are too long.")
        try:
            value = json.loads(raw)
        except ValueError:
            raise ToolError("invalid_arguments", "The arguments are not valid JSON.") from None
    else:
        value = dict(raw)
    if not isinstance(value, dict):
        raise ToolError("invalid_arguments", "The arguments must be a JSON object.")
    errors: dict[str, str] = {}
    _check_object(value, tool.parameters, "", errors)
    if errors:
        raise ToolError(
            "invalid_arguments",
            f"Invalid arguments for {tool.name}: " + "; ".join(f"{k} {v}" for k, v in sorted(errors.items())) + ".",
            errors,
        )
    return {k: v for k, v in value.items() if v is not None}


def tool_run(name: str, raw: str | Mapping[str, Any] | None, ctx: ToolContext) -> ToolResult:
    """Validate, then run one tool call; every refusal is a result the model can read."""
    tool = _TOOLS.get(name)
    if tool is None or not tool.available(ctx):
        err = ToolError("unknown_tool", f"There is no tool named {name[:60]!r}.")
        return ToolResult(name=name[:60], arguments={}, ok=False, content=err.payload(), display={})
    try:
        args = parse_arguments(tool, raw)
    except ToolError as e:
        return ToolResult(name=name, arguments={}, ok=False, content=e.payload(), display={})
    try:
        content, display = tool.run(ctx, args)
    except ToolError as e:
        return ToolResult(name=name, arguments=args, ok=False, content=e.payload(), display=e.payload())
    return ToolResult(name=name, arguments=args, ok=True, content=content, display=display)
