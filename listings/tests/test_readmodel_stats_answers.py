"""City and subdivision stats are computed once per snapshot and day, and never go stale: a
refreshed snapshot answers with its own numbers, and callers cannot change the shared answer."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.synthetic.listings import documents
from listings.readmodel import ReadModel, SearchQuery
from listings.readmodel import stats as stats_module
from listings.readmodel.stats import facets

TODAY = 20_000


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> list[tuple[SearchQuery, str, int]]:
    calls: list[tuple[SearchQuery, str, int]] = []
    compute = stats_module._facets

    def counted(model: ReadModel, query: SearchQuery, *, by: str, today: int) -> list[dict[str, Any]]:
        calls.append((query, by, today))
        return compute(model, query, by=by, today=today)

    monkeypatch.setattr(stats_module, "_facets", counted)
    return calls


def test_the_same_stats_are_computed_once_per_snapshot_and_day(computations: list[Any]) -> None:
    model = ReadModel.from_documents(documents(400, seed=3))
    first = facets(model, SearchQuery(), by="city", today=TODAY)
    assert facets(model, SearchQuery(), by="city", today=TODAY) == first
    assert len(computations) == 1
    facets(model, SearchQuery(), by="subdivision", today=TODAY)
    facets(model, SearchQuery(min_beds=3), by="city", today=TODAY)
    facets(model, SearchQuery(), by="city", today=TODAY + 1)  # days on market moved on
    assert len(computations) == 4
    assert first == stats_module._facets(model, SearchQuery(), by="city", today=TODAY)


def test_a_refreshed_snapshot_answers_with_its_own_numbers() -> None:
    docs = list(documents(400, seed=3))
    model = ReadModel.from_documents(docs)
    before = {r["slug"]: r for r in facets(model, SearchQuery(), by="city", today=TODAY)}
    city = next(iter(before))
    raised = [dict(d, listPrice=(d.get("listPrice") or 0) * 10 + 1) for d in docs if _slug(model, d) == city]
    refreshed = model.apply_changes(changed=raised)
    after = {r["slug"]: r for r in facets(refreshed, SearchQuery(), by="city", today=TODAY)}
    assert after[city]["median_price"] > before[city]["median_price"]
    assert after[city]["count"] == before[city]["count"]
    # The old snapshot still answers with its own numbers while requests hold it.
    assert {r["slug"]: r for r in facets(model, SearchQuery(), by="city", today=TODAY)} == before


def test_changing_an_answer_does_not_change_the_shared_one() -> None:
    model = ReadModel.from_documents(documents(200, seed=5))
    rows = facets(model, SearchQuery(), by="city", today=TODAY)
    expected = [dict(r) for r in rows]
    rows[0]["count"] = -1
    rows.pop()
    assert facets(model, SearchQuery(), by="city", today=TODAY) == expected


def _slug(model: ReadModel, doc: dict[str, Any]) -> str | None:
    name = doc.get("city")
    return next((slug for slug, n in model.city_by_slug.items() if n == name), None)
