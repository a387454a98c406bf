"""Builders for Stripe-shaped objects (API version ``2025-03-31.basil`` and later).

Shapes follow the current API: subscription billing periods live on the subscription *items*
(``items.data[].current_period_start/end``), and an invoice points at its subscription through
``parent.subscription_details`` rather than a top-level ``subscription`` field.
"""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
import string
import time
from typing import Any

API_VERSION = "2026-10-28.endive"
_ALPHABET = string.ascii_letters + string.digits

Obj = dict[str, Any]


def new_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def now() -> int:
    return int(time.time())


def add_month(ts: int) -> int:
    """One calendar month later, clamped to the month's last day, as Stripe bills monthly."""
    d = dt.datetime.fromtimestamp(ts, tz=dt.UTC)
    year, month = (d.year + (d.month // 12), d.month % 12 + 1)
    day = min(d.day, calendar.monthrange(year, month)[1])
    return int(d.replace(year=year, month=month, day=day).timestamp())


def list_object(data: list[Obj], *, url: str, has_more: bool = False) -> Obj:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def customer(*, email: str | None, name: str | None, metadata: dict[str, str]) -> Obj:
    return {
        "id": new_id("cus_"),
        "object": "customer",
        "created": now(),
        "email": email,
        "name": name,
        "description": None,
        "metadata": metadata,
        "livemode": False,
        "currency": None,
        "delinquent": False,
        "invoice_prefix": secrets.token_hex(4).upper(),
        "invoice_settings": {"default_payment_method": None},
    }


def product(*, id: str | None, name: str, description: str | None, metadata: dict) -> Obj:
    return {
        "id": id or new_id("prod_"),
        "object": "product",
        "active": True,
        "created": now(),
        "updated": now(),
        "name": name,
        "description": description,
        "metadata": metadata,
        "livemode": False,
        "default_price": None,
        "type": "service",
    }


def price(
    *,
    product_id: str,
    unit_amount: int,
    currency: str,
    interval: str | None,
    lookup_key: str | None,
    nickname: str | None,
    metadata: dict,
) -> Obj:
    return {
        "id": new_id("price_"),
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": now(),
        "currency": currency,
        "livemode": False,
        "lookup_key": lookup_key,
        "metadata": metadata,
        "nickname": nickname,
        "product": product_id,
        "recurring": (
            {"interval": interval, "interval_count": 1, "usage_type": "licensed", "trial_period_days": None}
            if interval
            else None
        ),
        "tax_behavior": "unspecified",
        "type": "recurring" if interval else "one_time",
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount),
    }


def subscription_item(*, subscription_id: str, price_obj: Obj, quantity: int, period_start: int) -> Obj:
    return {
        "id": new_id("si_"),
        "object": "subscription_item",
        "created": now(),
        "current_period_start": period_start,
        "current_period_end": add_month(period_start),
        "metadata": {},
        "price": dict(price_obj),
        "quantity": quantity,
        "subscription": subscription_id,
        "tax_rates": [],
        "discounts": [],
    }


def subscription(*, customer_id: str, prices: list[tuple[Obj, int]], metadata: dict) -> Obj:
    sub_id = new_id("sub_")
    start = now()
    items = [subscription_item(subscription_id=sub_id, price_obj=p, quantity=q, period_start=start) for p, q in prices]
    return {
        "id": sub_id,
        "object": "subscription",
        "billing_cycle_anchor": start,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically",
        "created": start,
        "currency": prices[0][0]["currency"] if prices else "usd",
        "customer": customer_id,
        "default_payment_method": None,
        "ended_at": None,
        "items": list_object(items, url=f"/v1/subscription_items?subscription={sub_id}"),
        "latest_invoice": None,
        "livemode": False,
        "metadata": metadata,
        "start_date": start,
        "status": "active",
        "trial_end": None,
        "trial_start": None,
    }


def invoice(
    *,
    customer_obj: Obj,
    sub: Obj,
    lines: list[tuple[str, int, int, int]],
    billing_reason: str,
    paid: bool,
    base_url: str,
) -> Obj:
    """``lines`` are (description, amount, period_start, period_end)."""
    inv_id = new_id("in_")
    total = sum(amount for _, amount, _, _ in lines)
    line_objs = [
        {
            "id": new_id("il_"),
            "object": "line_item",
            "amount": amount,
            "currency": sub["currency"],
            "description": description,
            "period": {"start": start, "end": end},
            "parent": {
                "type": "subscription_item_details",
                "subscription_item_details": {
                    "subscription": sub["id"],
                    "subscription_item": sub["items"]["data"][0]["id"],
                    "proration": amount < 0 or "Unused" in description or "Remaining" in description,
                },
            },
            "quantity": 1,
        }
        for description, amount, start, end in lines
    ]
    first_start = min(start for _, _, start, _ in lines)
    last_end = max(end for _, _, _, end in lines)
    return {
        "id": inv_id,
        "object": "invoice",
        "account_country": "US",
        "amount_due": max(total, 0),
        "amount_paid": max(total, 0) if paid else 0,
        "amount_remaining": 0 if paid else max(total, 0),
        "attempt_count": 1,
        "attempted": True,
        "billing_reason": billing_reason,
        "collection_method": "charge_automatically",
        "created": now(),
        "currency": sub["currency"],
        "customer": customer_obj["id"],
        "customer_email": customer_obj.get("email"),
        "hosted_invoice_url": f"{base_url}/invoice/{inv_id}",
        "invoice_pdf": f"{base_url}/invoice/{inv_id}/pdf",
        "lines": list_object(line_objs, url=f"/v1/invoices/{inv_id}/lines"),
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None if paid else now() + 3 * 86400,
        "number": f"{customer_obj['invoice_prefix']}-{secrets.randbelow(10_000):04d}",
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"metadata": dict(sub["metadata"]), "subscription": sub["id"]},
        },
        "period_start": first_start,
        "period_end": last_end,
        "status": "paid" if paid else "open",
        "status_transitions": {"paid_at": now() if paid else None, "finalized_at": now()},
        "subtotal": total,
        "total": total,
    }


def event(
    *,
    type: str,
    obj: Obj,
    previous_attributes: Obj | None,
    created: int | None = None,
    idempotency_key: str | None = None,
) -> Obj:
    data: Obj = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {
        "id": new_id("evt_"),
        "object": "event",
        "api_version": API_VERSION,
        "created": created if created is not None else now(),
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": new_id("req_"), "idempotency_key": idempotency_key},
        "type": type,
    }
