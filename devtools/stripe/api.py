"""The ``/v1`` endpoints: one small function per route, dispatched from a regex table."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from devtools.stripe import lifecycle, objects, payments
from devtools.stripe.formdata import as_bool, as_list
from devtools.stripe.objects import Obj, new_id, now
from devtools.stripe.store import Store, StripeError

Handler = Callable[[Store, Obj, re.Match[str]], Obj]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^/v1/{pattern}$"), fn))
        return fn

    return register


def _required(params: Obj, name: str) -> Any:
    if params.get(name) in (None, ""):
        raise StripeError(400, f"Missing required param: {name}.", code="parameter_missing", param=name)
    return params[name]


def _metadata(params: Obj) -> dict[str, str]:
    meta = params.get("metadata") or {}
    if not isinstance(meta, dict):
        raise StripeError(400, "Invalid object", param="metadata")
    return {str(k): str(v) for k, v in meta.items() if v != ""}


# -- customers ----------------------------------------------------------------------------
@route("POST", "customers")
def customer_create(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    cust = store.put(objects.customer(email=p.get("email"), name=p.get("name"), metadata=_metadata(p)))
    store.emit("customer.created", cust)
    return cust


@route("GET", "customers")
def customer_list(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.page("customer", p, match=lambda c: not p.get("email") or c["email"] == p["email"])


@route("GET", r"customers/(?P<id>[\w]+)")
def customer_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("customer", m["id"])


@route("POST", r"customers/(?P<id>[\w]+)")
def customer_update(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    cust = store.get("customer", m["id"])
    for field in ("email", "name", "description"):
        if field in p:
            cust[field] = p[field] or None
    cust["metadata"].update(_metadata(p))
    store.emit("customer.updated", cust)
    return cust


# -- products and prices ------------------------------------------------------------------
@route("POST", "products")
def product_create(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    if p.get("id") and p["id"] in store.objects:
        raise StripeError(400, "Product already exists.", code="resource_already_exists", param="id")
    return store.put(
        objects.product(
            id=p.get("id"), name=_required(p, "name"), description=p.get("description"), metadata=_metadata(p)
        )
    )


@route("GET", "products")
def product_list(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.page("product", p, match=lambda o: "active" not in p or o["active"] == as_bool(p["active"]))


@route("GET", r"products/(?P<id>[\w]+)")
def product_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("product", m["id"])


@route("POST", r"products/(?P<id>[\w]+)")
def product_update(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    prod = store.get("product", m["id"])
    for field in ("name", "description"):
        if field in p:
            prod[field] = p[field]
    if "active" in p:
        prod["active"] = as_bool(p["active"])
    if "default_price" in p:
        prod["default_price"] = store.get("price", p["default_price"], param="default_price")["id"]
    prod["metadata"].update(_metadata(p))
    prod["updated"] = now()
    return prod


def _claim_lookup_key(store: Store, key: str | None, transfer: bool) -> None:
    if not key:
        return
    for other in store.all("price"):
        if other["lookup_key"] == key:
            if not transfer:
                raise StripeError(400, f"A price (`{other['id']}`) already uses that lookup key.", param="lookup_key")
            other["lookup_key"] = None


@route("POST", "prices")
def price_create(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    prod = store.get("product", _required(p, "product"), param="product")
    _claim_lookup_key(store, p.get("lookup_key"), as_bool(p.get("transfer_lookup_key")))
    return store.put(
        objects.price(
            product_id=prod["id"],
            unit_amount=int(_required(p, "unit_amount")),
            currency=_required(p, "currency").lower(),
            interval=(p.get("recurring") or {}).get("interval"),
            lookup_key=p.get("lookup_key") or None,
            nickname=p.get("nickname"),
            metadata=_metadata(p),
        )
    )


@route("GET", "prices")
def price_list(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    keys = set(as_list(p.get("lookup_keys")))

    def match(o: Obj) -> bool:
        return (
            (not keys or o["lookup_key"] in keys)
            and ("active" not in p or o["active"] == as_bool(p["active"]))
            and (not p.get("product") or o["product"] == p["product"])
        )

    return store.page("price", p, match=match)


@route("GET", r"prices/(?P<id>[\w]+)")
def price_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("price", m["id"])


@route("POST", r"prices/(?P<id>[\w]+)")
def price_update(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    price = store.get("price", m["id"])
    if "lookup_key" in p:
        _claim_lookup_key(store, p["lookup_key"], as_bool(p.get("transfer_lookup_key")))
        price["lookup_key"] = p["lookup_key"] or None
    if "active" in p:
        price["active"] = as_bool(p["active"])
    if "nickname" in p:
        price["nickname"] = p["nickname"]
    price["metadata"].update(_metadata(p))
    return price


# -- checkout and portal ------------------------------------------------------------------
def _trial_days(p: Obj) -> int:
    """``subscription_data[trial_period_days]``, checked as Stripe does (1-730)."""
    raw = (p.get("subscription_data") or {}).get("trial_period_days")
    if raw in (None, ""):
        return 0
    try:
        days = int(str(raw))
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= 730:
        raise StripeError(
            400, "trial_period_days must be between 1 and 730.", param="subscription_data[trial_period_days]"
        )
    return days


@route("POST", "checkout/sessions")
def checkout_session_create(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    mode = _required(p, "mode")
    if mode not in ("subscription", "payment"):
        raise StripeError(400, "This fake supports mode=subscription and mode=payment.", param="mode")
    line_items = as_list(_required(p, "line_items"))
    items = []
    for i, li in enumerate(line_items):
        if mode == "payment" and li.get("price_data"):
            price = payments.inline_price(store, li["price_data"], i)
        else:
            price = store.get("price", li.get("price", ""), param=f"line_items[{i}][price]")
        if mode == "payment" and price["recurring"]:
            raise StripeError(400, "mode=payment takes one-time prices only.", param=f"line_items[{i}][price]")
        if not price["active"] and not (mode == "payment" and li.get("price_data")):
            raise StripeError(400, f"The price `{price['id']}` is not active.", param=f"line_items[{i}][price]")
        items.append(
            {
                "id": new_id("li_"),
                "object": "item",
                "price": dict(price),
                "quantity": int(li.get("quantity", 1)),
                "amount_total": price["unit_amount"] * int(li.get("quantity", 1)),
                "currency": price["currency"],
                "description": None,
            }
        )
    customer = p.get("customer")
    if customer:
        store.get("customer", customer, param="customer")
    session_id = new_id("cs_test_")
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_total": 0 if _trial_days(p) else sum(i["amount_total"] for i in items),
        "cancel_url": p.get("cancel_url"),
        "client_reference_id": p.get("client_reference_id"),
        "created": now(),
        "currency": items[0]["currency"],
        "customer": customer,
        "customer_details": None,
        "customer_email": p.get("customer_email"),
        "expires_at": int(p["expires_at"]) if p.get("expires_at") else now() + 24 * 3600,
        "livemode": False,
        "metadata": _metadata(p),
        "mode": mode,
        "payment_method_collection": p.get("payment_method_collection") or "always",
        "payment_status": "unpaid",
        "status": "open",
        "subscription": None,
        "payment_intent": None,
        "success_url": _required(p, "success_url"),
        "url": f"{store.base_url}/checkout/{session_id}",
        "_line_items": items,
        "_subscription_data": p.get("subscription_data") or {},
        "_payment_intent_data": p.get("payment_intent_data") or {},
    }
    return store.put(session)


@route("GET", r"checkout/sessions/(?P<id>[\w]+)")
def checkout_session_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("checkout.session", m["id"])


@route("POST", r"checkout/sessions/(?P<id>[\w]+)/expire")
def checkout_session_expire(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    session = store.get("checkout.session", m["id"])
    if session["status"] != "open":
        raise StripeError(400, "Only open Checkout Sessions can be expired.")
    session["status"] = "expired"
    store.emit("checkout.session.expired", session)
    return session


@route("GET", r"payment_intents/(?P<id>[\w]+)")
def payment_intent_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("payment_intent", m["id"])


@route("POST", "refunds")
def refund_create(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return payments.refund_create(store, p)


@route("GET", r"refunds/(?P<id>[\w]+)")
def refund_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("refund", m["id"])


@route("POST", "billing_portal/sessions")
def portal_session_create(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    customer = store.get("customer", _required(p, "customer"), param="customer")
    configuration = p.get("configuration")
    if configuration:
        store.get("billing_portal.configuration", configuration, param="configuration")
    else:
        default = next((c for c in store.all("billing_portal.configuration") if c["is_default"]), None)
        configuration = default["id"] if default else None
    session_id = new_id("bps_")
    return store.put(
        {
            "id": session_id,
            "object": "billing_portal.session",
            "created": now(),
            "customer": customer["id"],
            "livemode": False,
            "return_url": p.get("return_url"),
            "url": f"{store.base_url}/portal/{session_id}",
            "configuration": configuration,
            "flow": None,
            "locale": None,
            "on_behalf_of": None,
        }
    )


def _portal_features(p: Obj, current: Obj | None = None) -> Obj:
    features = dict(
        (current or {}).get("features")
        or {
            "customer_update": {"enabled": False, "allowed_updates": []},
            "invoice_history": {"enabled": False},
            "payment_method_update": {"enabled": False},
            "subscription_cancel": {"enabled": False, "mode": "at_period_end", "proration_behavior": "none"},
            "subscription_update": {
                "enabled": False,
                "default_allowed_updates": [],
                "products": [],
                "proration_behavior": "create_prorations",
            },
        }
    )
    for name, given in (p.get("features") or {}).items():
        merged = {**features.get(name, {}), **given}
        if "enabled" in given:
            merged["enabled"] = as_bool(given["enabled"])
        if name == "subscription_update" and "products" in given:
            merged["products"] = [
                {"product": pr["product"], "prices": as_list(pr.get("prices"))} for pr in as_list(given["products"])
            ]
        if "default_allowed_updates" in given:
            merged["default_allowed_updates"] = as_list(given["default_allowed_updates"])
        features[name] = merged
    return features


@route("POST", "billing_portal/configurations")
def portal_configuration_create(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    is_default = as_bool(p.get("is_default", "false")) or not store.all("billing_portal.configuration")
    if is_default:
        for other in store.all("billing_portal.configuration"):
            other["is_default"] = False
    return store.put(
        {
            "id": new_id("bpc_"),
            "object": "billing_portal.configuration",
            "active": True,
            "created": now(),
            "updated": now(),
            "livemode": False,
            "is_default": is_default,
            "metadata": _metadata(p),
            "business_profile": p.get("business_profile") or {},
            "default_return_url": p.get("default_return_url"),
            "features": _portal_features(p),
        }
    )


@route("GET", "billing_portal/configurations")
def portal_configuration_list(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    def match(c: Obj) -> bool:
        return ("is_default" not in p or c["is_default"] == as_bool(p["is_default"])) and (
            "active" not in p or c["active"] == as_bool(p["active"])
        )

    return store.page("billing_portal.configuration", p, match=match)


@route("GET", r"billing_portal/configurations/(?P<id>[\w]+)")
def portal_configuration_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("billing_portal.configuration", m["id"])


@route("POST", r"billing_portal/configurations/(?P<id>[\w]+)")
def portal_configuration_update(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    config = store.get("billing_portal.configuration", m["id"])
    config["features"] = _portal_features(p, config)
    config["metadata"].update(_metadata(p))
    for field in ("business_profile", "default_return_url"):
        if field in p:
            config[field] = p[field]
    if "active" in p:
        config["active"] = as_bool(p["active"])
    config["updated"] = now()
    return config


# -- subscriptions, invoices, events ------------------------------------------------------
@route("GET", "subscriptions")
def subscription_list(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    status = p.get("status")

    def match(s: Obj) -> bool:
        if p.get("customer") and s["customer"] != p["customer"]:
            return False
        if status == "all":
            return True
        return s["status"] == status if status else s["status"] != "canceled"

    return store.page("subscription", p, match=match)


@route("GET", r"subscriptions/(?P<id>[\w]+)")
def subscription_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("subscription", m["id"])


@route("POST", r"subscriptions/(?P<id>[\w]+)")
def subscription_update(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    sub = store.get("subscription", m["id"])
    p = dict(p, items=as_list(p.get("items")))
    return lifecycle.subscription_update(store, sub, p)


@route("DELETE", r"subscriptions/(?P<id>[\w]+)")
def subscription_cancel(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return lifecycle.subscription_cancel(store, store.get("subscription", m["id"]))


@route("GET", "invoices")
def invoice_list(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    def match(inv: Obj) -> bool:
        sub_id = inv["parent"]["subscription_details"]["subscription"]
        return (
            (not p.get("customer") or inv["customer"] == p["customer"])
            and (not p.get("subscription") or sub_id == p["subscription"])
            and (not p.get("status") or inv["status"] == p["status"])
        )

    return store.page("invoice", p, match=match)


@route("GET", r"invoices/(?P<id>[\w]+)")
def invoice_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("invoice", m["id"])


@route("GET", "events")
def event_list(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    types = set(as_list(p.get("types"))) | ({p["type"]} if p.get("type") else set())
    return store.page("event", p, match=lambda e: not types or e["type"] in types)


@route("GET", r"events/(?P<id>[\w]+)")
def event_retrieve(store: Store, p: Obj, m: re.Match[str]) -> Obj:
    return store.get("event", m["id"])


def dispatch(store: Store, method: str, path: str, params: Obj) -> Obj:
    for route_method, pattern, handler in ROUTES:
        if route_method == method and (match := pattern.match(path)):
            with store.lock:
                return store.render(handler(store, params, match), as_list(params.get("expand")))
    raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
