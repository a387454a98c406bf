"""Market trends against a brute-force pass over the documents themselves."""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta

import pytest

from invest.trends import Place, TrendsError, monthly_trends
from listings.readmodel.model import ReadModel

TODAY = date(2026, 12, 6)
CITIES = ("Palm Springs", "Cathedral City")
SUBS = ("Alpha", "Beta")
POSTALS = ("92262", "92234")


def documents(seed: int = 7) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    closed, active = [], []
    for i in range(900):
        lease = rng.random() < 0.15
        listed = TODAY - timedelta(days=rng.randint(20, 1300))
        closed_on = listed + timedelta(days=rng.randint(1, 200))
        if closed_on > TODAY:
            closed_on = TODAY - timedelta(days=1)
        list_price = 3000.0 if lease else float(rng.randrange(300_000, 1_500_000, 1000))
        doc = {
            "listingKey": f"C{i:05d}",
            "slug": f"c-{i}",
            "mlsSource": rng.choice(("gps", "gps", "crmls")),
            "standardStatus": "Closed",
            "propertyType": "Residential Lease" if lease else "Residential",
            "listPrice": list_price,
            "closePrice": list_price * rng.uniform(0.9, 1.05) if not lease else float(rng.randrange(2000, 5000, 50)),
            "closeDate": closed_on.isoformat(),
            "onMarketDate": listed.isoformat(),
            "livingArea": float(rng.randint(900, 3500)) if rng.random() > 0.05 else None,
            "city": rng.choice(CITIES),
            "subdivisionName": rng.choice(SUBS),
            "postalCode": rng.choice(POSTALS),
            "latitude": 33.8,
            "longitude": -116.5,
            "modificationTimestamp": "2026-12-01T00:00:00Z",
        }
        closed.append(doc)
    for i in range(120):
        listed = TODAY - timedelta(days=rng.randint(0, 400))
        active.append(
            {
                "listingKey": f"A{i:05d}",
                "slug": f"a-{i}",
                "mlsSource": "gps",
                "standardStatus": rng.choice(("Active", "Pending", "Closed", "Canceled")),
                "propertyType": "Residential",
                "listPrice": 700_000.0,
                "onMarketDate": listed.isoformat(),
                "city": rng.choice(CITIES),
                "subdivisionName": rng.choice(SUBS),
                "postalCode": rng.choice(POSTALS),
                "latitude": 33.8,
                "longitude": -116.5,
                "modificationTimestamp": "2026-12-01T00:00:00Z",
            }
        )
    return active, closed


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_end(label: str) -> date:
    y, m = map(int, label.split("-"))
    first_next = date(y + (m == 12), m % 12 + 1, 1)
    return min(first_next - timedelta(days=1), TODAY)


def brute(
    active: list[dict], closed: list[dict], field: str, value: str, labels: list[str], sources=None
) -> list[dict]:
    def here(d: dict) -> bool:
        return d.get(field) == value and (sources is None or d["mlsSource"] in sources)

    out = []
    for label in labels:
        end = month_end(label)
        sales = [
            d
            for d in closed
            if here(d) and d["propertyType"] == "Residential" and month_of(date.fromisoformat(d["closeDate"])) == label
        ]
        leases = [
            d
            for d in closed
            if here(d)
            and d["propertyType"] == "Residential Lease"
            and month_of(date.fromisoformat(d["closeDate"])) == label
        ]
        prices = [round(d["closePrice"]) for d in sales]
        ppsf = [round(d["closePrice"]) / round(d["livingArea"]) for d in sales if d["livingArea"]]
        dom = [(date.fromisoformat(d["closeDate"]) - date.fromisoformat(d["onMarketDate"])).days for d in sales]
        s2l = [round(d["closePrice"]) / round(d["listPrice"]) for d in sales]
        inventory = sum(
            1
            for d in closed
            if here(d)
            and d["propertyType"] == "Residential"
            and date.fromisoformat(d["onMarketDate"]) <= end < date.fromisoformat(d["closeDate"])
        ) + sum(
            1
            for d in active
            if here(d) and d["standardStatus"] in ("Active", "Pending") and date.fromisoformat(d["onMarketDate"]) <= end
        )

        def med(xs: list[float], digits: int | None = None) -> float | None:
            return None if not xs else round(statistics.median(xs), digits) if digits else round(statistics.median(xs))

        out.append(
            {
                "month": label,
                "sales": len(sales),
                "median_price": med(prices),
                "median_ppsf": med(ppsf),
                "median_dom": med(dom),
                "sale_to_list": med(s2l, 4),
                "inventory": inventory,
                "months_of_supply": round(inventory / len(sales), 1) if sales else None,
                "rent_median": med([round(d["closePrice"]) for d in leases]),
                "rentals_leased": len(leases),
            }
        )
    return out


@pytest.mark.parametrize(
    ("kind", "field", "value", "sources"),
    [
        ("city", "city", "Palm Springs", None),
        ("subdivision", "subdivisionName", "Beta", None),
        ("postal", "postalCode", "92234", None),
        ("city", "city", "Cathedral City", ("gps",)),
    ],
)
def test_trends_match_brute_force(kind: str, field: str, value: str, sources) -> None:
    active_docs, closed_docs = documents()
    active, closed = ReadModel.from_documents(active_docs), ReadModel.from_documents(closed_docs)
    got = monthly_trends(
        place=Place(kind, value), months=40, active=active, closed=closed, as_of=TODAY, sources=sources
    )
    rows = got["months"]
    assert len(rows) == 40 and rows[-1]["month"] == "2026-12" and rows[0]["month"] == "2023-09"
    expected = brute(active_docs, closed_docs, field, value, [r["month"] for r in rows], sources)
    assert rows == expected
    assert sum(r["sales"] for r in rows) > 100  # the market is not empty
    # The headline: the last 12 months' sales themselves.
    last12 = [
        round(d["closePrice"])
        for d in closed_docs
        if d[field] == value
        and (sources is None or d["mlsSource"] in sources)
        and d["propertyType"] == "Residential"
        and month_of(date.fromisoformat(d["closeDate"])) >= "2026-01"
    ]
    assert got["headline"]["sales_12m"] == len(last12)
    assert got["headline"]["median_price_12m"] == round(statistics.median(last12))


def test_unknown_place_is_empty_and_bad_period_refused() -> None:
    active_docs, closed_docs = documents()
    active, closed = ReadModel.from_documents(active_docs), ReadModel.from_documents(closed_docs)
    got = monthly_trends(place=Place("city", "Atlantis"), months=12, active=active, closed=closed, as_of=TODAY)
    assert all(r["sales"] == 0 and r["median_price"] is None for r in got["months"])
    with pytest.raises(TrendsError):
        monthly_trends(place=Place("city", "Palm Springs"), months=0, active=active, closed=closed, as_of=TODAY)
    with pytest.raises(TrendsError):
        monthly_trends(place=Place("county", "Riverside"), months=12, active=active, closed=closed, as_of=TODAY)
