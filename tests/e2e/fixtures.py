"""Browser-test fixtures, registered once for the whole suite (root conftest's
``pytest_plugins``) so every e2e test shares one Playwright driver: a second sync Playwright
in the same process fails. A real server process on the test database, and Debian's Chromium."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Playwright's sync API keeps an event loop running in the test thread; Django would refuse the
# test-database fixtures' queries there, though nothing runs concurrently with them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(port: int, process: subprocess.Popen, seconds: float = 90) -> None:
    """Wait until the server answers /healthz (its workers booted), not just until it listens."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the test server exited early")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError("the test server did not start")


def app_server_env(**extra: str) -> dict[str, str]:
    """Environment for a server process on this session's test database, Mongo database and
    cache namespace."""
    from django.db import connections

    db = connections["default"].settings_dict
    assert str(db["NAME"]).startswith("test_"), "browser tests must run on the test database"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{host}/{db['NAME']}",
        "TEST_RUN_ID": settings.CACHES["default"]["KEY_PREFIX"].removeprefix("test"),
        "MONGODB_TEST_DB": settings.MONGODB_DB,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


@contextmanager
def app_server(*, port: int, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """gunicorn serving the app from its own process until the block ends."""
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--threads", "4", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_until_up(port, process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def live_site(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app served by gunicorn from its own process, on the session's test database, so
    the browser sees committed data exactly as users would."""
    port = _free_port()
    mail_dir = tmp_path_factory.mktemp("mail")
    with app_server(port=port, env=app_server_env(TEST_EMAIL_FILE_PATH=str(mail_dir))):
        yield {"port": port, "mail_dir": mail_dir}


@contextmanager
def site_over_listings(docs: list[dict[str, Any]], *, mail_dir: Path) -> Iterator[dict[str, Any]]:
    """``docs`` alone in the store, then a server of its own started over them: its workers
    load their read model from exactly these listings. (The session's ``live_site`` keeps
    whatever its workers loaded first; it refreshes on no events in tests, and polling it until
    it shows another module's listings ran into the API's per-address limit.)"""
    from listings.store import LISTINGS, get_db

    coll = get_db()[LISTINGS]
    coll.delete_many({})
    coll.insert_many([dict(d) for d in docs])
    port = _free_port()
    try:
        with app_server(port=port, env=app_server_env(TEST_EMAIL_FILE_PATH=str(mail_dir))):
            yield {"port": port, "mail_dir": mail_dir}
    finally:
        coll.delete_many({})


def latest_mail_to(mail_dir: Path, address: str, seconds: float = 10) -> str:
    """The newest mail the server process wrote for ``address`` (file-based email backend)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
            text = path.read_text()
            if address in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address}")


def sign_up_and_confirm(page: Any, *, mail_dir: Path, email: str, password: str) -> None:
    """Fill the sign-up form the page is on, then confirm the address from the emailed link."""
    page.get_by_label(re.compile("^Email")).fill(email)
    page.get_by_label(re.compile("^Password:?$")).fill(password)
    page.get_by_label(re.compile("^Password \\(again\\)")).fill(password)
    page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    mail = latest_mail_to(mail_dir, email)
    link = re.search(r"http://[\w.-]+:\d+/accounts/confirm-email/\S+/", mail)
    assert link, mail
    page.goto(link.group(0))
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash platform/install-system.sh`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()
        # Inside ``sync_playwright`` the tests run in another context, so Django opened them a
        # connection of their own there; once Playwright stops nothing can reach it to close it,
        # and the open session keeps the test database from being dropped.
        from django.db import connections

        connections.close_all()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(45_000)  # CI machines are shared and slow at times
    yield page
    context.close()
