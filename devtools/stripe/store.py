"""In-memory object store: CRUD, lists, ``expand``, and the event log."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from devtools.stripe import objects
from devtools.stripe.objects import Obj

_PATH_BY_OBJECT = {
    "customer": "customers",
    "product": "products",
    "price": "prices",
    "checkout.session": "checkout/sessions",
    "billing_portal.session": "billing_portal/sessions",
    "billing_portal.configuration": "billing_portal/configurations",
    "subscription": "subscriptions",
    "invoice": "invoices",
    "event": "events",
    "payment_intent": "payment_intents",
    "refund": "refunds",
}


class StripeError(Exception):
    """Rendered as Stripe's error body ``{"error": {"type", "message", "code", "param"}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = (status, message, type, code, param)

    def body(self) -> Obj:
        error: Obj = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        return {"error": error}


def missing(kind: str, obj_id: str, param: str = "id") -> StripeError:
    return StripeError(404, f"No such {kind}: '{obj_id}'", code="resource_missing", param=param)


class Store:
    def __init__(self, *, base_url: str) -> None:
        self.base_url = base_url
        # One re-entrant lock serialises every mutation: the fake favours obviously-correct
        # over concurrent, and Stripe itself serialises writes per object.
        self.lock = threading.RLock()
        self.objects: dict[str, Obj] = {}
        self.order: dict[str, list[str]] = {}
        self.events: list[Obj] = []
        self._outbox: list[Obj] = []
        self.on_event: Callable[[Obj], None] | None = None

    # -- objects ---------------------------------------------------------------------------
    def put(self, obj: Obj) -> Obj:
        with self.lock:
            if obj["id"] not in self.objects:
                self.order.setdefault(obj["object"], []).append(obj["id"])
            self.objects[obj["id"]] = obj
            return obj

    def get(self, kind: str, obj_id: str, *, param: str = "id") -> Obj:
        obj = self.objects.get(obj_id)
        if obj is None or obj["object"] != kind:
            raise missing(kind.replace("_", " ").split(".")[-1], obj_id, param)
        return obj

    def all(self, kind: str) -> list[Obj]:
        # Stripe lists are newest first.
        return [self.objects[i] for i in reversed(self.order.get(kind, []))]

    def page(self, kind: str, params: dict[str, Any], *, match: Callable[[Obj], bool] = lambda o: True) -> Obj:
        items = [o for o in self.all(kind) if match(o)]
        limit = max(1, min(int(params.get("limit", 10)), 100))
        if after := params.get("starting_after"):
            ids = [o["id"] for o in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        if before := params.get("ending_before"):
            ids = [o["id"] for o in items]
            items = items[: ids.index(before)] if before in ids else []
        data = [copy.deepcopy(o) for o in items[:limit]]
        return objects.list_object(data, url=f"/v1/{_PATH_BY_OBJECT[kind]}", has_more=len(items) > limit)

    # -- expand ----------------------------------------------------------------------------
    def render(self, obj: Obj, expand: list[str]) -> Obj:
        out = copy.deepcopy(obj)
        for path in expand:
            self._expand(out, path.split("."))
        return strip_private(out)

    def _expand(self, node: Any, parts: list[str]) -> None:
        if not parts or not isinstance(node, dict):
            return
        head, rest = parts[0], parts[1:]
        if head == "data" and isinstance(node.get("data"), list):
            for item in node["data"]:
                self._expand(item, rest)
            return
        value = node.get(head)
        if isinstance(value, str) and value in self.objects:
            node[head] = copy.deepcopy(self.objects[value])
            value = node[head]
        if head == "line_items" and node.get("object") == "checkout.session":
            node[head] = objects.list_object(
                node.get("_line_items", []), url=f"/v1/checkout/sessions/{node['id']}/line_items"
            )
            value = node[head]
        self._expand(value, rest)

    # -- events ----------------------------------------------------------------------------
    def emit(self, type: str, obj: Obj, *, previous: Obj | None = None, created: int | None = None) -> Obj:
        snapshot = strip_private(copy.deepcopy(obj))
        evt = objects.event(type=type, obj=snapshot, previous_attributes=previous, created=created)
        with self.lock:
            self.events.append(evt)
            self.put(evt)
            self._outbox.append(evt)
        return evt

    def take_outbox(self) -> list[Obj]:
        with self.lock:
            out, self._outbox = self._outbox, []
            return out


def strip_private(node: Any) -> Any:
    """Drop the fake's private bookkeeping (keys starting with ``_``) before serialising."""
    if isinstance(node, dict):
        return {k: strip_private(v) for k, v in node.items() if not k.startswith("_")}
    if isinstance(node, list):
        return [strip_private(v) for v in node]
    return node
