"""``portfolio_revalue_s`` for bench/invest.py: revaluing 1,000 portfolio homes after a
closed-sales sync, as the Celery task does it. Run in its own process with the benchmark
environment (``bench_env``): ``python -m bench._portfolio --homes 1000 --sales 200``.

1. The bench investor's portfolio on the flagship is replaced by ``--homes`` homes taken from
   the store's residential listings and closed sales (their facts and positions), each with
   a value alert at 2 %.
2. The read models are loaded (a worker's are: it serves tasks all day) and the portfolio
   valued once, untimed, so the alerts compare with a value.
3. A sync's worth of closed sales arrives: ``--sales`` new sales next to stored ones (copies
   with new keys, closed today, 3 % dearer) are written to the store.
4. Timed: ``portfolio_revalue_site`` (the task's body) with those keys: the closed-sales read
   model brought up to date, every home valued by the CMA engine, values, snapshots and alerts
   written, alert mails handed to the mail backend (locmem: no mail server in a benchmark).
5. The new sales and the homes are removed again. The last line printed is the JSON result.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_KEY_PREFIX = "BENCHPF"
MARKER = "portfolio-result "  # the result line among whatever the app logs to stdout


def _documents(db: Any, n: int, seed: int) -> list[dict[str, Any]]:
    query = {"propertyType": "Residential", "livingArea": {"$gt": 0}, "latitude": {"$ne": None}}
    fields = {"_id": 0, "photos": 0, "priceHistory": 0, "publicRemarks": 0}
    docs = list(db["closed"].find(query, fields)) + list(db["listings"].find(query, fields))
    docs.sort(key=lambda d: str(d.get("listingKey")))
    return random.Random(seed).sample(docs, min(n, len(docs)))


def homes_create(*, user: Any, docs: list[dict[str, Any]]) -> int:
    from cma.subjects import subject_from_document
    from invest.models import PortfolioProperty
    from invest.portfolio_revalue import subject_facts

    PortfolioProperty.objects.filter(user=user).delete()
    rows = []
    for d in docs:
        price = int(float(d.get("closePrice") or d.get("listPrice") or 500_000) * 100)
        subject = subject_from_document(d)
        rows.append(
            PortfolioProperty(
                user=user,
                source="closed" if d.get("closePrice") else "listing",
                listing_key=str(d["listingKey"])[:64],
                address=subject.address[:300] or str(d["listingKey"]),
                facts=subject_facts(subject),
                purchase_price_cents=price,
                purchase_date=date(2022, 6, 1),
                loan_amount_cents=price * 3 // 4,
                loan_rate_pct=6.5,
                loan_term_years=30,
                rent_monthly_cents=price // 200,
                alert_pct=2,
            )
        )
    return len(PortfolioProperty.objects.bulk_create(rows, batch_size=500))


def sales_arrive(db: Any, n: int, seed: int) -> list[str]:
    """``n`` new closed sales beside stored ones (a sync's worth), written to the store."""
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    source = [d for d in _documents(db, n * 3, seed + 1) if d.get("closePrice")][:n]
    new = []
    for i, d in enumerate(source):
        key = f"{BENCH_KEY_PREFIX}{i:06d}"
        new.append(
            {
                **d,
                "listingKey": key,
                "slug": f"bench-{key.lower()}",
                "closePrice": round(float(d["closePrice"]) * 1.03, -2),
                "closeDate": today,
                "standardStatus": "Closed",
            }
        )
    if new:
        db["closed"].insert_many(new)
    return [d["listingKey"] for d in new]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--homes", type=int, default=1000)
    parser.add_argument("--sales", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--user", default=os.environ.get("BENCH_PORTFOLIO_USER", "bench-investor3@example.com"))
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django_tenants.utils import schema_context

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from accounts.models import User
    from invest.models import PortfolioProperty
    from invest.portfolio_revalue import portfolio_revalue
    from invest.portfolio_services import portfolio_revalue_site
    from listings.readmodel.loader import CLOSED, get_closed_model, get_read_model, holder
    from listings.store import get_db

    db = get_db()
    schema = settings.PUBLIC_SCHEMA_NAME
    db["closed"].delete_many({"listingKey": {"$regex": f"^{BENCH_KEY_PREFIX}"}})
    with schema_context(schema):
        user = User.objects.get(email=args.user)
        homes = homes_create(user=user, docs=_documents(db, args.homes, args.seed))
        get_read_model(), get_closed_model()
        portfolio_revalue(sources=None)  # the values the alerts compare with
        keys = sales_arrive(db, args.sales, args.seed)
        started = time.perf_counter()
        out = portfolio_revalue_site(schema_name=schema, closed=keys)
        elapsed = time.perf_counter() - started
        refreshed = get_closed_model().row_of_key(keys[0]) is not None if keys else True
        PortfolioProperty.objects.filter(user=user).delete()
    db["closed"].delete_many({"listingKey": {"$regex": f"^{BENCH_KEY_PREFIX}"}})
    holder(CLOSED).reload()
    result = {
        "portfolio_revalue_s": round(elapsed, 3),
        "portfolio_homes": homes,
        "portfolio_valued": out["valued"],
        "portfolio_alerts": out["alerts"],
        "portfolio_new_sales": len(keys),
        "portfolio_sales_in_model": int(refreshed),
    }
    print(MARKER + json.dumps(result))


if __name__ == "__main__":
    main()
