"""In a real browser, against the assistant's ASGI service: a visitor types a request with the
keyboard alone, the answer streams into the live region and listing cards arrive, with the
usage counter; "Show these on the map" leads to the map."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.fixtures import ROOT, _free_port, _wait_until_up, app_server_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def chat_site(django_db_setup: None, mongo_db: Any) -> Iterator[int]:
    """Listings in the store, then the app under ASGI (gunicorn + uvicorn worker), which loads
    its read model from them."""
    from devtools.synthetic.listings import documents
    from listings.store import LISTINGS

    coll = mongo_db[LISTINGS]
    coll.delete_many({})
    coll.insert_many(list(documents(300, seed=41)))
    port = _free_port()
    env = app_server_env(LLM_BACKEND="offline", CHAT_RATE_PER_MINUTE="1000")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn_asgi", "config.asgi",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        _wait_until_up(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_visitor_asks_and_sees_listing_cards_arrive(chat_site: int, page: Any) -> None:
    page.goto(f"http://localhost:{chat_site}/")
    box = page.get_by_label("Message the assistant")
    box.focus()
    page.keyboard.type("3 bed homes in Palm Springs")
    page.keyboard.press("Enter")
    log = page.locator("[data-chat-log]")
    assert log.get_attribute("aria-live") == "polite"
    cards = page.locator("[data-chat-log] .chat-card")
    cards.first.wait_for()
    assert cards.count() >= 1
    assert re.search(r"Palm Springs", cards.first.inner_text())
    page.get_by_text(re.compile(r"I found")).first.wait_for()
    page.locator("[data-chat-usage]", has_text="1/3 messages used").wait_for()
    # Keyboard only: Tab reaches the first card, Enter opens it.
    link = page.get_by_role("link", name="Show these on the map")
    assert "city=Palm+Springs" in (link.get_attribute("href") or "")
    cards.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/listings/[^/]+/$"))
    started = time.monotonic()
    page.locator("[data-chat-panel][data-listing-key]").wait_for()
    assert time.monotonic() - started < 45
