"""Every rate limit of ours, in one table (``security.ratelimit`` applies it).

Rates are per site (counters carry the schema) and per client: the address from the trusted
proxy (``ip``), the signed-in account (``user``), an API key (``api_key``) or a submitted field
(``field:login``). Every matching row counts, so a request under ``/api/`` counts against its
endpoint's row and the ``api`` row. Rows name paths rather than only URL names where a view
may move (the JSON API is django-ninja's, config/api.py): ``^/api/map/clusters`` stays what it is.

To limit a new endpoint, add a row here and a test that the (N+1)-th request answers 429
(see security/tests/test_ratelimit.py). docs/architecture.md ("Security") explains the rest.

django-allauth keeps the limits that need to know how an attempt ended or what it sent
(failed logins per address and per account, one confirmation mail per address every few
minutes): ``ACCOUNT_RATE_LIMITS`` in config/settings/accounts.py, counted on the same client
address. The plain request-volume limits of its forms are here.
"""

from __future__ import annotations

from django.conf import settings

from security.ratelimit import READS, WRITES, Limit, Rule


def _api_key_rate() -> str:
    return f"{settings.API_KEY_RATE_PER_MINUTE}/m"


POST = frozenset({"POST"})


def _chat_rate() -> str:
    return f"{settings.CHAT_RATE_PER_MINUTE}/m"


def _chat_hourly() -> str:
    return f"{settings.CHAT_RATE_PER_MINUTE * 10}/h"


# A provider request mails up to three providers; the chat assistant's tool counts against
# the same counters (chat.tools_providers), so chat is no way around the form's limit.
PROVIDER_REQUEST = Rule(
    "provider-request",
    path=r"^/providers/request/$",
    methods=POST,
    limits=(Limit("5/h", "ip"), Limit("20/d", "ip"), Limit("5/h", "user")),
)

POLICY: tuple[Rule, ...] = (
    # ---- accounts (allauth's views; a human signs in a few times a day) ----
    Rule(
        "login",
        views=("account_login",),
        methods=POST,
        limits=(Limit("20/m", "ip"), Limit("10/5m", "field:login")),
    ),
    Rule("signup", views=("account_signup",), methods=POST, limits=(Limit("10/h", "ip"),)),
    Rule(
        "password-reset",
        views=("account_reset_password", "account_reset_password_from_key"),
        methods=POST,
        limits=(Limit("10/h", "ip"), Limit("3/h", "field:email")),
    ),
    Rule(
        "login-code",
        views=("account_request_login_code", "account_confirm_login_code"),
        methods=POST,
        limits=(Limit("10/h", "ip"), Limit("5/h", "field:email")),
    ),
    # ---- messages that reach a person (each makes a lead and an email) ----
    Rule(
        "showing-request",
        path=r"^/listings/[^/]+/showing/$",
        methods=POST,
        limits=(Limit("5/h", "ip"), Limit("20/d", "ip"), Limit("5/h", "user")),
    ),
    # Wagtail serves form pages (contact) through its catch-all view; a POST there is a form
    # submission.
    Rule(
        "contact-form",
        views=("wagtail_serve",),
        methods=POST,
        limits=(Limit("5/h", "ip"), Limit("20/d", "ip"), Limit("5/h", "user")),
    ),
    Rule(
        "page-password",
        views=("wagtailcore_authenticate_with_password",),
        methods=POST,
        limits=(Limit("10/10m", "ip"),),
    ),
    # ---- marketplace (issue 17): provider requests (above); a booking holds the nights and
    # opens a Stripe Checkout ----
    PROVIDER_REQUEST,
    Rule("provider-request-page", path=r"^/providers/requests/[^/]+/$", methods=POST, limits=(Limit("20/h", "ip"),)),
    Rule(
        "rental-booking",
        path=r"^/rentals/[^/]+/book/$",
        methods=POST,
        limits=(Limit("10/h", "ip"), Limit("30/d", "ip"), Limit("10/h", "user")),
    ),
    Rule("rental-trip", path=r"^/rentals/trips/[^/]+/$", methods=POST, limits=(Limit("30/h", "ip"),)),
    # The rentals map asks on every pan and zoom (as map-clusters).
    Rule(
        "rental-search",
        path=r"^/api/rentals/search$",
        methods=READS,
        limits=(Limit("120/m", "ip"),),
    ),
    # ---- costly writes ----
    Rule("site-launch", views=("network_launch",), methods=POST, limits=(Limit("5/h", "user"), Limit("10/h", "ip"))),
    Rule("checkout", path=r"^/billing/checkout/$", methods=POST, limits=(Limit("20/h", "user"), Limit("30/h", "ip"))),
    # ---- costly answers (a valuation, a PDF; the assistant's row is below) ----
    Rule(
        "cma",
        path=r"^/(cma/|api/cma)$",
        methods=POST,
        limits=(Limit("10/m", "ip"), Limit("10/m", "user"), Limit("10/m", "api_key")),
    ),
    Rule("cma-pdf", path=r"^/cma/[^/]+/pdf/$", methods=READS, limits=(Limit("20/m", "ip"),)),
    # ---- visitor APIs ----
    Rule(
        "swipes",
        path=r"^/api/swipes$",
        methods=WRITES,
        limits=(Limit("120/m", "ip"), Limit("120/m", "user")),
    ),
    Rule("swipe-queue", path=r"^/api/swipes/queue$", methods=READS, limits=(Limit("60/m", "ip"),)),
    # Map clusters: a map pans and zooms a few times a second at most. Index builds for new
    # filter sets are bounded apart (listings.clusters.cache, per process).
    Rule(
        "map-clusters",
        path=r"^/api/map/clusters",
        methods=READS,
        limits=(Limit("120/m", "ip", unless="api_key"),),
    ),
    # The assistant: each message runs a model; the plans' allowances count messages, this
    # bounds bursts (and visitors clearing cookies for fresh anonymous allowances).
    Rule(
        "chat",
        path=r"^/api/chat/stream$",
        methods=POST,
        limits=(Limit(_chat_rate, "ip"), Limit(_chat_hourly, "ip"), Limit(_chat_rate, "user")),
    ),
    # ---- the public API: everything under /api/ ----
    # By address, except for clients with an API key: those are limited by their key once it
    # is verified (API_KEY below), so nobody can use up another's allowance.
    Rule("api", path=r"^/api/", limits=(Limit("300/m", "ip", unless="api_key"),)),
)

# Limits counted by code rather than by URL (``limit_hit``), kept here so every rate is in
# this file. listings.api_keys: each verified key (Investor 3: API_KEY_RATE_PER_MINUTE), and
# failed key checks per address (bounds key guessing and the lookups it costs).
API_KEY = Limit(_api_key_rate, "api_key")
API_KEY_FAILURES = Limit("30/10m", "ip")
