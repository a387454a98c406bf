"""The mixed benchmark's chat and CMA requests (``bench/mixed.py``, issue 11: "add chat and CMA
as they land").

* Chat: ``POST /api/chat/stream`` to the chat service as deployed (nginx sends
  ``/api/chat/stream`` to its own ASGI upstream, platform/nginx): gunicorn with one uvicorn worker,
  production settings, the offline assistant (the default without a Groq key), each request a new
  anonymous visitor from an address of its own (``X-Forwarded-For``, one trusted proxy) so the
  visitor allowances never refuse. The load generator times the whole stream, to ``done``.
* CMA: ``POST /api/cma`` on the flagship with an Investor 3 user's API key (unlimited reports),
  the subject an active residential listing of the store.

Needs Django (the benchmark's environment in ``os.environ`` before the first call).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from bench._common import bench_env, subscription_ensure
from bench.loadgen import Target

USER = "bench-mixed-investor@example.invalid"
# Buyers' requests as the chat tests' sets write them; {city} from the synthetic feed's cities.
MESSAGES = (
    "3 bed homes in {city} under 600k",
    "houses in {city} with a pool",
    "condos in {city} between 300 and 500 thousand",
    "cheapest 2bd/2ba in {city}",
    "newest listings in {city}",
    "4 bedroom house in {city} sub 900k",
)


@dataclass
class Extras:
    """What the chat and CMA requests need: the chat server's base URL, the API key, subjects."""

    chat_base: str
    api_key: str
    subjects: list[str]


def api_key_ensure() -> str:
    """An Investor 3 account on the flagship (active subscription) and a fresh API key for it."""
    from accounts.models import User
    from listings.api_keys import api_key_create

    user = User.objects.filter(email=USER).first() or User.objects.create_user(email=USER, password=None)
    subscription_ensure(user=user, plan_key="investor_3", ref="bench_mixed")
    _key, raw = api_key_create(user=user, name="mixed benchmark")
    return raw


def cma_subjects(db: Any, exclude: set[str], n: int = 2000) -> list[str]:
    """Active residential listings with a living area (what a CMA needs), none the sync changes."""
    rows = db["listings"].find(
        {"propertyType": "Residential", "standardStatus": "Active", "livingArea": {"$gt": 0}},
        {"_id": 0, "listingKey": 1},
    )
    keys = sorted(r["listingKey"] for r in rows if r["listingKey"] not in exclude)
    return random.Random(5).sample(keys, min(n, len(keys)))


def chat_server() -> Any:
    """The chat service (one worker), the offline assistant answering."""
    from bench.server import BenchServer

    env = bench_env(LLM_BACKEND="offline", GROQ_API_KEY="", TRUSTED_PROXY_COUNT="1")
    return BenchServer.chat_service(env=env, workers=1, startup_timeout=300)


def chat_target(extras: Extras, rng: random.Random, host: str) -> Target:
    """A new visitor's message: a fresh address each (nginx's ``X-Forwarded-For``)."""
    from bench.chat import visitor_address
    from devtools.synthetic.listings import CITIES

    city = rng.choice(CITIES[:12])[0]
    message = rng.choice(MESSAGES).format(city=city if rng.random() < 0.7 else city.lower())
    return Target(
        extras.chat_base + "/api/chat/stream",
        host=host,
        method="POST",
        headers=(("Content-Type", "application/json"), ("X-Forwarded-For", visitor_address(0))),
        body=json.dumps({"message": message}),
    )


def cma_target(extras: Extras, rng: random.Random, base: str) -> Target:
    return Target(
        base + "/api/cma",
        host="localhost",
        method="POST",
        headers=(("Content-Type", "application/json"), ("Authorization", f"Bearer {extras.api_key}")),
        body=json.dumps({"listing": rng.choice(extras.subjects)}),
    )
