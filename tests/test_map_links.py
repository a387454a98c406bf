"""Links to the map keep every filter of the search they come from (issue 12): the chat's "Show
these on the map", the search page's "Show on map". The map page's filter form carries each
search parameter the API accepts (shown, or in a hidden input), the page lists the same homes
before its script runs, and opens on all of them when the link names no view."""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from chat.tools import map_url
from listings.map_start import view_box
from listings.tests.pages_support import pages_urls, signed_in, store, subscribe, user_in

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store")


class _Form(HTMLParser):
    """What the search filter form (``form[data-filters]``) submits, as a browser would."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.select: str | None = None
        self.text_of: str | None = None
        self.pairs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "data-filters" in a:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            if a.get("value", "") != "":
                self.pairs.append((a["name"], a["value"]))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            if "value" not in a:
                self.text_of = self.select  # <option selected>Land</option>: the text is the value
            elif a["value"] != "":
                self.pairs.append((self.select, a["value"]))

    def handle_data(self, data: str) -> None:
        if self.text_of:
            self.pairs.append((self.text_of, data.strip()))
            self.text_of = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def submitted(html: str) -> dict[str, list[str]]:
    parser = _Form()
    parser.feed(html)
    out: dict[str, list[str]] = defaultdict(list)
    for name, value in parser.pairs:
        out[name].append(value)
    return {k: sorted(v) for k, v in out.items()}


def as_params(link: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for name, value in parse_qsl(urlsplit(link).query):
        out[name].append(value)
    return {k: sorted(v) for k, v in out.items()}


def busiest_subdivision(store: list[dict[str, Any]]) -> tuple[str, str]:
    """A subdivision of sarah's (GPS) homes for sale, and its most common property sub-type."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for d in store:
        if d["mlsSource"] == "gps" and d.get("subdivisionName") and d["propertyType"] != "Residential Lease":
            counts[(d["subdivisionName"], d.get("propertySubType") or "")] += 1
    return max(counts, key=lambda k: counts[k])


def chat_link(store: list[dict[str, Any]]) -> str:
    subdivision, sub_type = busiest_subdivision(store)
    chat_name = {"Single Family Residence": "SingleFamilyResidence", "Manufactured Home": "ManufacturedHome"}
    return map_url(
        {
            "subdivision": subdivision,
            "propertySubType": [chat_name.get(sub_type, sub_type), "Townhouse"],
            "maxBeds": 4,
            "minBeds": 1,
        }
    )


def test_chat_map_link_keeps_every_filter_and_counts_the_same(
    sarah_site: Any, site_client: Any, store: list[dict[str, Any]]
) -> None:
    client = site_client(sarah_site)
    link = chat_link(store)
    params = as_params(link)
    assert {"subdivision", "propertySubType", "maxBeds"} <= set(params)
    api = client.get("/api/listings", {**params, "pageSize": "50"}).json()
    everything = client.get("/api/listings", {"minBeds": "1"}).json()["total"]
    assert 0 < api["total"] < everything  # the filters narrow the search
    html = client.get(link).content.decode()
    # The form submits (and the map script reads) every filter of the link, and the default
    # For sale switch.
    assert submitted(html) == {**params, "listingType": ["sale"]}
    # The page lists the link's homes before any script runs, and tells the map to open on them.
    total = api["total"]
    assert f"{total} home{'s' if total != 1 else ''}</span> in this area" in html
    assert html.count('class="card listing-card"') == min(24, total)
    assert all(r["key"] in html for r in api["results"][:24])
    bounds = [float(v) for v in html.split('data-bounds="')[1].split('"')[0].split(",")]
    # The map's own request over that box (as map.js asks it) counts what the chat counted.
    boxed = client.get("/api/listings", {**params, "bbox": ",".join(map(str, bounds))}).json()
    assert boxed["total"] == total


def test_search_page_map_link_and_form_keep_every_filter(
    sarah_site: Any, site_client: Any, store: list[dict[str, Any]]
) -> None:
    # newerThanDays is an advanced filter (Pro and up): a Pro member's page keeps it in the form.
    member = user_in(sarah_site, "map-links-pro@example.com")
    subscribe(sarah_site, member, "pro")
    client = signed_in(sarah_site, member)
    params = {**as_params(chat_link(store)), "city": ["Palm Springs", "Indio"], "newerThanDays": ["400"]}
    html = client.get("/search/", params).content.decode()
    assert submitted(html) == {**{k: sorted(v) for k, v in params.items()}, "listingType": ["sale"]}
    map_link = html.split('<a class="btn" href="')[1].split('"')[0].replace("&amp;", "&")
    assert map_link.startswith("/map/?")
    map_html = client.get(map_link).content.decode()
    assert submitted(map_html) == {**{k: sorted(v) for k, v in params.items()}, "listingType": ["sale"]}


def test_map_page_lists_the_homes_of_the_view_in_the_url(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    html = client.get("/map/", {"lat": "33.83", "lng": "-116.54", "z": "12", "minBeds": "2"}).content.decode()
    assert "data-bounds" not in html  # the URL's view is kept
    box = view_box(-116.54, 33.83, 12)
    bbox = f"{box.west:.6f},{box.south:.6f},{box.east:.6f},{box.north:.6f}"
    api = client.get("/api/listings", {"listingType": "sale", "minBeds": "2", "bbox": bbox}).json()
    assert api["total"] > 0
    assert f"{api['total']} home" in html
    assert all(r["key"] in html for r in api["results"])
    # The view's parameters and the map's own ones never reach the form (they would repeat).
    form = submitted(client.get("/map/", {"lat": "33.83", "bbox": "-117,33,-116,34", "sort": "price"}).content.decode())
    assert form == {"listingType": ["sale"]}


def test_view_box_is_centred_and_widens_as_the_map_zooms_out() -> None:
    near, far = view_box(-116.5, 33.8, 12), view_box(-116.5, 33.8, 9)
    assert near.west < -116.5 < near.east and near.south < 33.8 < near.north
    assert (far.east - far.west) == pytest.approx(8 * (near.east - near.west))
    assert view_box(0, 0, 0).west == -180 and view_box(0, 0, 0).east == 180
