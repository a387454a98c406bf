"""Subscription lifecycle: what happens in Stripe when a customer pays, changes, renews, fails
to pay or cancels, with the events Stripe would send for each step."""

from __future__ import annotations

import copy

from devtools.stripe import objects
from devtools.stripe.objects import Obj, now
from devtools.stripe.store import Store, StripeError

DECLINED_CARDS = {"4000000000000002", "4000000000009995", "4000000000000341"}


def _item(sub: Obj) -> Obj:
    return sub["items"]["data"][0]


def _period(sub: Obj) -> tuple[int, int]:
    item = _item(sub)
    return item["current_period_start"], item["current_period_end"]


def _invoice_for(
    store: Store, sub: Obj, *, reason: str, paid: bool, extra_lines: list[tuple[str, int, int, int]] | None = None
) -> Obj:
    start, end = _period(sub)
    lines = [
        (f"1 × {store.objects[i['price']['product']]['name']}", i["price"]["unit_amount"] * i["quantity"], start, end)
        for i in sub["items"]["data"]
    ]
    lines += extra_lines or []
    inv = objects.invoice(
        customer_obj=store.objects[sub["customer"]],
        sub=sub,
        lines=lines,
        billing_reason=reason,
        paid=paid,
        base_url=store.base_url,
    )
    store.put(inv)
    sub["latest_invoice"] = inv["id"]
    return inv


def checkout_complete(store: Store, session: Obj, *, card: str = "4242424242424242") -> Obj:
    """Pay a subscription-mode Checkout Session as the hosted page would."""
    with store.lock:
        if session["status"] != "open":
            raise StripeError(400, "This Checkout Session is no longer active.", code="checkout_session_inactive")
        if card.replace(" ", "") in DECLINED_CARDS:
            raise StripeError(402, "Your card was declined.", type="card_error", code="card_declined")
        if session["mode"] == "payment":
            from devtools.stripe.payments import checkout_pay

            return checkout_pay(store, session)
        if session["customer"] is None:
            email = session.get("customer_email") or (session.get("customer_details") or {}).get("email")
            cust = store.put(objects.customer(email=email, name=None, metadata={}))
            store.emit("customer.created", cust)
            session["customer"] = cust["id"]
        prices = [(store.get("price", li["price"]["id"]), li["quantity"]) for li in session["_line_items"]]
        metadata = dict((session.get("_subscription_data") or {}).get("metadata") or {})
        sub = store.put(objects.subscription(customer_id=session["customer"], prices=prices, metadata=metadata))
        trial_days = int((session.get("_subscription_data") or {}).get("trial_period_days") or 0)
        created = now()
        if trial_days:
            # A trial: the card is saved (payment_method_collection=always), the subscription
            # starts ``trialing`` with a $0 invoice, and the first charge comes at trial end.
            start, trial_end = sub["start_date"], sub["start_date"] + trial_days * 86400
            sub.update(
                status="trialing", trial_start=start, trial_end=trial_end, default_payment_method=f"pm_{card[-4:]}"
            )
            for item in sub["items"]["data"]:
                item["current_period_end"] = trial_end
            inv = _invoice_for(store, sub, reason="subscription_create", paid=True)
            inv.update(amount_due=0, amount_paid=0, total=0, subtotal=0)
            store.emit("customer.subscription.created", sub, created=created)
            store.emit("invoice.paid", inv, created=created)
        else:
            # As Stripe does: the subscription starts ``incomplete`` until its first invoice is
            # paid, then turns ``active``; both events carry the same second, and their delivery
            # order is not promised (tests reorder them).
            sub["status"] = "incomplete"
            inv = _invoice_for(store, sub, reason="subscription_create", paid=True)
            store.emit("customer.subscription.created", sub, created=created)
            store.emit("invoice.paid", inv, created=created)
            sub["status"] = "active"
            store.emit("customer.subscription.updated", sub, previous={"status": "incomplete"}, created=created)
        session.update(
            status="complete",
            payment_status="no_payment_required" if trial_days else "paid",
            subscription=sub["id"],
            customer_details={"email": store.objects[session["customer"]]["email"]},
        )
        store.emit("checkout.session.completed", session, created=created)
        return sub


def subscription_update(store: Store, sub: Obj, params: Obj) -> Obj:
    """``POST /v1/subscriptions/:id`` — plan change with proration, cancel at period end."""
    with store.lock:
        if sub["status"] == "canceled":
            raise StripeError(400, "A canceled subscription can only update its cancellation_details and metadata.")
        before = copy.deepcopy(sub)
        previous: Obj = {}
        if "cancel_at_period_end" in params:
            flag = str(params["cancel_at_period_end"]).lower() == "true"
            if flag != sub["cancel_at_period_end"]:
                previous.update(cancel_at_period_end=sub["cancel_at_period_end"], cancel_at=sub["cancel_at"])
                sub["cancel_at_period_end"] = flag
                sub["cancel_at"] = _period(sub)[1] if flag else None
                sub["canceled_at"] = now() if flag else None
        if "metadata" in params:
            previous["metadata"] = dict(sub["metadata"])
            sub["metadata"].update({k: v for k, v in params["metadata"].items() if v != ""})
            for k in [k for k, v in params["metadata"].items() if v == ""]:
                sub["metadata"].pop(k, None)
        items = params.get("items") or []
        if items and items[0].get("price"):
            _change_price(store, sub, items[0], params.get("proration_behavior", "create_prorations"))
            previous["items"] = before["items"]
        if previous:
            store.emit("customer.subscription.updated", sub, previous=previous)
        return sub


def _change_price(store: Store, sub: Obj, item_params: Obj, proration_behavior: str) -> None:
    item = _item(sub)
    if item_params.get("id") and item_params["id"] != item["id"]:
        raise StripeError(
            404, f"No such subscription item: '{item_params['id']}'", code="resource_missing", param="items[0][id]"
        )
    new_price = store.get("price", item_params["price"], param="items[0][price]")
    old_price = item["price"]
    start, end = _period(sub)
    remaining = max(0.0, (end - now()) / max(1, end - start))
    # Proration as Stripe computes it: credit the unused time on the old price, charge the
    # remaining time on the new one.
    credit = -round(old_price["unit_amount"] * remaining)
    charge = round(new_price["unit_amount"] * remaining)
    item["price"] = dict(new_price)
    if proration_behavior == "none":
        return
    lines = [
        (f"Unused time on {store.objects[old_price['product']]['name']}", credit, now(), end),
        (f"Remaining time on {store.objects[new_price['product']]['name']}", charge, now(), end),
    ]
    if proration_behavior == "always_invoice":
        inv = objects.invoice(
            customer_obj=store.objects[sub["customer"]],
            sub=sub,
            lines=lines,
            billing_reason="subscription_update",
            paid=True,
            base_url=store.base_url,
        )
        store.put(inv)
        sub["latest_invoice"] = inv["id"]
        store.emit("invoice.paid", inv)
    else:
        sub.setdefault("_pending_prorations", []).extend(lines)


def subscription_cancel(store: Store, sub: Obj, *, out_of_order: bool = False) -> Obj:
    """``DELETE /v1/subscriptions/:id``: ends it now and sends ``customer.subscription.deleted``.

    With ``out_of_order`` an older ``customer.subscription.updated`` (still active, earlier
    ``created``) is delivered *after* the deletion, as Stripe may do under retries."""
    with store.lock:
        if sub["status"] == "canceled":
            raise StripeError(400, "This subscription has already been canceled.")
        stale = copy.deepcopy(sub)
        sub.update(status="canceled", canceled_at=sub["canceled_at"] or now(), ended_at=now(), cancel_at=None)
        deleted = store.emit("customer.subscription.deleted", sub)
        if out_of_order:
            store.emit(
                "customer.subscription.updated",
                stale,
                previous={"metadata": dict(stale["metadata"])},
                created=deleted["created"] - 60,
            )
        return sub


def subscription_renew(store: Store, sub: Obj, *, pay: bool = True) -> Obj:
    """The period ends: start the next one and invoice it (or end it if canceling)."""
    with store.lock:
        if sub["status"] == "canceled":
            raise StripeError(400, "This subscription has already been canceled.")
        if sub["cancel_at_period_end"]:
            return subscription_cancel(store, sub)
        before = copy.deepcopy(sub["items"])
        for item in sub["items"]["data"]:
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] = objects.add_month(item["current_period_start"])
        pending = sub.pop("_pending_prorations", [])
        inv = _invoice_for(store, sub, reason="subscription_cycle", paid=pay, extra_lines=pending)
        previous: Obj = {"items": before}
        if not pay:
            previous["status"] = sub["status"]
            sub["status"] = "past_due"
        store.emit("invoice.created", inv)
        store.emit("customer.subscription.updated", sub, previous=previous)
        store.emit("invoice.paid" if pay else "invoice.payment_failed", inv)
        return sub


def invoice_pay(store: Store, sub: Obj) -> Obj:
    """A retry (or a new card in the portal) settles the open invoice: back to active."""
    with store.lock:
        inv = store.objects.get(sub.get("latest_invoice") or "")
        if inv is None or inv["status"] != "open":
            raise StripeError(400, "This subscription has no open invoice.")
        inv.update(
            status="paid",
            amount_paid=inv["amount_due"],
            amount_remaining=0,
            attempt_count=inv["attempt_count"] + 1,
            next_payment_attempt=None,
        )
        inv["status_transitions"]["paid_at"] = now()
        previous = {"status": sub["status"]}
        sub["status"] = "active"
        store.emit("invoice.paid", inv)
        store.emit("customer.subscription.updated", sub, previous=previous)
        return sub


def trial_will_end(store: Store, sub: Obj) -> Obj:
    with store.lock:
        store.emit("customer.subscription.trial_will_end", sub)
        return sub
