"""The real ``stripe`` library against the fake, over HTTP: the fake must speak Stripe."""

from __future__ import annotations

import http.server as http_server
import json
import threading
from typing import Any

import pytest
import stripe

from billing.tests.conftest import WEBHOOK_SECRET
from billing.tests.fake_helpers import control, deliveries, http, pay_checkout
from devtools.stripe import FakeStripe
from devtools.stripe.formdata import decode


def _catalog(client: stripe.StripeClient) -> tuple[stripe.Price, stripe.Price]:
    prices = []
    for key, amount in (("pro", 1000), ("ultimate", 2000)):
        client.v1.products.create(
            params={"id": f"chatrealty_{key}", "name": key.title(), "metadata": {"audience": "consumer"}}
        )
        prices.append(
            client.v1.prices.create(
                params={
                    "product": f"chatrealty_{key}",
                    "unit_amount": amount,
                    "currency": "usd",
                    "recurring": {"interval": "month"},
                    "lookup_key": f"chatrealty_{key}_monthly",
                }
            )
        )
    return prices[0], prices[1]


def _subscribe(client: stripe.StripeClient, price: stripe.Price) -> stripe.Subscription:
    customer = client.v1.customers.create(params={"email": "buyer@example.com"})
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer.id,
            "line_items": [{"price": price.id, "quantity": 1}],
            "success_url": "http://site.test/billing/success/?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://site.test/billing/cancel/",
            "client_reference_id": "site1:7",
            "subscription_data": {"metadata": {"schema": "site1", "user_id": "7"}},
        }
    )
    status, location = pay_checkout(session.url)
    assert status == 303, location
    session = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["subscription"]})
    return session.subscription


def test_form_decoding_matches_the_stripe_library_encoding() -> None:
    assert decode(
        "line_items[0][price]=p&line_items[0][quantity]=1&expand[0]=a&expand[]=b&metadata[k]=v&mode=subscription"
    ) == {
        "line_items": [{"price": "p", "quantity": "1"}],
        "expand": ["a", "b"],
        "metadata": {"k": "v"},
        "mode": "subscription",
    }


def test_missing_or_live_key_is_rejected(fake_stripe: FakeStripe) -> None:
    client = stripe.StripeClient("sk_live_nope", base_addresses={"api": fake_stripe.url})
    with pytest.raises(stripe.AuthenticationError):
        client.v1.customers.list()


def test_unknown_object_is_a_stripe_shaped_404(stripe_client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_client.v1.subscriptions.retrieve("sub_missing")
    assert exc.value.http_status == 404
    assert exc.value.code == "resource_missing"
    assert exc.value.json_body["error"]["type"] == "invalid_request_error"


def test_prices_by_lookup_key_and_expand(stripe_client: stripe.StripeClient) -> None:
    _catalog(stripe_client)
    found = stripe_client.v1.prices.list(
        params={"lookup_keys": ["chatrealty_ultimate_monthly"], "expand": ["data.product"]}
    )
    assert [p.unit_amount for p in found.data] == [2000]
    assert found.data[0].product.name == "Ultimate"
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.prices.create(
            params={
                "product": "chatrealty_pro",
                "unit_amount": 1100,
                "currency": "usd",
                "recurring": {"interval": "month"},
                "lookup_key": "chatrealty_pro_monthly",
            }
        )
    moved = stripe_client.v1.prices.create(
        params={
            "product": "chatrealty_pro",
            "unit_amount": 1100,
            "currency": "usd",
            "recurring": {"interval": "month"},
            "lookup_key": "chatrealty_pro_monthly",
            "transfer_lookup_key": True,
        }
    )
    found = stripe_client.v1.prices.list(params={"lookup_keys": ["chatrealty_pro_monthly"]})
    assert [p.id for p in found.data] == [moved.id]


def test_list_pagination(stripe_client: stripe.StripeClient) -> None:
    ids = [stripe_client.v1.customers.create(params={"email": f"{i}@x.test"}).id for i in range(5)]
    first = stripe_client.v1.customers.list(params={"limit": 2})
    assert first.has_more and [c.id for c in first.data] == ids[::-1][:2]
    rest = list(stripe_client.v1.customers.list(params={"limit": 2}).auto_paging_iter())
    assert [c.id for c in rest] == ids[::-1]


def test_idempotency_key_replays_the_first_response(
    stripe_client: stripe.StripeClient, fake_stripe: FakeStripe
) -> None:
    params = {"email": "same@example.com"}
    first = stripe_client.v1.customers.create(params=params, options={"idempotency_key": "k-1"})
    again = stripe_client.v1.customers.create(params=params, options={"idempotency_key": "k-1"})
    assert first.id == again.id
    assert len(fake_stripe.store.all("customer")) == 1
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.customers.create(params={"email": "other@example.com"}, options={"idempotency_key": "k-1"})


def test_checkout_creates_subscription_invoice_and_signed_events(
    stripe_client: stripe.StripeClient, fake_stripe: FakeStripe
) -> None:
    pro, _ = _catalog(stripe_client)
    sub = _subscribe(stripe_client, pro)
    item = sub["items"].data[0]
    assert sub.status == "active" and sub.metadata.to_dict() == {"schema": "site1", "user_id": "7"}
    assert item.price.lookup_key == "chatrealty_pro_monthly"
    assert item.current_period_end > item.current_period_start
    invoice = stripe_client.v1.invoices.retrieve(sub.latest_invoice)
    assert invoice.status == "paid" and invoice.amount_paid == 1000
    assert invoice.parent.subscription_details.subscription == sub.id
    sent = deliveries(fake_stripe)
    types = [d["type"] for d in sent]
    assert types[-4:] == [
        "customer.subscription.created",
        "invoice.paid",
        "customer.subscription.updated",
        "checkout.session.completed",
    ]
    # Checkout's pair, as Stripe sends it: incomplete, then active, stamped with one second.
    pair = [json.loads(d["payload"]) for d in sent[-4:] if d["type"].startswith("customer.subscription.")]
    assert [e["data"]["object"]["status"] for e in pair] == ["incomplete", "active"]
    assert pair[1]["data"]["previous_attributes"] == {"status": "incomplete"}
    assert len({e["created"] for e in pair}) == 1
    for d in sent:
        event = stripe.Webhook.construct_event(d["payload"], d["signature"], WEBHOOK_SECRET)
        assert event.id == d["event_id"]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(sent[0]["payload"], sent[0]["signature"], "whsec_wrong")
    completed = stripe_client.v1.events.list(params={"type": "checkout.session.completed"}).data[0]
    assert completed.data.object.client_reference_id == "site1:7"


def test_declined_card_keeps_checkout_open(stripe_client: stripe.StripeClient) -> None:
    pro, _ = _catalog(stripe_client)
    session = stripe_client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "line_items": [{"price": pro.id, "quantity": 1}],
            "success_url": "http://site.test/ok",
            "customer_email": "d@example.com",
        }
    )
    status, body = pay_checkout(session.url, card="4000 0000 0000 0002")
    assert status == 402 and "declined" in body
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_portal_plan_change_prorates_and_cancel_at_period_end(
    stripe_client: stripe.StripeClient, fake_stripe: FakeStripe
) -> None:
    pro, ultimate = _catalog(stripe_client)
    sub = _subscribe(stripe_client, pro)
    portal = stripe_client.v1.billing_portal.sessions.create(
        params={"customer": sub.customer, "return_url": "http://site.test/billing/"}
    )
    status, _, page = http(portal.url)
    assert status == 200 and "Switch to Ultimate" in page
    status, _, _ = http(f"{portal.url}/update", data={"subscription": sub.id, "price": ultimate.id})
    assert status == 303
    sub = stripe_client.v1.subscriptions.retrieve(sub.id)
    assert sub["items"].data[0].price.id == ultimate.id
    renewed = control(fake_stripe, f"subscriptions/{sub.id}/renew")
    invoice = stripe_client.v1.invoices.retrieve(renewed["latest_invoice"])
    # The next invoice carries the proration lines: credit for Pro, charge for Ultimate.
    assert len(invoice.lines.data) == 3 and invoice.amount_due > 2000 - 1
    http(f"{portal.url}/cancel", data={"subscription": sub.id})
    assert stripe_client.v1.subscriptions.retrieve(sub.id).cancel_at_period_end is True
    ended = control(fake_stripe, f"subscriptions/{sub.id}/renew")
    assert ended["status"] == "canceled"
    assert deliveries(fake_stripe)[-1]["type"] == "customer.subscription.deleted"


def test_api_update_with_proration_and_delete(stripe_client: stripe.StripeClient) -> None:
    pro, ultimate = _catalog(stripe_client)
    sub = _subscribe(stripe_client, pro)
    updated = stripe_client.v1.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": sub["items"].data[0].id, "price": ultimate.id}],
            "proration_behavior": "always_invoice",
        },
    )
    invoice = stripe_client.v1.invoices.retrieve(updated.latest_invoice)
    assert invoice.billing_reason == "subscription_update" and 0 < invoice.amount_due <= 1000
    canceled = stripe_client.v1.subscriptions.cancel(sub.id)
    assert canceled.status == "canceled" and canceled.ended_at


def test_renewal_failure_and_recovery(stripe_client: stripe.StripeClient, fake_stripe: FakeStripe) -> None:
    pro, _ = _catalog(stripe_client)
    sub = _subscribe(stripe_client, pro)
    start = sub["items"].data[0].current_period_end
    renewed = control(fake_stripe, f"subscriptions/{sub.id}/renew")
    assert renewed["items"]["data"][0]["current_period_start"] == start
    failed = control(fake_stripe, f"subscriptions/{sub.id}/fail_payment")
    assert failed["status"] == "past_due"
    assert deliveries(fake_stripe)[-1]["type"] == "invoice.payment_failed"
    recovered = control(fake_stripe, f"subscriptions/{sub.id}/pay")
    assert recovered["status"] == "active"


def test_out_of_order_and_duplicate_delivery(stripe_client: stripe.StripeClient, fake_stripe: FakeStripe) -> None:
    pro, _ = _catalog(stripe_client)
    sub = _subscribe(stripe_client, pro)
    mark = len(deliveries(fake_stripe))
    control(fake_stripe, f"subscriptions/{sub.id}/cancel", out_of_order="true")
    deleted, stale = deliveries(fake_stripe, mark)
    assert (deleted["type"], stale["type"]) == ("customer.subscription.deleted", "customer.subscription.updated")
    d_evt = stripe.Webhook.construct_event(deleted["payload"], deleted["signature"], WEBHOOK_SECRET)
    s_evt = stripe.Webhook.construct_event(stale["payload"], stale["signature"], WEBHOOK_SECRET)
    assert s_evt.created < d_evt.created and s_evt.data.object.status == "active"
    control(fake_stripe, f"events/{d_evt.id}/resend", times=2)
    assert [d["event_id"] for d in deliveries(fake_stripe, mark + 2)] == [d_evt.id, d_evt.id]


def test_500_after_the_work_is_retried_idempotently(
    stripe_client: stripe.StripeClient, fake_stripe: FakeStripe
) -> None:
    control(fake_stripe, "faults", kind="error", status=500, after="true")
    customer = stripe_client.v1.customers.create(params={"email": "once@example.com"})
    assert [c["id"] for c in fake_stripe.store.all("customer")] == [customer.id]


def test_persistent_500_surfaces_as_api_error(fake_stripe: FakeStripe) -> None:
    control(fake_stripe, "faults", kind="error", count=1)
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": fake_stripe.url}, max_network_retries=0)
    with pytest.raises(stripe.APIError) as exc:
        client.v1.customers.create(params={"email": "x@example.com"})
    assert exc.value.http_status == 500
    assert fake_stripe.store.all("customer") == []


def test_hang_times_out(fake_stripe: FakeStripe) -> None:
    control(fake_stripe, "faults", kind="hang", seconds=1.5)
    client = stripe.StripeClient(
        "sk_test_x",
        base_addresses={"api": fake_stripe.url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=0.3),
    )
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.list()


def test_webhooks_are_posted_to_the_configured_endpoint(
    stripe_client: stripe.StripeClient, fake_stripe: FakeStripe
) -> None:
    received: list[Any] = []

    class Endpoint(http_server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            payload = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(stripe.Webhook.construct_event(payload, self.headers["Stripe-Signature"], WEBHOOK_SECRET))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http_server.HTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        control(fake_stripe, "webhook", url=f"http://127.0.0.1:{server.server_address[1]}/hook")
        stripe_client.v1.customers.create(params={"email": "hook@example.com"})
        fake_stripe.flush()
        assert [e.type for e in received] == ["customer.created"]
        assert deliveries(fake_stripe)[-1]["status"] == 200
    finally:
        server.shutdown()
