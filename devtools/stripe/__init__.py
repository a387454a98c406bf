"""A local fake of the slice of the Stripe API that ChatRealty uses.

Speaks Stripe's HTTP protocol as the official ``stripe`` library uses it (form-encoded bodies
with bracketed keys, Bearer secret keys, ``Idempotency-Key``, Stripe-shaped JSON and errors),
serves its own hosted Checkout and Customer Portal pages, and sends webhooks signed exactly as
Stripe signs them. It imports nothing from Django so it can run anywhere:

    python -m devtools.stripe --port 12111 \
        --webhook-url http://localhost:8000/billing/webhook/ --webhook-secret whsec_test

Failure modes and webhook timing are driven through ``/_control/...`` (see ``control.py``).
"""

from devtools.stripe.server import FakeStripe

__all__ = ["FakeStripe"]
