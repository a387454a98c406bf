"""Benchmark: provisioning a paid site, as an agent lives it (issue 14).

    .venv/bin/python -m bench.provision [--sites 20]
    make bench BENCH=provision

For each of ``--sites`` agents in a row: a network account whose wizard is filled in (site,
look and feel with a logo, market) presses "Launch website" on the production server
(gunicorn, ``bench._settings``), pays on the Agent plan's Checkout of the fake Stripe
(``devtools.stripe``, which delivers its signed webhooks to the server), and the clock starts
when the payment is done (the Checkout's redirect back). It stops when the new site answers
``GET /`` on its own host with its name in the page. In between: the success page reads the
session back and launches, or the webhook does; a Celery worker (its own process, production
settings) clones the template schema, adds the domain, seeds pages, stores the logo and favicon
as Wagtail images, creates the owner and checks the home page. Sites are dropped afterwards.

Metrics: ``provision_p50_s``, ``provision_p95_s`` (and max, mean). Target p95 <= 3 s.
Writes ``bench/results/provision.json``.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import PYTHON, apply_bench_env, bench_env, demo_database_ensure, manage, write_results  # noqa: E402
from bench.server import BenchServer  # noqa: E402

PREFIX = "bench-prov-"
PASSWORD = "bench-agent-pass-2026"
WEBHOOK_SECRET = "whsec_bench_provision"


def _logo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (640, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).rounded_rectangle((8, 8, 192, 192), 28, fill="#0f766e")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _agents(count: int) -> list[tuple[str, str, str]]:
    """(email, subdomain, site name) of ``count`` agents with a complete wizard."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from accounts.models import Role
    from accounts.services import user_create
    from tenants.models import SiteApplication
    from themes.images import LOGO, image_open_checked, logo_prepare

    logo_png, favicon_png = logo_prepare(image_open_checked(data=_logo(), filename="logo.png", rules=LOGO))
    stamp = int(time.time()) % 100000
    out = []
    for i in range(count):
        email, subdomain = f"{PREFIX}{stamp}-{i}@example.com", f"{PREFIX}{stamp}-{i}"
        name = f"Bench Homes {stamp} {i}"
        user = user_create(
            email=email,
            password=PASSWORD,
            role=Role.AGENT,
            full_name=f"Agent {i}",
            license_number="DRE 1",
            brokerage="Bench Realty",
            email_verified=True,
        )
        folder = f"onboarding/bench-{stamp}-{i}"
        brand = {
            "preset": ("classic", "modern", "luxury")[i % 3],
            "primary_color": "#0f766e",
            "accent_color": "#b45309",
            "font": "inter",
            "tagline": "Benchmarked homes",
            "logo_text": "",
            "contact_phone": "",
            "logo": default_storage.save(f"{folder}/logo.png", ContentFile(logo_png)),
            "favicon": default_storage.save(f"{folder}/favicon.png", ContentFile(favicon_png)),
        }
        SiteApplication.objects.create(
            user=user,
            data={
                "site": {"name": name, "subdomain": subdomain},
                "brand": brand,
                "market": {"mls_sources": ["gps"], "featured_subdivisions": []},
            },
        )
        out.append((email, subdomain, name))
    return out


class _LoopbackSession:
    """A browser-like session on plain loopback HTTP: production settings mark the session and
    CSRF cookies Secure (users reach the app through HTTPS), so they are sent back here as a
    browser would send them over HTTPS."""

    def __init__(self) -> None:
        import requests

        self.session = requests.Session()
        self.session.headers["Host"] = "localhost"

    def _plain(self) -> None:
        for cookie in self.session.cookies:
            cookie.secure = False

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.session.get(url, **kwargs)
        self._plain()
        return response

    def post(self, url: str, **kwargs: Any) -> Any:
        response = self.session.post(url, **kwargs)
        self._plain()
        return response


def _session(server: BenchServer, email: str) -> Any:
    session = _LoopbackSession()
    page = session.get(server.url("/accounts/login/"), timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        server.url("/accounts/login/"),
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def _one(server: BenchServer, email: str, subdomain: str, name: str, timeout: float = 60.0) -> float:
    import requests

    session = _session(server, email)
    review = session.get(server.url("/network/start/review/"), timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', review.text).group(1)
    launch = session.post(
        server.url("/network/launch/"), data={"csrfmiddlewaretoken": token}, allow_redirects=False, timeout=30
    )
    checkout = launch.headers.get("Location", "")
    assert "/checkout/" in checkout, (launch.status_code, checkout, launch.text[:300])
    paid = requests.post(checkout, data={"card_number": "4242 4242 4242 4242"}, allow_redirects=False, timeout=30)
    assert paid.status_code == 303, paid.text[:300]
    started = time.perf_counter()  # payment done: the Checkout sends the agent back
    success = re.sub(r"^https?://[^/]+", "", paid.headers["Location"])
    session.get(server.url(success), timeout=30)
    host = f"{subdomain}.localhost"
    deadline = started + timeout
    while time.perf_counter() < deadline:
        status, body = server.get("/", host=host, timeout=10)
        if status == 200 and name.encode() in body:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise RuntimeError(f"{host} did not answer within {timeout}s")


def _check_live(subdomains: list[str], timeout: float = 60.0) -> None:
    """Every measured site finished provisioning as LIVE (an answer seen while a failing run
    was still undoing itself would not count)."""
    from tenants.models import SiteApplication

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = dict(
            SiteApplication.objects.filter(data__site__subdomain__in=subdomains).values_list(
                "data__site__subdomain", "status"
            )
        )
        if all(states.get(s) == "live" for s in subdomains):
            return
        if any(states.get(s) == "failed" for s in subdomains):
            break
        time.sleep(0.5)
    raise RuntimeError(f"not every site went live: {states}")


def _drop_sites() -> None:
    from tenants.models import SiteApplication, Tenant
    from tenants.provisioning import site_remove

    for tenant in Tenant.objects.filter(slug__startswith=PREFIX):
        site_remove(tenant=tenant)
    SiteApplication.objects.filter(user__email__startswith=PREFIX).delete()
    # The agents' network accounts stay (unique names per run): deleting a user from the public
    # schema would cascade into tables only site schemas have.


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=20)
    args = parser.parse_args()
    demo_database_ensure()
    from devtools.stripe import FakeStripe

    fake = FakeStripe(port=0, webhook_secret=WEBHOOK_SECRET).start()
    env = bench_env(STRIPE_API_BASE=fake.url, STRIPE_SECRET_KEY="sk_test_bench", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    os.environ.update(env)
    manage("billing_sync_plans", env=env, quiet=True)
    apply_bench_env()
    os.environ.update(env)
    import django

    django.setup()
    _drop_sites()
    worker_log = Path("/tmp/chatrealty-bench/celery-provision.log")
    worker_log.parent.mkdir(parents=True, exist_ok=True)
    server = BenchServer(env=env)
    server.start()  # collects static files first: the worker renders pages with the same manifest
    worker = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "celery"),
            "-A",
            "config",
            "worker",
            "-l",
            "warning",
            "--concurrency",
            "1",
            "-Q",
            "celery",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=server.env,
        stdout=worker_log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    times: list[float] = []
    try:
        fake.deliverer.url = server.url("/billing/webhook/").replace("127.0.0.1", "localhost")
        server.warm("/", host="localhost")
        agents = _agents(args.sites)
        for email, subdomain, name in agents:
            seconds = _one(server, email, subdomain, name)
            times.append(seconds)
            print(f"  {subdomain}: {seconds:.2f} s", file=sys.stderr)
        _check_live([subdomain for _, subdomain, _ in agents])
    finally:
        server.stop()
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        fake.stop()
        _drop_sites()
    write_results(
        "provision",
        {
            "provision_p50_s": round(statistics.median(times), 3),
            "provision_p95_s": round(_percentile(times, 0.95), 3),
            "provision_max_s": round(max(times), 3),
            "provision_mean_s": round(statistics.fmean(times), 3),
            "provision_sites": len(times),
        },
    )


if __name__ == "__main__":
    main()
