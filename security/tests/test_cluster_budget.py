"""Varying map filters cannot make a process rebuild cluster indexes without bound: the cache
keeps at most ``max_entries`` indexes, and builds draw on a CPU budget; past it the client gets
429 with Retry-After while cached filter sets keep answering."""

from __future__ import annotations

import time

import pytest

from devtools.synthetic.listings import documents
from listings.clusters.cache import BuildBudget, ClusterCache
from listings.readmodel import ReadModel, SearchQuery
from listings.tests.pages_support import store
from security.ratelimit import Throttled

__all__ = ["store"]


def test_distinct_filter_sets_are_bounded_in_memory_and_in_builds() -> None:
    model = ReadModel.from_documents(list(documents(2000, seed=5)))
    # 1 ms of CPU per second after a 30 ms burst: a handful of builds, then refusals
    cache = ClusterCache(max_entries=4, build_burst_s=0.03, build_share=0.001)
    first = cache.get(model=model, query=SearchQuery(min_price=0))
    built, refused = 1, 0
    for n in range(1, 200):
        try:
            cache.get(model=model, query=SearchQuery(min_price=1000 * n))
            built += 1
        except Throttled as exc:
            refused += 1
            assert exc.retry_after >= 1
    assert refused > 0 and built == cache.builds < 200
    assert len(cache._entries) <= 4
    # a cached filter set still answers while builds are refused
    recent = SearchQuery(min_price=1000 * (built - 1))
    assert cache.get(model=model, query=recent).index.n > 0
    assert first.index.n == model.search(SearchQuery()).total


def test_budget_refills_at_its_share() -> None:
    budget = BuildBudget(burst_s=0.05, share=1.0)
    assert budget.wait_s() == 0
    budget.charge(0.08)  # a long build may overdraw; the next waits until the balance is back
    wait = budget.wait_s()
    assert 0.02 < wait <= 0.031
    time.sleep(wait + 0.005)
    assert budget.wait_s() == 0


@pytest.mark.usefixtures("store")
def test_map_endpoint_answers_429_when_the_build_budget_is_spent(
    sarah_site: object, site_client: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from listings.clusters import cache as cluster_cache

    spent = BuildBudget(burst_s=0.001, share=0.001)
    spent.charge(1.0)
    monkeypatch.setattr(cluster_cache.get_cluster_cache(), "budget", spent)
    client = site_client(sarah_site)  # type: ignore[operator]
    response = client.get("/api/map/clusters", {"bbox": "-117,33,-116,34", "zoom": "9", "minBeds": "4"})
    assert response.status_code == 429
    assert response.json() == {
        "error": "rate_limited",
        "message": "The map is busy. Please try again in a moment.",
        "fields": {},
    }
    assert int(response["Retry-After"]) >= 1
