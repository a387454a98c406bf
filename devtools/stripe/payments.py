"""One-time payments: Checkout in ``mode=payment`` with inline ``price_data``, the
PaymentIntent and charge a paid session makes, and refunds, with the events Stripe sends."""

from __future__ import annotations

from typing import Any

from devtools.stripe import objects
from devtools.stripe.objects import Obj, new_id, now
from devtools.stripe.store import Store, StripeError


def inline_price(store: Store, data: Obj, index: int) -> Obj:
    """``line_items[i][price_data]``: a one-off product and price, as Stripe creates them."""
    product_data = data.get("product_data") or {}
    if not product_data.get("name"):
        raise StripeError(400, "Missing required param: product_data[name].", param=f"line_items[{index}][price_data]")
    try:
        amount = int(data.get("unit_amount", ""))
    except ValueError:
        raise StripeError(400, "Invalid integer: unit_amount.", param=f"line_items[{index}][price_data][unit_amount]")
    if amount < 0:
        raise StripeError(400, "unit_amount must be positive.", param=f"line_items[{index}][price_data][unit_amount]")
    product = store.put(
        objects.product(
            id=None, name=str(product_data["name"]), description=product_data.get("description"), metadata={}
        )
    )
    product["active"] = False
    price = objects.price(
        product_id=product["id"],
        unit_amount=amount,
        currency=str(data.get("currency") or "usd").lower(),
        interval=None,
        lookup_key=None,
        nickname=None,
        metadata={},
    )
    price["active"] = False
    return store.put(price)


def payment_intent(*, amount: int, currency: str, customer: str | None, metadata: dict[str, str]) -> Obj:
    pi_id = new_id("pi_")
    charge_id = new_id("ch_")
    return {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "customer": customer,
        "created": now(),
        "latest_charge": charge_id,
        "livemode": False,
        "metadata": metadata,
        "payment_method_types": ["card"],
        "status": "succeeded",
        "_refunded": 0,
    }


def checkout_pay(store: Store, session: Obj) -> Obj:
    """A payment-mode session is paid: PaymentIntent, then the session completes."""
    data = session.get("_payment_intent_data") or {}
    pi = store.put(
        payment_intent(
            amount=session["amount_total"],
            currency=session["currency"],
            customer=session.get("customer"),
            metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        )
    )
    session.update(
        status="complete",
        payment_status="paid",
        payment_intent=pi["id"],
        customer_details={"email": session.get("customer_email")},
    )
    store.emit("payment_intent.succeeded", pi)
    store.emit("checkout.session.completed", session)
    return pi


def refund_create(store: Store, p: Obj) -> Obj:
    pi_id = p.get("payment_intent") or ""
    if not pi_id:
        raise StripeError(400, "Missing required param: payment_intent.", param="payment_intent")
    pi = store.get("payment_intent", pi_id, param="payment_intent")
    left = pi["amount_received"] - pi["_refunded"]
    amount = int(p["amount"]) if p.get("amount") not in (None, "") else left
    if amount <= 0 or amount > left:
        raise StripeError(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left}).",
            code="amount_too_large" if amount > 0 else "parameter_invalid_integer",
            param="amount",
        )
    pi["_refunded"] += amount
    meta: Any = p.get("metadata") or {}
    refund = store.put(
        {
            "id": new_id("re_"),
            "object": "refund",
            "amount": amount,
            "charge": pi["latest_charge"],
            "created": now(),
            "currency": pi["currency"],
            "metadata": {str(k): str(v) for k, v in meta.items()},
            "payment_intent": pi["id"],
            "reason": p.get("reason"),
            "status": "succeeded",
        }
    )
    store.emit("refund.created", refund)
    return refund
