"""Community pages: editors' Wagtail city and subdivision pages with live stats, the generated
pages for every other area, validation against the store, tenant isolation and the sitemap.

Stats are checked against a brute-force count and medians over the documents put in the store
(plain Python over the dicts, independent of the read model)."""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context
from wagtail.rich_text import RichText

from listings.tests.pages_support import clear_store, load_store, rich_document

CITIES = {  # city -> its subdivisions in the test store
    "Palm Springs": ["Movie Colony", "Deepwell Estates", None],
    "Cathedral City": ["Cathedral Canyon", None],
    "Long Beach": ["Belmont Shore", None],
}
SOURCES = {"Palm Springs": ["gps", "crmls"], "Cathedral City": ["gps"], "Long Beach": ["crmls"]}
STATUSES = ["Active", "Active", "Active", "Coming Soon", "Pending"]
SARAH = ("gps",)
MIKE = ("crmls", "gps")
EDITOR_TEXT = "Sarah on living in Palm Springs"


def _documents() -> list[dict[str, Any]]:
    rng = random.Random(4)
    docs = []
    n = 0
    for city, subs in CITIES.items():
        for source in SOURCES[city]:
            for _ in range(rng.randint(9, 14)):
                n += 1
                key = f"{'1' if source == 'gps' else '2'}7{n:08d}"
                sqft = rng.choice([None, *range(900, 4200, 37)])
                docs.append(
                    rich_document(
                        listingKey=key,
                        listingId=key,
                        mlsSource=source,
                        slug=f"{n}-test-st-{key}",
                        unparsedAddress=f"{n} Test St",
                        city=city,
                        subdivisionName=rng.choice(subs),
                        standardStatus=rng.choice(STATUSES),
                        listPrice=float(rng.randrange(300_000, 3_000_000, 1000)),
                        livingArea=float(sqft) if sqft else None,
                        daysOnMarket=rng.randint(0, 240),
                        photos=[],
                        priceHistory=[],
                        openHouses=[],
                    )
                )
    return docs


DOCS = _documents()


def brute_stats(sources: tuple[str, ...] | None, city: str, subdivision: str | None = None) -> dict[str, Any]:
    """Count and medians over the documents a site with ``sources`` shows in that area."""
    docs = [
        d
        for d in DOCS
        if d["city"] == city
        and (sources is None or d["mlsSource"] in sources)
        and (subdivision is None or d["subdivisionName"] == subdivision)
    ]
    ppsf = [d["listPrice"] / d["livingArea"] for d in docs if d["livingArea"]]
    return {
        "count": len(docs),
        "median_price": statistics.median(d["listPrice"] for d in docs) if docs else None,
        "median_ppsf": statistics.median(ppsf) if ppsf else None,
        "median_dom": statistics.median(d["daysOnMarket"] for d in docs) if docs else None,
        "active_keys": {d["listingKey"] for d in docs if d["standardStatus"] in ("Active", "Coming Soon")},
    }


def assert_stats(stats: dict[str, Any], expected: dict[str, Any]) -> None:
    assert stats["count"] == expected["count"] > 0
    for name in ("median_price", "median_ppsf", "median_dom"):
        assert stats[name] == pytest.approx(expected[name]), name


def card_keys(response: Any) -> set[str]:
    return {str(card["key"]) for card in response.context["community"].result.cards}


@pytest.fixture(scope="module")
def community_store(django_db_setup: None, django_db_blocker: Any, mongo_db: Any) -> Iterator[list[dict[str, Any]]]:
    load_store(DOCS)
    yield DOCS
    clear_store()


@pytest.fixture(autouse=True)
def _no_refresher(settings: Any) -> None:
    settings.LISTINGS_READMODEL_REFRESH = False


pytestmark = pytest.mark.usefixtures("community_store")


def _index() -> Any:
    from cms.models import CommunityIndexPage

    index = CommunityIndexPage.objects.get()
    assert index.live and index.url_path.endswith("/communities/")
    return index


def make_city_page(tenant: Any, city_slug: str, text: str = EDITOR_TEXT, **extra: Any) -> Any:
    from cms.models import CityPage

    with schema_context(tenant.schema_name):
        page = CityPage(
            title=f"Living in {city_slug}",
            city_slug=city_slug,
            introduction="An editor's introduction.",
            body=[("paragraph", RichText(f"<p>{text}</p>"))],
            **extra,
        )
        _index().add_child(instance=page)
        if page.live:
            page.save_revision().publish()
        return page


def make_subdivision_page(tenant: Any, city: Any, subdivision_slug: str, text: str) -> Any:
    from cms.models import SubdivisionPage

    with schema_context(tenant.schema_name):
        page = SubdivisionPage(
            title=f"About {subdivision_slug}",
            subdivision_slug=subdivision_slug,
            body=[("paragraph", RichText(f"<p>{text}</p>"))],
        )
        city.add_child(instance=page)
        page.save_revision().publish()
        return page


def templates_of(response: Any) -> set[str]:
    return {t.name for t in response.templates if t.name}


# ---- editor pages ----------------------------------------------------------------------------


def test_city_page_serves_editor_content_and_live_stats(sarah_site: Any, site_client: Any) -> None:
    make_city_page(sarah_site, "palm-springs", seo_title="Palm Springs homes by Sarah")
    response = site_client(sarah_site).get("/communities/palm-springs/")
    assert response.status_code == 200
    assert "cms/city_page.html" in templates_of(response)
    html = response.content.decode()
    assert EDITOR_TEXT in html and "<title>Palm Springs homes by Sarah" in html
    expected = brute_stats(SARAH, "Palm Springs")
    assert_stats(response.context["community"].stats, expected)
    assert f"<dd>{expected['count']}</dd>" in html
    assert card_keys(response) == expected["active_keys"]  # fewer than a page: every active one
    subs = {s["slug"]: s for s in response.context["community"].subdivisions}
    assert set(subs) == {"movie-colony", "deepwell-estates"}
    assert_stats(subs["movie-colony"], brute_stats(SARAH, "Palm Springs", "Movie Colony"))
    assert 'href="/communities/palm-springs/movie-colony/"' in html


def test_subdivision_page_serves_editor_content_and_live_stats(sarah_site: Any, site_client: Any) -> None:
    city = make_city_page(sarah_site, "palm-springs")
    make_subdivision_page(sarah_site, city, "movie-colony", "Movie Colony in the words of Sarah")
    client = site_client(sarah_site)
    response = client.get("/communities/palm-springs/movie-colony/")
    assert response.status_code == 200
    assert "cms/subdivision_page.html" in templates_of(response)
    assert "Movie Colony in the words of Sarah" in response.content.decode()
    expected = brute_stats(SARAH, "Palm Springs", "Movie Colony")
    assert_stats(response.context["community"].stats, expected)
    assert card_keys(response) == expected["active_keys"]
    # A subdivision of the same city without an editor page still has its generated page.
    other = client.get("/communities/palm-springs/deepwell-estates/")
    assert other.status_code == 200 and "listings/community.html" in templates_of(other)
    assert_stats(other.context["community"].stats, brute_stats(SARAH, "Palm Springs", "Deepwell Estates"))


def test_index_page_is_the_editors_with_live_city_table(sarah_site: Any, site_client: Any) -> None:
    make_city_page(sarah_site, "palm-springs")
    response = site_client(sarah_site).get("/communities/")
    assert response.status_code == 200 and "cms/community_index_page.html" in templates_of(response)
    html = response.content.decode()
    assert "Living in palm-springs" in html  # the editor's city guide
    cities = {c["slug"]: c for c in response.context["cities"]}
    assert set(cities) == {"palm-springs", "cathedral-city"}  # GPS only: no Long Beach
    assert_stats(cities["cathedral-city"], brute_stats(SARAH, "Cathedral City"))
    assert "Long Beach" not in html


def test_draft_editor_page_is_not_served(sarah_site: Any, site_client: Any) -> None:
    make_city_page(sarah_site, "palm-springs", text="Draft words", live=False)
    response = site_client(sarah_site).get("/communities/palm-springs/")
    assert response.status_code == 200 and "listings/community.html" in templates_of(response)
    assert "Draft words" not in response.content.decode()


def test_editor_page_outlives_its_listings(sarah_site: Any, site_client: Any) -> None:
    """A guide to a city with no listing today is still served, without stats."""
    from cms.models import community_store_check_skipped

    with community_store_check_skipped():
        make_city_page(sarah_site, "indian-wells", text="Indian Wells guide")
    response = site_client(sarah_site).get("/communities/indian-wells/")
    assert response.status_code == 200
    assert "Indian Wells guide" in response.content.decode() and response.context["community"] is None
    assert 'data-testid="no-listings"' in response.content.decode()


# ---- validation ------------------------------------------------------------------------------


def test_clean_rejects_unknown_city_and_cities_outside_the_site(sarah_site: Any, mike_site: Any) -> None:
    from cms.models import CityPage

    for slug in ("atlantis", "long-beach"):  # not in the store; only in CRMLS, which Sarah does not show
        with schema_context(sarah_site.schema_name):
            with pytest.raises(ValidationError) as error:
                _index().add_child(instance=CityPage(title="X", city_slug=slug))
            assert list(error.value.message_dict) == ["city_slug"]
            assert not CityPage.objects.exists()
    with schema_context(mike_site.schema_name):
        page = CityPage(title="Long Beach", city_slug="long-beach")
        _index().add_child(instance=page)
        assert page.slug == "long-beach" and page.url == "/communities/long-beach/"  # the address follows the city


def test_clean_rejects_unknown_subdivision_and_duplicates(sarah_site: Any) -> None:
    from cms.models import CityPage, SubdivisionPage

    city = make_city_page(sarah_site, "palm-springs")
    with schema_context(sarah_site.schema_name):
        with pytest.raises(ValidationError) as error:
            CityPage(title="Again", city_slug="palm-springs").full_clean()
        assert "city_slug" in error.value.message_dict
        for slug in ("nowhere", "cathedral-canyon"):  # unknown; a subdivision of another city
            with pytest.raises(ValidationError) as error:
                city.add_child(instance=SubdivisionPage(title="X", subdivision_slug=slug))
            assert "subdivision_slug" in error.value.message_dict
        assert not SubdivisionPage.objects.exists()


def test_editor_creates_a_city_page_in_the_admin(sarah_site: Any) -> None:
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    from cms.models import CityPage

    with schema_context(sarah_site.schema_name):
        from accounts.models import User

        owner = User.objects.get(email="sarah@example.com")
        index_id = _index().pk
    client = Client(HTTP_HOST=sarah_site.get_primary_domain().domain)
    with schema_context(sarah_site.schema_name):
        client.force_login(owner)
    url = f"/cms/pages/add/cms/citypage/{index_id}/"
    form = client.get(url)
    assert form.status_code == 200
    expected = brute_stats(SARAH, "Palm Springs")["count"]
    assert f"Palm Springs ({expected} listings)" in form.content.decode()
    assert "Live market stats and listings" in form.content.decode()  # the editors' panel
    assert "Long Beach" not in form.content.decode()

    def post(city_slug: str) -> Any:
        data = nested_form_data(
            {
                "title": "Palm Springs guide",
                "city_slug": city_slug,
                "introduction": "Hello",
                "body": streamfield([]),
                "comments": inline_formset([]),
                "seo_title": "",
                "search_description": "",
                "action-publish": "publish",
            }
        )
        return client.post(url, data)

    assert post("long-beach").status_code == 200  # the form again, with the error
    with schema_context(sarah_site.schema_name):
        assert not CityPage.objects.exists()
    assert post("palm-springs").status_code == 302
    with schema_context(sarah_site.schema_name):
        page = CityPage.objects.get()
        assert page.live and page.url == "/communities/palm-springs/"
    response = Client(HTTP_HOST=sarah_site.get_primary_domain().domain).get("/communities/palm-springs/")
    assert "Palm Springs guide" in response.content.decode()


def _editor_client(tenant: Any) -> Client:
    from accounts.models import User

    client = Client(HTTP_HOST=tenant.get_primary_domain().domain)
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email="sarah@example.com"))
    return client


def test_admin_refuses_copies_and_moving_a_subdivision_to_another_city(sarah_site: Any) -> None:
    from cms.models import CityPage, SubdivisionPage

    palm = make_city_page(sarah_site, "palm-springs")
    cathedral = make_city_page(sarah_site, "cathedral-city")
    sub = make_subdivision_page(sarah_site, palm, "movie-colony", "Sub")
    client = _editor_client(sarah_site)
    for page in (palm, sub):
        response = client.post(
            f"/cms/pages/{page.pk}/copy/",
            {"new_title": "Copy", "new_slug": "copy", "new_parent_page": page.get_parent().pk},
        )
        assert response.status_code == 302
    response = client.post(f"/cms/pages/{sub.pk}/move/{cathedral.pk}/confirm/")
    assert response.status_code == 302
    with schema_context(sarah_site.schema_name):
        assert CityPage.objects.count() == 2 and SubdivisionPage.objects.count() == 1
        assert SubdivisionPage.objects.get().get_parent().pk == palm.pk


# ---- generated pages, isolation, errors, sitemap ----------------------------------------------


def test_generated_page_for_cities_without_an_editor_page(sarah_site: Any, site_client: Any) -> None:
    response = site_client(sarah_site).get("/communities/cathedral-city/")
    assert response.status_code == 200 and "listings/community.html" in templates_of(response)
    expected = brute_stats(SARAH, "Cathedral City")
    assert_stats(response.context["community"].stats, expected)
    assert card_keys(response) == expected["active_keys"]


def test_flagship_has_generated_pages_for_every_source(public_tenant: Any, site_client: Any) -> None:
    client = site_client(public_tenant)
    response = client.get("/communities/palm-springs/")
    assert response.status_code == 200 and "listings/community.html" in templates_of(response)
    assert_stats(response.context["community"].stats, brute_stats(None, "Palm Springs"))
    index = client.get("/communities/")  # the flagship's own Communities page, as a site's
    assert index.status_code == 200 and "cms/community_index_page.html" in templates_of(index)
    assert {c["slug"] for c in index.context["cities"]} == {"palm-springs", "cathedral-city", "long-beach"}


def test_one_sites_editor_page_never_shows_on_another(sarah_site: Any, mike_site: Any, site_client: Any) -> None:
    city = make_city_page(sarah_site, "palm-springs")
    make_subdivision_page(sarah_site, city, "movie-colony", "Movie Colony by Sarah")
    mike = site_client(mike_site)
    for path in ("/communities/", "/communities/palm-springs/", "/communities/palm-springs/movie-colony/"):
        response = mike.get(path)
        assert response.status_code == 200
        assert "Sarah" not in response.content.decode(), path
    response = mike.get("/communities/palm-springs/")
    assert "listings/community.html" in templates_of(response)
    assert_stats(response.context["community"].stats, brute_stats(MIKE, "Palm Springs"))
    assert brute_stats(MIKE, "Palm Springs")["count"] > brute_stats(SARAH, "Palm Springs")["count"]
    assert_stats(mike.get("/communities/long-beach/").context["community"].stats, brute_stats(MIKE, "Long Beach"))
    # Mike's own page for the same city shows his sources' numbers, and Sarah's stay hers.
    make_city_page(mike_site, "palm-springs", text="Palm Springs according to Mike")
    response = mike.get("/communities/palm-springs/")
    assert "Palm Springs according to Mike" in response.content.decode()
    assert_stats(response.context["community"].stats, brute_stats(MIKE, "Palm Springs"))
    sarah = site_client(sarah_site).get("/communities/palm-springs/")
    assert "Mike" not in sarah.content.decode()
    assert_stats(sarah.context["community"].stats, brute_stats(SARAH, "Palm Springs"))


@pytest.mark.parametrize(
    "path",
    [
        "/communities/atlantis/",
        "/communities/long-beach/",  # CRMLS only: not on Sarah's site
        "/communities/palm-springs/nowhere/",
        "/communities/palm-springs/cathedral-canyon/",  # another city's subdivision
        "/communities/atlantis/movie-colony/",
        "/communities/Palm-Springs/",
        "/communities/palm--springs/",
        "/communities/palm%20springs/",
        "/communities/%E2%80%AE/",
        "/communities/" + "a" * 500 + "/",
        "/communities/palm-springs/" + "b" * 500 + "/",
    ],
)
def test_unknown_areas_are_404_for_anonymous_visitors(path: str, sarah_site: Any, site_client: Any) -> None:
    make_city_page(sarah_site, "palm-springs")  # routing through an editor page too
    assert site_client(sarah_site).get(path).status_code == 404


def test_unknown_areas_are_404_on_the_flagship(public_tenant: Any, site_client: Any) -> None:
    client = site_client(public_tenant)
    for path in ("/communities/atlantis/", "/communities/palm-springs/nowhere/", "/communities/x_y/"):
        assert client.get(path).status_code == 404


def test_community_pages_only_answer_reads(sarah_site: Any, site_client: Any) -> None:
    make_city_page(sarah_site, "palm-springs")
    client = site_client(sarah_site)
    assert client.post("/communities/palm-springs/").status_code == 405
    assert client.post("/communities/cathedral-city/").status_code == 405
    assert client.head("/communities/palm-springs/").status_code == 200


def test_sitemap_lists_each_community_page_once(sarah_site: Any, site_client: Any) -> None:
    from cms.models import community_store_check_skipped

    city = make_city_page(sarah_site, "palm-springs")
    make_subdivision_page(sarah_site, city, "movie-colony", "Sub")
    with community_store_check_skipped():
        make_city_page(sarah_site, "indian-wells", text="No listings here today")
    xml = site_client(sarah_site).get("/sitemap.xml").content.decode()
    locs = [loc for loc in re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", xml) if loc.startswith("/communities/")]
    assert len(locs) == len(set(locs))
    assert set(locs) == {
        "/communities/",
        "/communities/palm-springs/",
        "/communities/palm-springs/movie-colony/",
        "/communities/palm-springs/deepwell-estates/",
        "/communities/cathedral-city/",
        "/communities/cathedral-city/cathedral-canyon/",
        "/communities/indian-wells/",  # an editor's guide without listings today
    }
    dated = re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc><lastmod>", xml)
    assert set(dated) == {  # the published editor pages carry their publication date
        "/communities/palm-springs/",
        "/communities/palm-springs/movie-colony/",
        "/communities/indian-wells/",
    }


def test_demo_community_pages_are_areas_of_the_demo_feed() -> None:
    """The demo seeds its pages before the first sync, so it cannot ask the store: its cities
    and subdivisions must be ones the generated feed has for the site's sources."""
    from devtools.demo import DEMO_COMMUNITIES, DEMO_SITES
    from devtools.spark.feed.geography import CITIES_BY_SOURCE
    from listings.readmodel.normalize import slugify_name

    sources = {site.subdomain: site.mls_sources for site in DEMO_SITES}
    assert DEMO_COMMUNITIES
    for subdomain, items in DEMO_COMMUNITIES.items():
        feed = {c.name: c for s in sources[subdomain] for c in CITIES_BY_SOURCE[s]}
        for item in items:
            assert item.city in feed and slugify_name(item.city)
            if item.subdivision:
                assert item.subdivision in {sub.name for sub in feed[item.city].subdivisions}


def test_demo_community_pages_are_created_once(sarah_site: Any, mike_site: Any, site_client: Any) -> None:
    from cms.models import CityPage, SubdivisionPage
    from devtools.demo import demo_network_create

    demo_network_create()
    demo_network_create()  # make demo runs it at every start
    with schema_context(sarah_site.schema_name):
        assert list(CityPage.objects.values_list("city_slug", flat=True)) == ["palm-springs"]
        assert list(SubdivisionPage.objects.values_list("subdivision_slug", flat=True)) == ["movie-colony"]
    with schema_context(mike_site.schema_name):
        assert list(CityPage.objects.values_list("city_slug", flat=True)) == ["temecula"]
    response = site_client(sarah_site).get("/communities/palm-springs/movie-colony/")
    assert "Old Hollywood" in response.content.decode()
    assert_stats(response.context["community"].stats, brute_stats(SARAH, "Palm Springs", "Movie Colony"))


def test_private_editor_page_stays_private(sarah_site: Any, site_client: Any) -> None:
    """Served through Wagtail's serve view: a login restriction holds (no fallback to the
    generated page at the same address), and the sitemap leaves the page out."""
    from wagtail.models import PageViewRestriction

    city = make_city_page(sarah_site, "palm-springs", text="Members only")
    with schema_context(sarah_site.schema_name):
        PageViewRestriction.objects.create(page=city, restriction_type=PageViewRestriction.LOGIN)
    client = site_client(sarah_site)
    response = client.get("/communities/palm-springs/")
    assert response.status_code == 302
    # The site's own sign-in page, not Wagtail's bare password form.
    assert response["Location"] == "/accounts/login/?next=/communities/palm-springs/"
    xml = client.get("/sitemap.xml").content.decode()
    assert "/communities/palm-springs/<" not in xml and "/communities/cathedral-city/<" in xml
