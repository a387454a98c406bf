"""Any MLS through the RESO Web API (issue 18): the real client against the local RESO server.

The server (``devtools.reso``) speaks as certified servers do: a service root, ``$metadata``
with its own lookup names, OAuth2 client credentials, server-chosen page sizes, nextLinks.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from defusedxml import ElementTree
from pymongo.database import Database

from devtools.reso import FakeReso, serve_in_thread
from mls_sync import reso as reso_module
from mls_sync.auth import BearerToken, ClientCredentials
from mls_sync.http import RateLimiter, retry_after_seconds
from mls_sync.pipeline import SyncHooks, sync_run
from mls_sync.reso import ResoWebApiClient

ACTIVE, CLOSED = 330, 170  # two full pages and a short one at the server's 200
ENUMS = "org.reso.metadata.enums"


class Crash(RuntimeError):
    """Stands in for a process dying at a chosen point."""


class Reso:
    def __init__(self, app: FakeReso, url: str) -> None:
        self.app, self.url, self.root = app, url, f"{url}{app.root}"

    def credentials(self, **kwargs: Any) -> ClientCredentials:
        return ClientCredentials(
            token_url=f"{self.url}/oauth2/token", client_id="chatrealty-demo", client_secret="demo-secret", **kwargs
        )

    def client(self, **kwargs: Any) -> ResoWebApiClient:
        kwargs.setdefault("credentials", self.credentials())
        kwargs.setdefault("backoff_base", 0.001)
        kwargs.setdefault("limiter", RateLimiter(10_000, 300))
        return ResoWebApiClient(base_url=self.root, **kwargs)

    def control(self, action: str, **body: Any) -> Any:
        resp = requests.post(f"{self.url}/_control/{action}", json=body, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def token(self) -> str:
        resp = requests.post(
            f"{self.url}/oauth2/token",
            data={"grant_type": "client_credentials", "scope": "api"},
            auth=("chatrealty-demo", "demo-secret"),
            timeout=10,
        )
        resp.raise_for_status()
        return str(resp.json()["access_token"])

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}", **kwargs.pop("headers", {})}
        return requests.get(f"{self.root}/{path}", headers=headers, timeout=10, **kwargs)


def _serve(**kwargs: Any) -> Iterator[Reso]:
    reso_module._process_metadata.clear()  # each server is a new service root
    app = FakeReso(seed=11, active=ACTIVE, closed=CLOSED, **kwargs)
    server, url = serve_in_thread(app)
    yield Reso(app, url)
    server.shutdown()
    server.server_close()
    reso_module._process_metadata.clear()


@pytest.fixture
def reso() -> Iterator[Reso]:
    yield from _serve()


@pytest.fixture
def reso_strings() -> Iterator[Reso]:
    """A Data Dictionary 2.0 server: string lookups listed in the Lookup resource."""
    yield from _serve(lookups="string")


@pytest.fixture
def reso_no_expand() -> Iterator[Reso]:
    """A server without $expand=Media: Media is replicated as its own resource."""
    yield from _serve(expand_media=False)


def run(reso: Reso, db: Database, mode: str = "full", client: ResoWebApiClient | None = None, **kwargs: Any) -> Any:
    kwargs.setdefault("page_size", 1000)
    return sync_run(db=db, client=client or reso.client(), source="hdmls", mode=mode, geo_index=False, **kwargs)


def _listings(db: Database) -> dict[str, dict[str, Any]]:
    return {d["listingKey"]: d for d in db.listings.find({}, {"_id": 0})}


# -- the fake behaves as the standard says ----------------------------------------------------------
def test_fake_speaks_the_standard(reso: Reso) -> None:
    assert reso.get("Property", token="nope").status_code == 401
    assert requests.post(f"{reso.url}/oauth2/token", data={"grant_type": "password"}, timeout=5).status_code == 400
    token = reso.token()
    service = reso.get("", token).json()
    assert {s["name"] for s in service["value"]} == {"Property", "Media", "OpenHouse"}
    xml = reso.get("$metadata", token)
    assert xml.headers["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(xml.content)
    members = {m.get("Name") for m in root.iter() if m.tag.endswith("Member")}
    assert {"Sold", "UnderContract", "Photograph"} <= members  # local names, annotated with standard ones
    # The server chooses the page size; a client may ask for less, never more.
    first = reso.get("Property", token, headers={"Prefer": "odata.maxpagesize=1000"}).json()
    assert len(first["value"]) == 200 and first["@odata.nextLink"].startswith(reso.root)
    small = reso.get("Property", token, headers={"Prefer": "odata.maxpagesize=50"})
    assert len(small.json()["value"]) == 50 and small.headers["Preference-Applied"] == "odata.maxpagesize=50"
    second = requests.get(first["@odata.nextLink"], headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    assert first["value"][-1]["ListingKey"] < second["value"][0]["ListingKey"]
    # $top limits the whole result, as OData means it.
    topped = reso.get("Property", token, params={"$top": "250"}).json()
    nxt = requests.get(topped["@odata.nextLink"], headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    assert len(topped["value"]) + len(nxt["value"]) == 250 and "@odata.nextLink" not in nxt
    # Enum literals the way the metadata declares them; a standard name the server lacks is refused.
    sold = reso.get("Property", token, params={"$filter": f"StandardStatus eq {ENUMS}.StandardStatus'Sold'"})
    assert sold.status_code == 200 and {v["StandardStatus"] for v in sold.json()["value"]} == {"Sold"}
    assert reso.get("Property", token, params={"$filter": "StandardStatus eq 'Closed'"}).status_code == 400
    assert reso.get("Property", token, params={"$select": "ListingKey,PropertyCondition"}).status_code == 400


def test_string_lookups_server_lists_its_values(reso_strings: Reso) -> None:
    token = reso_strings.token()
    rows = reso_strings.get("Lookup", token).json()["value"]
    assert {"LookupName": "StandardStatus", "LookupValue": "Sold", "StandardLookupValue": "Closed"}.items() <= next(
        r for r in rows if r["LookupValue"] == "Sold"
    ).items()
    sold = reso_strings.get("Property", token, params={"$filter": "StandardStatus eq 'Sold'"})
    assert sold.status_code == 200 and len(sold.json()["value"]) == CLOSED
    assert {v["StandardStatus"] for v in sold.json()["value"]} == {"Sold"}


# -- the client ------------------------------------------------------------------------------------
def test_full_replication_from_the_service_root_maps_local_lookups(reso: Reso, store_db: Database) -> None:
    counters = run(reso, store_db)
    assert counters.fetched == ACTIVE + CLOSED and counters.quarantined == 0
    # The server's page size (200), not the 1,000 asked for: three requests, written as one batch.
    assert sum(1 for p in reso.app.requests if urlsplit(p).path.endswith("/Property")) == 3
    assert counters.pages == 1
    docs = _listings(store_db)
    assert len(docs) == ACTIVE and store_db.closed.count_documents({}) == CLOSED
    assert {d["standardStatus"] for d in docs.values()} <= {"Active", "Active Under Contract", "Pending", "Coming Soon"}
    assert "Active Under Contract" in {d["standardStatus"] for d in docs.values()}  # sent as UnderContract
    assert {d["propertyType"] for d in docs.values()} <= {
        "Residential",
        "Residential Lease",
        "Land",
        "Manufactured In Park",
    }
    assert "Single Family Residence" in {d["propertySubType"] for d in docs.values()}  # sent as SingleFamily
    with_photos = [d for d in docs.values() if len(d["photos"]) > 1]
    assert with_photos and all(d["primaryPhotoUrl"] for d in with_photos)  # "Photograph" is a photo
    # Every request named a resource under the service root; $metadata was read once.
    assert all(urlsplit(path).path.startswith(reso.app.root) for path in reso.app.requests)
    assert reso.app.state()["metadata_requests"] == 1
    # $select asked only for what the metadata declares, and Media came expanded.
    first = parse_qs(urlsplit(next(p for p in reso.app.requests if "/Property" in p)).query)
    assert "PropertyCondition" not in first["$select"][0] and first["$expand"] == ["Media"]


def test_metadata_is_read_once_per_source_and_cached(reso: Reso, store_db: Database) -> None:
    run(reso, store_db)
    reso_module._process_metadata.clear()  # another worker process: the store's copy serves
    assert run(reso, store_db, "incremental").quarantined == 0
    assert reso.app.state()["metadata_requests"] == 1
    cached = store_db.sync_state.find_one({"_id": "hdmls:metadata"})
    assert cached["root"] == reso.root and "Property" in cached["metadata"]["fields"]


def test_media_in_numeric_order_and_a_photo_without_order_last(reso: Reso, store_db: Database) -> None:
    run(reso, store_db)
    docs = _listings(store_db)
    unordered = [d for d in docs.values() if zlib.crc32(d["listingKey"].encode()) % 12 == 0 and len(d["photos"]) > 2]
    assert unordered, "the fake sends some listings with a photo lacking Order"
    for doc in unordered:
        # Sent: the photo without Order first, the others in reverse; stored: by Order, it last.
        ids = [p["id"] for p in doc["photos"] if not p["primary"]]
        numbers = [int(i[-3:]) for i in ids]
        assert numbers == sorted(numbers), doc["listingKey"]


def test_media_resource_when_the_server_offers_no_expand(reso_no_expand: Reso, store_db: Database) -> None:
    run(reso_no_expand, store_db)
    requests_made = reso_no_expand.app.requests
    assert not any("%24expand" in p or "$expand" in p for p in requests_made)
    assert any(urlsplit(p).path.endswith("/Media") for p in requests_made)
    docs = _listings(store_db)
    assert sum(1 for d in docs.values() if d["photos"]) > ACTIVE * 0.9


def test_token_refreshed_before_expiry_and_after_a_401(store_db: Database) -> None:
    for reso in _serve(token_ttl=1.0):
        client = reso.client()
        pauses = SyncHooks(after_page=lambda n: time.sleep(1.05) if n == 1 else None)
        counters = run(reso, store_db, client=client, hooks=pauses, page_size=50)
        assert counters.fetched == ACTIVE + CLOSED
        assert isinstance(client.credentials, ClientCredentials) and client.credentials.fetched >= 2
        assert counters.retries == 0  # renewed ahead of expiry: no request was refused
    for reso in _serve():
        client = reso.client()
        revoke = SyncHooks(after_page=lambda n, r=reso: r.control("faults", kind="expire") if n == 1 else None)
        counters = run(reso, store_db, client=client, hooks=revoke, page_size=50)
        assert counters.fetched == ACTIVE + CLOSED and counters.retries == 1
        assert reso.app.state()["tokens_issued"] == 2


def test_a_lookup_value_the_metadata_lacks_is_quarantined_with_the_reason(reso: Reso, store_db: Database) -> None:
    reso.control("faults", kind="undeclared", count=2)
    counters = run(reso, store_db)
    assert counters.quarantined == 2 and counters.fetched == ACTIVE + CLOSED
    held = list(store_db.quarantine.find({"source": "hdmls"}))
    assert {q["listingKey"] for q in held} == set(reso.app.undeclared_served)
    assert all(
        q["reason"] == "StandardStatus 'BackupOffer' is not a value the server's metadata declares and has no entry "
        "in the source's lookup overrides"
        for q in held
    )
    # The source's override table explains it: the records come in and leave the quarantine.
    reso.control("faults", kind="undeclared", count=2)
    overrides = {"StandardStatus": {"BackupOffer": "Active Under Contract"}}
    run(reso, store_db, client=reso.client(lookup_overrides=overrides))
    assert store_db.quarantine.count_documents({"source": "hdmls"}) == 0
    for key in reso.app.undeclared_served[2:]:
        assert store_db.listings.find_one({"listingKey": key})["standardStatus"] == "Active Under Contract"


def test_replication_resumed_after_a_kill_loses_and_keeps_nothing_extra(
    reso: Reso, store_db: Database, ref_db: Database
) -> None:
    run(reso, store_db)
    deleted = reso.control("advance", percent=30)["deleted"]
    assert deleted

    def die(page: int) -> None:
        if page == 2:
            raise Crash("killed after page 2")

    with pytest.raises(Crash):
        run(reso, store_db, hooks=SyncHooks(after_page=die), page_size=200)
    state = store_db.sync_state.find_one({"_id": "hdmls:full"})
    assert state["status"] == "failed" and state["token"].startswith(reso.root + "/Property?")
    resumed = run(reso, store_db, page_size=200)
    assert resumed.resumed and resumed.pages == 1 and resumed.purged == len(deleted)
    run(reso, ref_db)

    def snapshot(db: Database) -> dict[str, dict[str, str]]:
        return {c: {d["listingKey"]: d["contentHash"] for d in db[c].find({})} for c in ("listings", "closed")}

    assert snapshot(store_db) == snapshot(ref_db)
    assert store_db.sync_seen.count_documents({}) == 0


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_answers_are_waited_out_as_the_server_asks(reso: Reso, status: int) -> None:
    client = reso.client(backoff_base=0.0)
    reso.control("faults", kind=str(status), count=1, retry_after="1")
    started = time.monotonic()
    pages = list(client.iter_pages(limit=200))
    assert time.monotonic() - started >= 1.0 and client.retries == 1
    assert sum(len(p.records) for p in pages) == ACTIVE + CLOSED


def test_retry_after_as_seconds_or_http_date() -> None:
    assert retry_after_seconds("7") == 7.0
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= (retry_after_seconds(later) or 0) <= 31
    assert retry_after_seconds("soon") is None


def test_closed_sales_by_standard_status_and_close_date(reso: Reso, store_db: Database) -> None:
    counters = run(reso, store_db, "closed", closed_lookback_days=120)
    since = datetime.now(UTC).date() - timedelta(days=120)
    query = parse_qs(urlsplit(next(p for p in reso.app.requests if "/Property" in p)).query)["$filter"][0]
    assert f"StandardStatus eq {ENUMS}.StandardStatus'Sold'" in query and f"CloseDate ge {since}" in query
    feed = reso.app.feed
    expected = {
        feed.key_at(pos)
        for pos in range(feed.n_active, feed.n_active + feed.n_closed)
        if feed.record(pos, photo_base="", expand=frozenset())["StandardFields"]["CloseDate"] >= since.isoformat()
    }
    assert {d["listingKey"] for d in store_db.closed.find({})} == expected and counters.inserted == len(expected)


def test_open_houses_come_from_their_own_resource(reso: Reso, store_db: Database) -> None:
    run(reso, store_db)
    shows = reso.client().open_houses()
    assert shows
    key = next(iter(shows))
    assert store_db.listings.find_one({"listingKey": key})["openHouses"][0]["date"] >= date.today().isoformat()
    # An open house scheduled without a change to the listing reaches it on the next incremental run.
    store_db.listings.update_one({"listingKey": key}, {"$set": {"openHouses": []}})
    other = next(d["listingKey"] for d in store_db.listings.find({"openHouses": []}) if d["listingKey"] not in shows)
    store_db.listings.update_one({"listingKey": other}, {"$set": {"openHouses": [{"date": "2026-01-03"}]}})
    counters = run(reso, store_db, "incremental")
    assert {key, other} <= counters.changed_keys
    assert store_db.listings.find_one({"listingKey": key})["openHouses"]
    assert store_db.listings.find_one({"listingKey": other})["openHouses"] == []


def test_string_lookup_server_replicates_the_same_standard_values(
    reso: Reso, reso_strings: Reso, store_db: Database, ref_db: Database
) -> None:
    run(reso, store_db)
    run(reso_strings, ref_db)
    assert any(urlsplit(p).path.endswith("/Lookup") for p in reso_strings.app.requests)  # read with the metadata

    def values(db: Database) -> dict[str, tuple[str, str, str]]:
        return {
            d["listingKey"]: (d["standardStatus"], d["propertyType"], d["propertySubType"])
            for d in db.listings.find({})
        }

    assert values(store_db) == values(ref_db)
    closed = run(reso_strings, ref_db, "closed", closed_lookback_days=4000)
    assert closed.fetched == CLOSED
    assert any(
        "StandardStatus eq 'Sold'" in p or "StandardStatus+eq+%27Sold%27" in p for p in reso_strings.app.requests
    )


def test_status_check_compares_standard_statuses(reso: Reso, store_db: Database) -> None:
    run(reso, store_db)
    check = run(reso, store_db, "status")
    assert check.fetched == 0 and check.purged == 0  # "UnderContract" is the stored "Active Under Contract"


def test_a_static_bearer_token_works_too(store_db: Database) -> None:
    for reso in _serve(static_tokens=("server-token",)):
        client = reso.client(credentials=BearerToken("server-token"))
        assert run(reso, store_db, client=client).fetched == ACTIVE + CLOSED


def test_filter_literals_use_the_servers_own_values() -> None:
    from mls_sync.metadata import Metadata
    from mls_sync.resomap import Lookups

    xml = (
        '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>'
        '<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="m">'
        '<EntityType Name="Property"><Key><PropertyRef Name="ListingKey"/></Key>'
        '<Property Name="ListingKey" Type="Edm.String"/><Property Name="StandardStatus" Type="m.Status"/>'
        "</EntityType>"
        '<EnumType Name="Status"><Member Name="Act" Value="0"/><Member Name="Sold" Value="1"/>'
        '<Member Name="SLD" Value="2"/></EnumType>'
        '<EntityContainer Name="D"><EntitySet Name="Property" EntityType="m.Property"/></EntityContainer>'
        "</Schema></edmx:DataServices></edmx:Edmx>"
    )
    md = Metadata.parse(xml)
    # No StandardName annotations: "Sold" is a known local name for Closed.
    assert Lookups(md).literal("Property", "StandardStatus", "Closed") == "m.Status'Sold'"
    # The override table names the server's value for what its metadata does not explain.
    overrides = {"StandardStatus": {"SLD": "Closed", "Act": "Active"}}
    assert Lookups(md, overrides).literal("Property", "StandardStatus", "Closed") == "m.Status'SLD'"
    assert Lookups(md, overrides).map("Property", "StandardStatus", "Act") == ("Active", None)
    assert md.to_doc() == Metadata.from_doc(md.to_doc()).to_doc()
