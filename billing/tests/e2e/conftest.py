"""A gunicorn server on the test database wired to an in-process fake Stripe that delivers its
webhooks to it, plus the project's Chromium fixtures."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings

from devtools.stripe import FakeStripe
from tests.e2e.fixtures import _free_port, app_server, app_server_env

SECRET = "whsec_e2e_billing"
PASSWORD = "browser-test-pass-2026"


@pytest.fixture(scope="module")
def billing_site(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from billing.catalog import plans_sync

    # pytest-django sets up the test database only if a collected test asks for one (the
    # module's ``test_runs_on_the_test_database`` does); never touch the dev database.
    if not connections["default"].settings_dict["NAME"].startswith("test"):
        pytest.fail("no test database was set up; run this module whole, not one test by id")
    port = _free_port()
    fake = FakeStripe(port=0, webhook_secret=SECRET, webhook_url=f"http://localhost:{port}/billing/webhook/").start()
    stripe_env = {"STRIPE_API_BASE": fake.url, "STRIPE_SECRET_KEY": "sk_test_e2e", "STRIPE_WEBHOOK_SECRET": SECRET}
    env = app_server_env(**stripe_env)
    email = f"upgrader-{uuid.uuid4().hex[:8]}@example.com"

    def prepare() -> None:
        with override_settings(**stripe_env):
            plans_sync()
        user = User.objects.create_user(email=email, password=PASSWORD)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)

    # Playwright's sync API keeps an event loop running in this thread, where Django refuses
    # database calls: do the setup from a worker thread.
    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(prepare).result()
    try:
        with app_server(port=port, env=env):
            yield {"base": f"http://localhost:{port}", "fake": fake, "email": email}
    finally:
        fake.stop()
