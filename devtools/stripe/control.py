"""``/_control/...``: drive the fake like a test clock and a chaos switch.

Every control call that changes something delivers the events it caused before it answers,
so a test (or the demo) can act and then assert on the application's state straight away.

    POST /_control/checkout/<cs_id>/complete     [card_number=...]
    POST /_control/checkout/<cs_id>/expire       checkout.session.expired (abandoned)
    POST /_control/subscriptions/<id>/renew       next period, invoice.paid
    POST /_control/subscriptions/<id>/fail_payment  next period, past_due, invoice.payment_failed
    POST /_control/subscriptions/<id>/pay         open invoice paid, back to active
    POST /_control/subscriptions/<id>/cancel      [out_of_order=true]
    POST /_control/subscriptions/<id>/trial_will_end
    POST /_control/events/<evt_id>/resend         [times=N]  duplicate delivery
    POST /_control/faults   kind=error|hang [status=500] [seconds=5] [count=1] [after=true]
                                                  [path=/v1/checkout/sessions]
    GET  /_control/deliveries?since=N            the signed payloads sent so far
    POST /_control/webhook  url=... [secret=...]
    POST /_control/reset
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from devtools.stripe import lifecycle
from devtools.stripe.formdata import as_bool
from devtools.stripe.objects import Obj
from devtools.stripe.store import StripeError, strip_private

if TYPE_CHECKING:
    from devtools.stripe.server import FakeStripe


@dataclass
class Fault:
    kind: str  # "error" or "hang"
    status: int = 500
    seconds: float = 5.0
    # ``after``: do the work, then lose the response (as a proxy failing on the way back).
    after: bool = False
    # Only requests whose path starts with this are affected ("" = the next API call).
    path: str = ""


_SUB = re.compile(r"^/_control/subscriptions/(?P<id>\w+)/(?P<action>\w+)$")
_CHECKOUT = re.compile(r"^/_control/checkout/(?P<id>\w+)/complete$")
_RESEND = re.compile(r"^/_control/events/(?P<id>\w+)/resend$")
_EXPIRE = re.compile(r"^/_control/checkout/(?P<id>\w+)/expire$")


def handle(fake: FakeStripe, method: str, path: str, params: dict[str, Any]) -> Obj:
    store = fake.store
    if method == "GET" and path == "/_control/deliveries":
        since = int(params.get("since", 0))
        return {"data": [d.as_dict() for d in fake.deliverer.since(since)], "next": len(fake.deliverer.log)}
    if method == "GET" and path == "/_control/health":
        return {"ok": True}
    if method != "POST":
        raise StripeError(405, "Control endpoints take POST.")
    if m := _SUB.match(path):
        sub = store.get("subscription", m["id"])
        action = m["action"]
        actions = {
            "renew": lambda: lifecycle.subscription_renew(store, sub, pay=True),
            "fail_payment": lambda: lifecycle.subscription_renew(store, sub, pay=False),
            "pay": lambda: lifecycle.invoice_pay(store, sub),
            "cancel": lambda: lifecycle.subscription_cancel(
                store, sub, out_of_order=as_bool(params.get("out_of_order"))
            ),
            "trial_will_end": lambda: lifecycle.trial_will_end(store, sub),
        }
        if action not in actions:
            raise StripeError(404, f"Unknown control action {action!r}.")
        result = actions[action]()
    elif m := _CHECKOUT.match(path):
        session = store.get("checkout.session", m["id"])
        lifecycle.checkout_complete(store, session, card=str(params.get("card_number", "4242424242424242")))
        result = session
    elif m := _EXPIRE.match(path):
        # The guest walked away: Stripe expires the session and says so.
        session = store.get("checkout.session", m["id"])
        if session["status"] != "open":
            raise StripeError(400, "Only open Checkout Sessions can be expired.")
        session["status"] = "expired"
        store.emit("checkout.session.expired", session)
        result = session
    elif m := _RESEND.match(path):
        event = store.get("event", m["id"])
        for _ in range(int(params.get("times", 1))):
            fake.enqueue(event)
        result = event
    elif path == "/_control/faults":
        fault = Fault(
            kind=params.get("kind", "error"),
            status=int(params.get("status", 500)),
            seconds=float(params.get("seconds", 5)),
            after=as_bool(params.get("after", "false")),
            path=str(params.get("path", "")),
        )
        fake.faults.extend([fault] * int(params.get("count", 1)))
        return {"pending_faults": len(fake.faults)}
    elif path == "/_control/webhook":
        fake.deliverer.url = params.get("url") or None
        fake.deliverer.secret = params.get("secret") or fake.deliverer.secret
        return {"url": fake.deliverer.url}
    elif path == "/_control/reset":
        fake.reset()
        return {"ok": True}
    else:
        raise StripeError(404, f"Unknown control endpoint {path}.")
    fake.flush()
    return strip_private(result)
