"""Search API contract: validation (injection attempts included), tenant scoping, stats,
map clusters and the OpenAPI document. Operations are resolved through the site URLconf's
``/api/`` (django-ninja) with the site's real ``Tenant`` on the request (what the tenant
middleware sets)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import resolve

from devtools.synthetic.listings import documents
from listings.readmodel import loader

N = 400


@pytest.fixture(scope="module")
def store(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[dict[str, Any]]]:
    from listings.store import LISTINGS, get_db

    docs = list(documents(N, seed=21)) + list(documents(100, seed=22, source="crmls", start=N))
    coll = get_db()[LISTINGS]
    coll.delete_many({})
    coll.insert_many([dict(d) for d in docs])
    loader.holder(loader.LISTINGS).reload()
    yield docs
    coll.delete_many({})


@pytest.fixture(autouse=True)
def _no_refresher(settings: Any) -> None:
    settings.LISTINGS_READMODEL_REFRESH = False


def call(path: str, tenant: Any = None, **params: Any) -> tuple[int, dict[str, Any]]:
    request = RequestFactory().get("/api/" + path, params)
    request.tenant = tenant
    request.user = AnonymousUser()
    match = resolve("/api/" + path, urlconf="config.urls_public")
    response = match.func(request, *match.args, **match.kwargs)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.content)


def test_search_pages_are_stable(store: list[dict[str, Any]]) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        status, body = call("listings", sort="price", page=page, pageSize=50)
        assert status == 200 and body["total"] == len(store)
        seen += [c["key"] for c in body["results"]]
    assert len(seen) == len(set(seen)) == 150
    prices = [c["price"] for c in call("listings", sort="price", pageSize=100)[1]["results"]]
    assert prices == sorted(prices)


def test_filters_and_city_slug(store: list[dict[str, Any]]) -> None:
    status, body = call("listings", city="palm-springs", minBeds="3", pool="true", pageSize=100)
    assert status == 200 and body["total"] > 0
    for card in body["results"]:
        assert card["city"] == "Palm Springs" and card["beds"] >= 3
    same = call("listings", city="Palm Springs", minBeds="3", pool="1")[1]["total"]
    assert same == body["total"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"minPrice": '{"$ne": 1}'}, "minPrice"),
        ({"minPrice": "-1"}, "minPrice"),
        ({"minPrice": "99999999999999999999"}, "minPrice"),
        ({"maxPrice": "1e309"}, "maxPrice"),
        ({"minBeds": "NaN"}, "minBeds"),
        ({"minBeds": "٣"}, "minBeds"),  # unicode digits are not digits here
        ({"pageSize": "101"}, "pageSize"),
        ({"page": "0"}, "page"),
        ({"sort": "price; drop"}, "sort"),
        ({"sort": "distance"}, "sort"),
        ({"status": "Sold"}, "status"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "-116,34,-117,33"}, "bbox"),
        ({"polygon": "1,2;3,4"}, "polygon"),
        ({"near": "95,0"}, "near"),
        ({"radius": "5"}, "radius"),
        ({"q": ".*"}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"pool": "maybe"}, "pool"),
        ({"minPrice[$ne]": "1"}, "minPrice[$ne]"),
        ({"postalCode": "9226"}, "postalCode"),
        ({"minPrice": "500", "maxPrice": "100"}, "minPrice"),
    ],
)
def test_bad_parameters_are_400_with_fields(store: list[dict[str, Any]], params: dict[str, str], field: str) -> None:
    status, body = call("listings", **params)
    assert status == 400
    assert body["error"] == "invalid_parameters" and field in body["fields"], body


def test_all_bad_fields_are_listed_together(store: list[dict[str, Any]]) -> None:
    status, body = call("listings", minPrice="x", pageSize="0", bogus="1")
    assert status == 400 and set(body["fields"]) == {"minPrice", "pageSize", "bogus"}


@pytest.mark.parametrize(
    "params",
    [
        {"city": '{"$ne": null}'},
        {"city": ".*"},
        {"subdivision": "^(a|b)$"},
        {"q": "$where sleep(1000)"},
        {"city": "Ünïcödé 🏠"},
        {"propertySubType": '{"$gt": ""}'},
    ],
)
def test_values_are_data_not_operators(store: list[dict[str, Any]], params: dict[str, str]) -> None:
    status, body = call("listings", **params)
    assert status == 200 and body["total"] == 0


def test_empty_values_mean_not_given(store: list[dict[str, Any]]) -> None:
    status, body = call("listings", city="", minPrice="", q="", sort="")
    assert status == 200 and body["total"] == len(store)


def test_agent_site_sees_only_its_sources_featured_first(store: list[dict[str, Any]], sarah_site: Any) -> None:
    sarah_site.mls_sources = ["crmls"]
    sarah_site.featured_subdivisions = ["Mesa"]
    status, body = call("listings", tenant=sarah_site, pageSize=100)
    assert status == 200 and body["total"] == 100
    keys = {c["key"] for c in body["results"]}
    assert all(k.startswith("2") for k in keys)  # crmls keys
    crmls = [d for d in store if d["mlsSource"] == "crmls"]
    mesa = sum(d.get("subdivisionName") == "Mesa" for d in crmls)
    first = [c["key"] for c in body["results"][:mesa]]
    by_key = {d["listingKey"]: d for d in crmls}
    assert mesa and all(by_key[k]["subdivisionName"] == "Mesa" for k in first)
    gps_doc = next(d for d in store if d["mlsSource"] == "gps")
    assert call(f"listings/{gps_doc['slug']}", tenant=sarah_site)[0] == 404
    assert call(f"listings/{gps_doc['slug']}")[0] == 200


def test_listing_detail(store: list[dict[str, Any]]) -> None:
    doc = store[5]
    status, body = call(f"listings/{doc['slug']}")
    assert status == 200 and body["listingKey"] == doc["listingKey"] and "_id" not in body
    assert call("listings/no-such-listing")[0] == 404
    assert call("listings/Bad$Slug")[0] == 404


def test_cities_and_subdivisions(store: list[dict[str, Any]]) -> None:
    status, body = call("cities")
    assert status == 200
    by_slug = {c["slug"]: c for c in body["results"]}
    ps = [d for d in store if d["city"] == "Palm Springs"]
    assert by_slug["palm-springs"]["count"] == len(ps)
    assert by_slug["palm-springs"]["medianPrice"] > 0
    status, body = call("cities/palm-springs/subdivisions")
    assert status == 200 and sum(r["count"] for r in body["results"]) == sum(1 for d in ps if d.get("subdivisionName"))
    assert call("cities/atlantis/subdivisions")[0] == 404


def test_map_clusters_and_cluster_detail(store: list[dict[str, Any]]) -> None:
    status, body = call("map/clusters", bbox="-119,33,-115,35", zoom="5")
    assert status == 200 and body["type"] == "FeatureCollection"
    total = sum(f["properties"].get("point_count", 1) for f in body["features"])
    assert total == body["total"] == len(store)
    cluster = next(f for f in body["features"] if f["properties"].get("cluster"))
    cid = cluster["properties"]["cluster_id"]
    status, detail = call(f"map/clusters/{cid}", limit="5")
    assert status == 200 and len(detail["leaves"]) == 5 and detail["expansionZoom"] > 5
    assert call("map/clusters/999999999")[0] == 404
    status, body = call("map/clusters", zoom="5")
    assert status == 400 and body["fields"] == {"bbox": "required"}
    status, body = call("map/clusters", bbox="-119,33,-115,35", zoom="99")
    assert status == 400 and "zoom" in body["fields"]
    # Same filters as the search: a city filter clusters only that city.
    _, body = call("map/clusters", bbox="-180,-85,180,85", zoom="0", city="indio")
    assert sum(f["properties"].get("point_count", 1) for f in body["features"]) == sum(
        1 for d in store if d["city"] == "Indio"
    )


def test_openapi_document_lists_every_endpoint(store: list[dict[str, Any]]) -> None:
    status, body = call("openapi.json")
    assert status == 200 and body["openapi"].startswith("3.")
    assert set(body["paths"]) >= {
        "/api/listings",
        "/api/listings/{slug}",
        "/api/cities",
        "/api/cities/{slug}/subdivisions",
        "/api/map/clusters",
        "/api/map/clusters/{clusterId}",
    }
    names = {p["name"] for p in body["paths"]["/api/listings"]["get"]["parameters"]}
    assert {"minPrice", "polygon", "near", "q", "sort", "pageSize"} <= names


def test_served_on_site_hosts_through_the_middleware(
    store: list[dict[str, Any]], site_client: Any, sarah_site: Any, public_tenant: Any
) -> None:
    response = site_client(sarah_site).get("/api/listings", {"pageSize": 5})
    assert response.status_code == 200
    sources = set(sarah_site.mls_sources)
    assert response.json()["total"] == sum(d["mlsSource"] in sources for d in store)
    response = site_client(public_tenant).get("/api/listings", {"minPrice": '{"$ne": 1}'})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert site_client(public_tenant).get("/api/openapi.json").json()["openapi"].startswith("3.")
