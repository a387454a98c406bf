"""The hosted Checkout and Customer Portal pages the fake serves in place of Stripe's.

Deliberately plain HTML forms: a browser (or a test posting the same form) can pay with a test
card, change plan or cancel, and the fake then does what Stripe would and sends the webhooks.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from devtools.stripe import lifecycle
from devtools.stripe.objects import Obj
from devtools.stripe.store import Store, StripeError

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
.box{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}
.error{color:#b00020} button{padding:.5rem 1rem;margin:.25rem 0} .muted{color:#666}
input{padding:.4rem;width:100%;box-sizing:border-box}
"""


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><p class='muted'>Test mode · local Stripe"
        f"</p><h1>{escape(title)}</h1>{body}{LOCAL_DATES_JS}</body></html>"
    )


def _money(cents: int, currency: str = "usd") -> str:
    return f"${cents / 100:,.2f} {currency.upper()}"


# Stripe's hosted pages show dates in the browser's time zone: the date is written in UTC and
# the page's script rewrites it in the visitor's zone, as the site's billing page does.
LOCAL_DATES_JS = (
    "<script>document.querySelectorAll('time[data-local-date]').forEach(function(t){var d=new Date(t.dateTime);"
    "if(!isNaN(d))t.textContent=d.toLocaleDateString(undefined,{year:'numeric',month:'short',day:'numeric'});});</script>"
)


def _date(ts: int | None) -> str:
    if not ts:
        return "—"
    when = dt.datetime.fromtimestamp(ts, tz=dt.UTC)
    return f'<time datetime="{when.isoformat()}" data-local-date>{when:%b} {when.day}, {when.year}</time>'


def checkout_page(store: Store, session: Obj, *, error: str | None = None) -> str:
    if session["status"] != "open":
        return _page("Checkout", f"<p>This checkout session is {escape(session['status'])}.</p>")
    lines = "".join(
        f"<li>{escape(store.objects[li['price']['product']]['name'])} — "
        f"{_money(li['amount_total'], li['currency'])}"
        f"{' / ' + escape(li['price']['recurring']['interval']) if li['price'].get('recurring') else ''}</li>"
        for li in session["_line_items"]
    )
    email = session.get("customer_email") or ""
    if session.get("customer"):
        email = store.objects[session["customer"]].get("email") or email
    err = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    trial = int((session.get("_subscription_data") or {}).get("trial_period_days") or 0)
    if trial:
        lines += f"<li id='trial'>{trial}-day free trial: your card is saved and charged when it ends</li>"
    verb = "Pay" if session["mode"] == "payment" else "Subscribe"
    body = f"""
<div class="box"><ul>{lines}</ul><p><strong>Total due today:
{_money(session["amount_total"], session["currency"])}</strong></p></div>{err}
<form method="post" action="/checkout/{escape(session["id"])}">
<label>Email <input name="email" type="email" value="{escape(email)}"></label>
<label>Card number <input name="card_number" value="4242 4242 4242 4242" autocomplete="off"></label>
<label>Expiry <input name="card_expiry" value="12 / 34"></label>
<label>CVC <input name="card_cvc" value="123"></label>
<button type="submit" id="pay">{verb}</button></form>
<p><a href="{escape(session.get("cancel_url") or "#")}" id="cancel">← Back</a></p>"""
    return _page(verb, body)


def checkout_submit(store: Store, session: Obj, form: dict[str, Any]) -> tuple[int, str, str]:
    """Returns (status, location-or-empty, html)."""
    with store.lock:
        if session["customer"] is None and form.get("email"):
            session["customer_email"] = form["email"]
        try:
            lifecycle.checkout_complete(store, session, card=str(form.get("card_number", "")))
        except StripeError as exc:
            return 402, "", checkout_page(store, session, error=exc.message)
    url = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
    return 303, url, ""


def _switchable_prices(store: Store, current: Obj, config: Obj | None) -> list[Obj]:
    """Prices the portal offers: those its configuration lists (as Stripe does), or, with no
    configuration, every active recurring price for the same audience."""
    if config is not None:
        update = config["features"]["subscription_update"]
        if not update["enabled"]:
            return []
        allowed = {price for product in update["products"] for price in product["prices"]}
        return [p for p in store.all("price") if p["id"] in allowed and p["id"] != current["id"] and p["active"]]
    product = store.objects.get(current["product"], {})
    audience = product.get("metadata", {}).get("audience")
    return [
        p
        for p in store.all("price")
        if p["active"]
        and p["recurring"]
        and p["id"] != current["id"]
        and store.objects[p["product"]].get("metadata", {}).get("audience") == audience
    ]


def portal_page(store: Store, session: Obj, *, notice: str | None = None) -> str:
    customer = store.get("customer", session["customer"])
    config = store.objects.get(session.get("configuration") or "")
    subs = [s for s in store.all("subscription") if s["customer"] == customer["id"] and s["status"] != "canceled"]
    blocks = []
    base = f"/portal/{escape(session['id'])}"
    for sub in subs:
        item = sub["items"]["data"][0]
        price = item["price"]
        name = escape(store.objects[price["product"]]["name"])
        sid = escape(sub["id"])
        status = escape(sub["status"])
        renew = ("Cancels on " if sub["cancel_at_period_end"] else "Renews on ") + _date(item["current_period_end"])
        options = "".join(
            f"<form method='post' action='{base}/update'><input type='hidden' name='subscription'"
            f" value='{sid}'><input type='hidden' name='price' value='{escape(p['id'])}'>"
            f"<button data-price='{escape(p['lookup_key'] or p['id'])}'>Switch to "
            f"{escape(store.objects[p['product']]['name'])} ({_money(p['unit_amount'])}/"
            f"{escape(p['recurring']['interval'])})</button></form>"
            for p in _switchable_prices(store, price, config)
        )
        action = "resume" if sub["cancel_at_period_end"] else "cancel"
        label = "Don't cancel" if sub["cancel_at_period_end"] else "Cancel plan"
        pay = (
            f"<form method='post' action='{base}/pay'><input type='hidden' "
            f"name='subscription' value='{sid}'><button id='pay-invoice'>Pay open invoice "
            f"with a new card</button></form>"
            if sub["status"] == "past_due"
            else ""
        )
        blocks.append(
            f"<div class='box' id='{sid}'><h2>{name}</h2><p>{_money(price['unit_amount'])} per "
            f"{escape(price['recurring']['interval'])} · <span class='status'>{status}</span> · "
            f"{renew}</p>{pay}{options}<form method='post' action='{base}/{action}'>"
            f"<input type='hidden' name='subscription' value='{sid}'><button id='{action}'>"
            f"{label}</button></form></div>"
        )
    invoices = "".join(
        f"<li>{_date(inv['created'])} · {_money(inv['amount_due'])} · {escape(inv['status'])}</li>"
        for inv in store.all("invoice")
        if inv["customer"] == customer["id"]
    )
    note = f"<p class='notice' role='status'>{escape(notice)}</p>" if notice else ""
    body = (
        f"{note}<p>{escape(customer.get('email') or '')}</p>"
        f"{''.join(blocks) or '<p>No active subscriptions.</p>'}"
        f"<h2>Invoices</h2><ul>{invoices or '<li>None yet</li>'}</ul>"
        f"<p><a id='return' href='{escape(session.get('return_url') or '#')}'>← Return</a></p>"
    )
    return _page("Billing", body)


def portal_submit(store: Store, session: Obj, action: str, form: dict[str, Any]) -> str:
    """Carry out a portal action; returns the notice to show."""
    sub = store.get("subscription", str(form.get("subscription", "")))
    if sub["customer"] != session["customer"]:
        raise StripeError(403, "This subscription belongs to another customer.")
    if action == "update":
        config = store.objects.get(session.get("configuration") or "")
        price = store.get("price", str(form.get("price", "")))
        if price not in _switchable_prices(store, sub["items"]["data"][0]["price"], config):
            raise StripeError(400, "This portal does not offer that plan.")
        item_id = sub["items"]["data"][0]["id"]
        lifecycle.subscription_update(
            store,
            sub,
            {
                "items": [{"id": item_id, "price": form.get("price", "")}],
                "proration_behavior": "create_prorations",
            },
        )
        return "Your plan has been updated."
    if action in ("cancel", "resume"):
        lifecycle.subscription_update(store, sub, {"cancel_at_period_end": "true" if action == "cancel" else "false"})
        return "Your plan will be canceled at the end of the period." if action == "cancel" else "Your plan will renew."
    if action == "pay":
        lifecycle.invoice_pay(store, sub)
        return "Payment succeeded."
    raise StripeError(404, f"Unknown portal action {action!r}.")
