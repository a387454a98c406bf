"""A gunicorn server on the test database wired to an in-process fake Stripe that delivers its
webhooks to it, plus the project's Chromium fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings

from billing.fake_stripe import FakeStripe
from tests.e2e.fixtures import ROOT, _free_port, _wait_until_up

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
    # The connection's settings carry the *test* database's name; settings.DATABASES may not.
    db = connections["default"].settings_dict
    env = {
        **os.environ,
        **stripe_env,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "TEST_RUN_ID": settings.CACHES["default"]["KEY_PREFIX"].removeprefix("test"),
        "MONGODB_TEST_DB": settings.MONGODB_DB,
    }
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
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
            "--env",
            "DJANGO_SETTINGS_MODULE=config.settings.test",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_up(port, process)
        yield {"base": f"http://localhost:{port}", "fake": fake, "email": email}
    finally:
        process.terminate()
        process.wait(timeout=15)
        fake.stop()
