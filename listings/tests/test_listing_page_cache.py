"""The listing page's per-process memos (similar-homes candidates and rendered cards per
read-model snapshot) and its Python-built gallery: same answers as the search they replace,
a changed listing shows at once after the read model moves on, a site never gets another
site's listings, and the gallery markup is the template's, escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.template import Context, Template

from listings import selectors
from listings.detail import gallery_thumbs
from listings.readmodel import loader
from listings.readmodel.query import SearchQuery
from listings.store import LISTINGS, get_db
from listings.tests.pages_support import RICH_KEY, RICH_SLUG, pages_urls, store

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store")

CARD_KEYS = re.compile(r'<article class="card listing-card" data-listing-key="([^"]+)"')


def similar_section(html: str) -> str:
    start = html.find('id="h-similar"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def expected_similar(doc: dict[str, Any], *, sources: tuple[str, ...] | None) -> list[str]:
    """What the page showed before the memo: one search with the price band, 7 results."""
    price = doc["listPrice"]
    query = SearchQuery(
        cities=(doc["city"],),
        property_types=(doc["propertyType"],),
        min_price=int(price * 0.75),
        max_price=int(price * 1.25),
        mls_sources=sources,
        page_size=7,
    )
    keys = [c["key"] for c in selectors.listing_search(query=query).cards]
    return [k for k in keys if k != doc["listingKey"]][:6]


@pytest.fixture
def restore_store(store: list[dict[str, Any]]) -> Iterator[None]:
    """Put back any document a test changed, moved or added, and the read models with them."""
    from listings.store import CLOSED
    from listings.tests.pages_support import SOLD_KEY

    yield
    db = get_db()
    for doc in store:
        db[LISTINGS].replace_one({"listingKey": doc["listingKey"]}, dict(doc), upsert=True)
    db[CLOSED].delete_many({"listingKey": {"$ne": SOLD_KEY}})
    loader.holder(loader.LISTINGS).reload()
    loader.holder(loader.CLOSED).reload()


def test_similar_homes_are_the_search_they_replace(
    public_tenant: Any, sarah_site: Any, site_client: Any, store: list[dict[str, Any]]
) -> None:
    """Flagship (every source) and Sarah's site (GPS only), for listings of both sources; the
    second view of each page comes from the memos and must not differ."""
    docs = [d for d in store if d.get("listPrice") and d.get("city") and d.get("propertyType")]
    picked = [d for d in docs if d["mlsSource"] == "gps"][:12] + [d for d in docs if d["mlsSource"] == "crmls"][:4]
    checked = 0
    for tenant, sources in ((public_tenant, None), (sarah_site, ("gps",))):
        client = site_client(tenant)
        for doc in picked:
            response = client.get(f"/listings/{doc['slug']}/")
            if sources is not None and doc["mlsSource"] not in sources:
                assert response.status_code == 404
                continue
            want = expected_similar(doc, sources=sources)
            for _ in range(2):
                html = client.get(f"/listings/{doc['slug']}/").content.decode()
                assert CARD_KEYS.findall(similar_section(html)) == want, doc["slug"]
            checked += bool(want)
    assert checked >= 10  # the check compared real lists, not empty ones


def test_sarahs_similar_homes_never_include_other_sources(sarah_site: Any, site_client: Any, store: Any) -> None:
    crmls = {d["listingKey"] for d in store if d["mlsSource"] == "crmls"}
    client = site_client(sarah_site)
    shown: set[str] = set()
    for doc in [d for d in store if d["mlsSource"] == "gps"][:40]:
        shown |= set(CARD_KEYS.findall(similar_section(client.get(f"/listings/{doc['slug']}/").content.decode())))
    assert shown and not shown & crmls


def test_a_changed_listing_shows_in_similar_homes_after_the_read_model_moves_on(
    public_tenant: Any, site_client: Any, store: Any, restore_store: None
) -> None:
    client = site_client(public_tenant)
    html = client.get(f"/listings/{RICH_SLUG}/").content.decode()
    keys = CARD_KEYS.findall(similar_section(html))
    assert keys, "the rich listing needs similar homes for this test"
    first = keys[0]
    coll = get_db()[LISTINGS]
    # A new price inside the band: the cached card must not keep showing the old one.
    coll.update_one({"listingKey": first}, {"$set": {"listPrice": 1_111_111.0}})
    loader.holder(loader.LISTINGS).refresh(upsert=[first], remove=[])
    html = client.get(f"/listings/{RICH_SLUG}/").content.decode()
    section = similar_section(html)
    card = section[section.find(f'data-listing-key="{first}"') :]
    assert "$1,111,111" in card[: card.find("</article>")]
    # Priced out of the band: it leaves the list, as the search says.
    coll.update_one({"listingKey": first}, {"$set": {"listPrice": 99_000_000.0}})
    loader.holder(loader.LISTINGS).refresh(upsert=[first], remove=[])
    html = client.get(f"/listings/{RICH_SLUG}/").content.decode()
    rich = coll.find_one({"listingKey": RICH_KEY}, {"_id": 0})
    assert rich is not None
    assert CARD_KEYS.findall(similar_section(html)) == expected_similar(rich, sources=None)
    assert first not in CARD_KEYS.findall(similar_section(html))


# The markup the template rendered per photo before ``_gallery_thumbs``.
TEMPLATE_THUMBS = Template(
    '{% for p in photos %}<li><button type="button" data-gallery-thumb="{{ forloop.counter0 }}" '
    'data-src="{{ p.src }}" data-srcset="{{ p.srcset }}" data-alt="{{ p.caption|default:alt }}" '
    'aria-label="Show photo {{ forloop.counter }}{% if p.caption %}: {{ p.caption }}{% endif %}"'
    '{% if forloop.first %} aria-current="true"{% endif %}><img src="{{ p.thumb }}" alt="" loading="lazy" '
    'width="120" height="90"></button></li>{% endfor %}'
)


def test_gallery_thumbnails_are_the_template_markup_escaped() -> None:
    photos = [
        {
            "src": "https://p.example/1.jpg?a=1&b=2",
            "srcset": "https://p.example/1.jpg 300w",
            "caption": "",
            "thumb": "t1",
        },
        {"src": "x", "srcset": "", "caption": 'The "pool" <script>alert(1)</script> & spa', "thumb": "t'2"},
        {"src": "y", "srcset": "", "caption": "Kitchen", "thumb": "t3"},
    ]
    alt = '12 O\'Brien "Way" <b>'
    html = str(gallery_thumbs(photos, alt=alt))
    assert html == TEMPLATE_THUMBS.render(Context({"photos": photos, "alt": alt}))
    assert "<script>" not in html and "<b>" not in html and "&amp;b=2" in html
    assert html.count('aria-current="true"') == 1
    assert str(gallery_thumbs([], alt=alt)) == ""


def test_sold_listings_are_found_by_key_through_the_closed_snapshot(
    public_tenant: Any, sarah_site: Any, site_client: Any, restore_store: None
) -> None:
    """A sale is looked up by key (the store has no slug index on closed sales); a listing that
    closed after the snapshots were taken is still found (by slug: the active snapshot knows
    it); a sale in no snapshot yet shows once the closed snapshot has it."""
    from listings.store import CLOSED
    from listings.tests.pages_support import CRMLS_KEY, CRMLS_SLUG, SOLD_SLUG

    flagship, sarah = site_client(public_tenant), site_client(sarah_site)
    assert 'data-testid="sold-badge"' in flagship.get(f"/listings/{SOLD_SLUG}/").content.decode()
    db = get_db()
    # The rich listing closes; neither snapshot has caught up.
    rich = db[LISTINGS].find_one_and_delete({"listingKey": RICH_KEY}, {"_id": 0})
    db[CLOSED].insert_one({**rich, "standardStatus": "Closed", "closePrice": 1_200_000.0, "closeDate": "2026-11-20"})
    html = flagship.get(f"/listings/{RICH_SLUG}/").content.decode()
    assert 'data-testid="sold-badge"' in html and "$1,200,000" in html
    # A CRMLS sale: never on Sarah's (GPS) site, whichever way it would be found.
    crmls = db[LISTINGS].find_one_and_delete({"listingKey": CRMLS_KEY}, {"_id": 0})
    db[CLOSED].insert_one({**crmls, "standardStatus": "Closed", "closePrice": 800_000.0})
    assert sarah.get(f"/listings/{CRMLS_SLUG}/").status_code == 404
    assert flagship.get(f"/listings/{CRMLS_SLUG}/").status_code == 200
    # A sale no snapshot has seen: unknown until the closed snapshot refreshes.
    db[CLOSED].insert_one({**rich, "listingKey": "1900000099", "slug": "5-new-sale-palm-springs-1900000099"})
    assert flagship.get("/listings/5-new-sale-palm-springs-1900000099/").status_code == 404
    loader.holder(loader.CLOSED).refresh(upsert=["1900000099"], remove=[])
    assert flagship.get("/listings/5-new-sale-palm-springs-1900000099/").status_code == 200
