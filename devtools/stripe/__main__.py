"""``python -m devtools.stripe --port 12111 --webhook-url URL --webhook-secret whsec_...``"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os

from devtools.stripe.server import FakeStripe


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.stripe", description="Local fake of the Stripe API.")
    parser.add_argument("--host", default=os.environ.get("FAKE_STRIPE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_STRIPE_PORT", 12111)))
    parser.add_argument("--webhook-url", default=os.environ.get("FAKE_STRIPE_WEBHOOK_URL"))
    parser.add_argument("--webhook-secret", default=os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_test"))
    parser.add_argument(
        "--public-url",
        default=os.environ.get("FAKE_STRIPE_PUBLIC_URL"),
        help="base URL browsers use for the hosted pages (default: http://HOST:PORT)",
    )
    parser.add_argument("--api-key", default=None, help="accept only this secret key (default: any sk_test_ key)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s fake-stripe %(levelname)s %(message)s",
    )
    fake = FakeStripe(
        host=args.host,
        port=args.port,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        api_key=args.api_key,
        public_url=args.public_url,
    )
    logging.getLogger(__name__).info("listening on %s, webhooks to %s", fake.url, args.webhook_url or "(recorded only)")
    with contextlib.suppress(KeyboardInterrupt):
        fake.serve_forever()


if __name__ == "__main__":
    main()
