"""Front end on a phone and for axe: Lighthouse 12 (mobile, simulated throttling) and axe-core 4
against the app served the way production serves it.

    .venv/bin/python -m bench.frontend [--skip-lighthouse] [--skip-axe] [--runs 1]
    make bench BENCH=frontend

Writes bench/results/frontend.json:

- ``lighthouse_mobile_performance_min``, ``lighthouse_accessibility_min``,
  ``lighthouse_best_practices_min``, ``lighthouse_seo_min``: the lowest score (0-100) over the
  home, search, map, listing, community, agent home and pricing pages (target: performance >= 90,
  the others 100), and ``lighthouse_<page>_<category>`` for each page;
- ``listing_mobile_lcp_ms``: the listing page's Largest Contentful Paint on the phone;
- ``axe_violations``: axe-core violations (rules broken, any impact) summed over those pages and
  sign-in, sign-up, favourites, saved searches, billing, chat and the CMA pages, at 1366×900 and
  390×844, signed out and signed in (target 0); the details go to the log.

The server: ``bench.server.BenchServer`` (production settings, gunicorn, whitenoise's
compressed, fingerprinted, long-cached static files). The data: the benchmark database's demo
sites (flagship, sarah, mike: ``demo_setup``) and a listings store of its own
(``chatrealty_bench_frontend``, 3,000 synthetic MLS listings with full photo sets) whose photos
come from a local photo host drawing the demo's listing illustrations (devtools.illustrations),
as the demo's fake MLS does. Node tools from bench/node (``make node-deps``), Debian's chromium.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("BENCH_MONGODB_DB", "chatrealty_bench_frontend")

from bench._common import bench_env, demo_database_ensure, manage, write_results  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = ROOT / "bench" / "node" / "node_modules" / "lighthouse" / "cli" / "index.js"
STORE_LISTINGS = 3000
PASSWORD = "bench-frontend-pass-2026"
EMAIL = "frontend.bench@example.com"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SIZES = ("300", "640", "800", "1024", "1280", "1600", "2048")
CAPTIONS = ("Front", "Living room", "Kitchen", "Primary suite", "Pool", "Backyard", "View", "Street")


# -- the photo host ---------------------------------------------------------------------------
class _Photos(BaseHTTPRequestHandler):
    """``/photos/<key>/<n>-<size>.jpg``: one of a few dozen listing illustrations (drawn once,
    then from memory), long-cached as an MLS photo CDN serves them."""

    cache: dict[tuple[int, int, str], bytes] = {}
    lock = threading.Lock()

    def do_GET(self) -> None:
        from devtools.illustrations import SIZE_WIDTHS, ListingFacts, illustration_jpeg

        parts = self.path.split("/")
        if len(parts) != 4 or parts[1] != "photos" or not parts[3].endswith(".jpg"):
            self.send_error(404)
            return
        n, _, size = parts[3][:-4].partition("-")
        if size not in SIZE_WIDTHS or not n.isdigit():
            self.send_error(404)
            return
        look = int(hashlib.sha1(parts[2].encode()).hexdigest(), 16) % 6
        key = (look, int(n) % len(CAPTIONS), size)
        with self.lock:
            body = self.cache.get(key)
            if body is None:
                facts = ListingFacts.from_fields(
                    f"DEMO{look}", {"PoolPrivateYN": look % 2 == 0, "YearBuilt": 1960 + 9 * look}
                )
                body = self.cache[key] = illustration_jpeg(facts, CAPTIONS[key[1]], key[1], SIZE_WIDTHS[size])
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=604800, immutable")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def photo_host() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Photos)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


# -- data ---------------------------------------------------------------------------------------
def store_seed(photo_base: str) -> str:
    """The store: synthetic GPS and CRMLS listings, each with a photo set on the photo host
    (rewritten each run: the host's port changes). Returns a GPS listing's slug (every demo site
    shows GPS listings) that has coordinates, photos and remarks."""
    import random

    from pymongo import MongoClient

    from devtools.synthetic.listings import documents

    env = bench_env()
    coll = MongoClient(env["MONGODB_URI"])[env["MONGODB_DB"]]["listings"]
    coll.drop()
    docs = list(documents(STORE_LISTINGS * 4 // 5, seed=19)) + list(
        documents(STORE_LISTINGS // 5, seed=20, source="crmls", start=STORE_LISTINGS)
    )
    for doc in docs:
        key, rng = doc["listingKey"], random.Random(doc["listingKey"])
        photos = []
        for p in range(3 + rng.randrange(10)):
            photo = {"id": f"{key}{p:03d}", "caption": CAPTIONS[p % len(CAPTIONS)], "primary": p == 0}
            photo.update({f"uri{s}": f"{photo_base}/photos/{key}/{p}-{s}.jpg" for s in SIZES})
            photo.update(
                uriThumb=f"{photo_base}/photos/{key}/{p}-300.jpg", uriLarge=f"{photo_base}/photos/{key}/{p}-1600.jpg"
            )
            photos.append(photo)
        doc["photos"], doc["primaryPhotoUrl"] = photos, photos[0]["uri640"]
        price = float(doc.get("listPrice") or 500_000)
        doc["priceHistory"] = [{"date": doc["onMarketDate"], "price": round(price * 1.05, -2), "event": "Listed"}]
    coll.insert_many(docs, ordered=False)
    coll.create_index("listingKey", unique=True)
    coll.create_index("slug", unique=True)
    listing = next(
        d
        for d in docs
        if d["mlsSource"] == "gps" and d["city"] == "Palm Springs" and d["propertyType"] == "Residential"
    )
    return str(listing["slug"])


def users_ensure() -> None:
    """A confirmed buyer account on the flagship and on sarah's site (users live per schema)."""
    code = f"""
from django_tenants.utils import schema_context
from accounts.models import User
from accounts.services import user_create
from tenants.models import Tenant
for schema in ("public", Tenant.objects.get(slug="sarah").schema_name):
    with schema_context(schema):
        if not User.objects.filter(email={EMAIL!r}).exists():
            user_create(email={EMAIL!r}, password={PASSWORD!r}, email_verified=True)
"""
    manage("shell", "-c", code, quiet=True)


# -- the pages ----------------------------------------------------------------------------------
def public_pages(slug: str) -> dict[str, tuple[str, str]]:
    """Lighthouse's pages: name -> (host, path)."""
    return {
        "home": ("localhost", "/"),
        "search": ("localhost", "/search/?city=Palm+Springs"),
        "map": ("localhost", "/map/"),
        "listing": ("localhost", f"/listings/{slug}/"),
        "community": ("localhost", "/communities/palm-springs/"),
        "agent_home": ("sarah.localhost", "/"),
        "pricing": ("localhost", "/billing/pricing/"),
    }


AXE_EXTRA = {
    "sign_in": ("localhost", "/accounts/login/", False),
    "sign_up": ("localhost", "/accounts/signup/", False),
    "agent_sign_in": ("sarah.localhost", "/accounts/login/", False),
    "favourites": ("localhost", "/favorites/", True),
    "saved_searches": ("localhost", "/saved-searches/", True),
    "billing": ("localhost", "/billing/", True),
    "chat": ("localhost", "/chat/", None),
    "cma": ("localhost", "/cma/", None),
    "cma_history": ("localhost", "/cma/history/", True),
    "agent_favourites": ("sarah.localhost", "/favorites/", True),
}


def sign_in(page: Any, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.login button[type=submit], main form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    if "/accounts/login/" in page.url:
        raise RuntimeError(f"sign-in failed on {base}")


def axe_pass(port: int, slug: str) -> tuple[int, dict[str, int]]:
    """axe over every page × viewport × signed out/in; (total violations, per page)."""
    from playwright.sync_api import sync_playwright

    from devtools.a11y import VIEWPORTS, axe_report, axe_source, axe_violations

    source = axe_source()
    pages = [(name, host, path, None) for name, (host, path) in public_pages(slug).items()]
    pages += [(name, host, path, signed) for name, (host, path, signed) in AXE_EXTRA.items()]
    per_page: dict[str, int] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        for signed_in in (False, True):
            for viewport_name, viewport in VIEWPORTS.items():
                context = browser.new_context(
                    viewport=viewport, is_mobile=viewport_name == "phone", has_touch=viewport_name == "phone"
                )
                page = context.new_page()
                page.set_default_timeout(60_000)
                if signed_in:
                    for host in ("localhost", "sarah.localhost"):
                        sign_in(page, f"http://{host}:{port}")
                for name, host, path, wants in pages:
                    if wants is not None and wants != signed_in:
                        continue  # a signed-out visitor is sent to sign in (checked there)
                    page.goto(f"http://{host}:{port}{path}", wait_until="load")
                    page.wait_for_timeout(300)
                    found = axe_violations(page, source=source)
                    label = f"{name}/{viewport_name}/{'in' if signed_in else 'out'}"
                    per_page[label] = len(found)
                    if found:
                        print(
                            f"  axe {label}: {len(found)} violation(s)\n{axe_report(found, limit=3)}", file=sys.stderr
                        )
                context.close()
        browser.close()
    return sum(per_page.values()), per_page


def lighthouse(url: str) -> dict[str, Any]:
    """One Lighthouse run (mobile, simulated throttling): category scores 0-100 and LCP."""
    with_env = {**os.environ, "CHROME_PATH": CHROMIUM}
    cmd = [
        "node", str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, env=with_env, timeout=300, check=False)
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"lighthouse {url} failed ({out.returncode}): {out.stderr[-2000:]}")
    report = json.loads(out.stdout)
    scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    audits = report["audits"]
    failing = [
        f"{a['id']} ({a.get('score')})"
        for a in audits.values()
        if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") in ("binary", "metricSavings")
    ]
    return {
        "scores": scores,
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "failing": failing,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Front-end benchmark: Lighthouse and axe-core")
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument("--skip-axe", action="store_true")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median is kept)")
    parser.add_argument("--only", default="", help="comma-separated Lighthouse pages (default all)")
    parser.add_argument(
        "--static-root", default="", help="an already collected STATIC_ROOT (quick reruns while developing)"
    )
    args = parser.parse_args()
    from bench.server import BenchServer

    demo_database_ensure()
    users_ensure()
    photos, photo_base = photo_host()
    slug = store_seed(photo_base)
    results: dict[str, float] = {"machine_loadavg_1m_at_start": round(os.getloadavg()[0], 2)}
    try:
        # Startup is slow on a loaded machine (each worker imports the app and loads the store).
        server_args: dict[str, Any] = {"startup_timeout": 300.0}
        if args.static_root:
            server_args.update(collectstatic=False, env=bench_env(BENCH_STATIC_ROOT=args.static_root))
        with BenchServer(**server_args) as server:
            pages = public_pages(slug)
            for name, (host, path) in pages.items():
                status, body = server.warm(path, host=host)
                if status != 200:
                    raise RuntimeError(f"{name} ({host}{path}) answered {status}: {body[:300]!r}")
            if not args.skip_axe:
                started = time.monotonic()
                total, per_page = axe_pass(server.port, slug)
                results["axe_violations"] = total
                results["axe_pages_checked"] = len(per_page)
                print(
                    f"  axe: {total} violation(s) over {len(per_page)} page views, {time.monotonic() - started:.0f} s",
                    file=sys.stderr,
                )
            if not args.skip_lighthouse:
                only = [p for p in args.only.split(",") if p] or list(pages)
                _lighthouse_all(server.port, {k: pages[k] for k in only}, args.runs, results)
    finally:
        photos.shutdown()
    results["machine_loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    path = write_results("frontend", results)
    print(path.read_text())


def _lighthouse_all(port: int, pages: dict[str, tuple[str, str]], runs: int, results: dict[str, float]) -> None:
    lows = dict.fromkeys(CATEGORIES, 100)
    for name, (host, path) in pages.items():
        url = f"http://{host}:{port}{path}"
        reports = [lighthouse(url) for _ in range(runs)]
        # The median run by performance score (Lighthouse's own advice for noisy machines).
        report = sorted(reports, key=lambda r: r["scores"]["performance"])[len(reports) // 2]
        for category, score in report["scores"].items():
            results[f"lighthouse_{name}_{category.replace('-', '_')}"] = score
            lows[category] = min(lows[category], score)
        results[f"lighthouse_{name}_lcp_ms"] = round(report["lcp_ms"])
        results[f"lighthouse_{name}_tbt_ms"] = round(report["tbt_ms"])
        results[f"lighthouse_{name}_cls_max"] = round(max(r["cls"] for r in reports), 3)  # over all runs
        if name == "listing":
            results["listing_mobile_lcp_ms"] = round(statistics.median(r["lcp_ms"] for r in reports))
        print(
            f"  lighthouse {name}: {report['scores']} LCP {report['lcp_ms']:.0f} ms TBT {report['tbt_ms']:.0f} ms "
            f"CLS {report['cls']:.3f}; below 1: {', '.join(report['failing']) or 'none'}",
            file=sys.stderr,
        )
    results["lighthouse_mobile_performance_min"] = lows["performance"]
    results["lighthouse_accessibility_min"] = lows["accessibility"]
    results["lighthouse_best_practices_min"] = lows["best-practices"]
    results["lighthouse_seo_min"] = lows["seo"]


if __name__ == "__main__":
    main()
