"""The pages a new site starts with: home, About, a blog with a first post, Contact (with its
form) and the Communities index, and the Wagtail Site that serves them on the site's host.

Provisioning (``tenants.site_setup``) calls this inside the new site's schema. A schema cloned
from the seeded template already has the pages: only their titles and texts change.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from wagtail.models import Page, Revision, Site

from cms.models import (
    BlogIndexPage,
    BlogPage,
    CommunityIndexPage,
    ContactFormField,
    ContactPage,
    HomePage,
    StandardPage,
)
from config.features import feature_on


def site_pages_seed(*, site_name: str, tagline: str = "", agent_name: str = "") -> Page:
    """Seed the current schema's pages (once) and return the home page."""
    cloned_home = HomePage.objects.first()
    home = home_page_ensure(title=site_name, tagline=tagline)
    child_pages_ensure(home=home, site_name=site_name, agent_name=agent_name)
    community_index_ensure(home=home)
    if cloned_home is not None:
        _retitle_cloned_pages(home=home, site_name=site_name, tagline=tagline, agent_name=agent_name)
    return home


def wagtail_site_set(*, hostname: str, home: Page, site_name: str) -> Site:
    """The schema's one Wagtail Site: this site's host, rooted at its home page."""
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = hostname
    site.port = 443 if settings.SITE_SCHEME == "https" else 80
    site.site_name = site_name
    site.root_page = home
    site.save()
    return site


def community_index_ensure(*, home: Page) -> Page:
    """The /communities/ page (``cms.CommunityIndexPage``) under the home page, created once.
    The template schema gets it when seeded, so clones have it; sites cloned from an older
    template get it here."""
    existing = CommunityIndexPage.objects.first()
    if existing is not None:
        return existing
    index = CommunityIndexPage(
        title="Communities",
        introduction="Neighbourhood guides and live market stats for the areas we serve.",
    )
    home.add_child(instance=index)
    return index


def template_pages_top_up() -> None:
    """Pages added to the seed after the template was made (e.g. the Communities index), so
    new clones have them without re-creating the template (run in the template's schema)."""
    home = HomePage.objects.first()
    if home is not None:
        community_index_ensure(home=home)


def _retitle_cloned_pages(*, home: Page, site_name: str, tagline: str, agent_name: str) -> None:
    """Pages cloned from the template carry its placeholder texts: rewrite them in place and
    drop the template's revisions so editors start from this site's own content."""
    HomePage.objects.filter(pk=home.pk).update(
        title=site_name, draft_title=site_name, hero_heading=f"Find your next home with {site_name}"
    )
    StandardPage.objects.filter(slug="about").update(introduction=f"Meet {agent_name or site_name}.")
    if tagline:  # the agent's own line under the hero heading
        HomePage.objects.filter(pk=home.pk).update(hero_subheading=tagline)
    Revision.objects.all().delete()


def home_page_ensure(*, title: str, tagline: str = "") -> Page:
    """The schema's home page, created (and published) once."""
    existing = HomePage.objects.first()
    if existing is not None:
        return existing
    # Wagtail's migrations leave a "Welcome" page (and a Site pointing at it, deleted with it).
    Page.objects.filter(depth=2).delete()
    root = Page.get_first_root_node()
    home = HomePage(
        title=title,
        slug="home",
        hero_heading=f"Find your next home with {title}",
        hero_subheading=tagline or _hero_subheading(),
        body=[("featured_listings", {"heading": "New on the market", "count": 6})],
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    return home


def _hero_subheading() -> str:
    """Seeded text that sells only what is built (config/settings/features.py)."""
    extras = [
        text
        for name, text in (("chat", "ask our AI assistant"), ("cma", "get a free home valuation"))
        if feature_on(name)
    ]
    if not extras:
        return "Search every listing on the MLS, on a map or one swipe at a time."
    return ", ".join(["Search every listing on the MLS", *extras]) + "."


def child_pages_ensure(*, home: Page, site_name: str, agent_name: str) -> None:
    """About, the blog with a first post and Contact with its form, once (a home page that
    has children keeps them)."""
    if home.get_children().exists():
        return
    about = StandardPage(title="About", slug="about", introduction=f"Meet {agent_name or site_name}.")
    home.add_child(instance=about)
    blog = BlogIndexPage(title="Market updates", slug="blog", introduction="News from the local market.")
    home.add_child(instance=blog)
    blog.add_child(
        instance=BlogPage(
            title="Welcome to our new site",
            slug="welcome",
            date_published=date.today(),
            introduction="Search listings, save favourites and get alerts when new homes hit the market.",
        )
    )
    contact = ContactPage(
        title="Contact",
        slug="contact",
        thank_you_text="<p>Thanks for getting in touch. We'll reply within one business day.</p>",
    )
    home.add_child(instance=contact)
    for order, (label, field_type, required) in enumerate(
        [
            ("Name", "singleline", True),
            ("Email", "email", True),
            ("Phone", "singleline", False),
            ("Message", "multiline", True),
        ]
    ):
        ContactFormField.objects.create(
            page=contact, sort_order=order, label=label, field_type=field_type, required=required
        )
