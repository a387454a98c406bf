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


# Before any script runs: record layout shifts, and hold the usage counter's answer back so it
# always arrives after the first paint, as it does on a slow phone.
SHIFT_WATCH = """
window.__shifts = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) {
    if (!e.hadRecentInput) window.__shifts.push({value: e.value, nodes: e.sources.map(function (s) {
      return s.node ? (s.node.className || s.node.nodeName) : "?"; })});
  });
}).observe({type: "layout-shift", buffered: true});
var realFetch = window.fetch;
window.fetch = function (url, opts) {
  var answer = realFetch(url, opts);
  if (String(url).indexOf("/api/chat/conversations") === -1) return answer;
  return new Promise(function (done) { setTimeout(function () { done(answer); }, 800); });
};
"""


def test_the_home_page_does_not_shift_when_the_usage_counter_arrives(chat_site: int, browser: Any) -> None:
    """On a phone (390×844) the chat panel's usage line is filled by chat.js after the first
    paint; its line is reserved, so nothing below it moves."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.add_init_script(SHIFT_WATCH)
        page.goto(f"http://localhost:{chat_site}/")
        page.locator("[data-chat-usage]").filter(has_text=re.compile(r"\S")).wait_for()
        page.wait_for_timeout(300)  # a shift is reported in the frame after it happens
        shifts = page.evaluate("window.__shifts")
    finally:
        context.close()
    assert sum(s["value"] for s in shifts) == 0, shifts
