"""Seeding a freshly cloned site schema: Wagtail Site hostname, home page, branding, owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

if TYPE_CHECKING:
    from tenants.services import SiteBrandingInput, SiteOwnerInput


@dataclass
class SiteContent:
    hostname: str
    branding: SiteBrandingInput
    owner: SiteOwnerInput | None


def _retitle_cloned_pages(*, home: Page, branding: SiteBrandingInput) -> None:
    """Pages cloned from the template carry its placeholder texts: rewrite them in place and
    drop the template's revisions so editors start from this site's own content."""
    from wagtail.models import Revision

    from cms.models import HomePage, StandardPage

    title = branding.site_name
    HomePage.objects.filter(pk=home.pk).update(
        title=title, draft_title=title, hero_heading=f"Find your next home with {title}"
    )
    StandardPage.objects.filter(slug="about").update(introduction=f"Meet {branding.agent_name or title}.")
    if branding.tagline:  # the agent's own line under the hero heading
        HomePage.objects.filter(pk=home.pk).update(hero_subheading=branding.tagline)
    Revision.objects.all().delete()


def _home_page(*, title: str, tagline: str = "") -> Page:
    from cms.models import HomePage

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
    from config.features import feature_on

    extras = [
        text
        for name, text in (("chat", "ask our AI assistant"), ("cma", "get a free home valuation"))
        if feature_on(name)
    ]
    if not extras:
        return "Search every listing on the MLS, on a map or one swipe at a time."
    return ", ".join(["Search every listing on the MLS", *extras]) + "."


def _child_pages(*, home: Page, branding: SiteBrandingInput) -> None:
    from cms.models import BlogIndexPage, BlogPage, ContactFormField, ContactPage, StandardPage

    if home.get_children().exists():
        return
    about = StandardPage(title="About", slug="about", introduction=f"Meet {branding.agent_name or branding.site_name}.")
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


def community_index_ensure(*, home: Page) -> Page:
    """The /communities/ page (``cms.CommunityIndexPage``) under the home page, created once.
    The template schema gets it when seeded, so clones have it; sites cloned from an older
    template get it here."""
    from cms.models import CommunityIndexPage

    existing = CommunityIndexPage.objects.first()
    if existing is not None:
        return existing
    index = CommunityIndexPage(
        title="Communities",
        introduction="Neighbourhood guides and live market stats for the areas we serve.",
    )
    home.add_child(instance=index)
    return index


def _site(*, hostname: str, home: Page, site_name: str) -> Site:
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = hostname
    site.port = 443 if settings.SITE_SCHEME == "https" else 80
    site.site_name = site_name
    site.root_page = home
    site.save()
    return site


def _branding(*, site: Site, branding: SiteBrandingInput) -> None:
    from themes.models import SiteBranding

    setting = SiteBranding.for_site(site)
    for field_name, value in vars(branding).items():
        setattr(setting, field_name, value)
    setting.full_clean()
    setting.save()


def site_owner_create(*, owner: SiteOwnerInput) -> None:
    """The site's owner in the current schema: an agent, staff and superuser of this schema
    only (auth is per site), in the Editors group."""
    from accounts.models import Role
    from accounts.services import user_create

    user = user_create(
        email=owner.email,
        password=owner.password,
        role=Role.AGENT,
        full_name=owner.full_name,
        license_number=owner.license_number or "pending",
        brokerage=owner.brokerage or "pending",
        is_staff=True,
        is_superuser=True,  # superuser of this site's schema only: auth is per site
        email_verified=True,
    )
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        user.groups.add(editors)


def site_content_seed(*, content: SiteContent) -> Site:
    """Seed the current schema. On a schema cloned from a seeded template most of the work
    is already done: only names, hostname, branding and the owner change."""
    from cms.models import HomePage

    cloned_home = HomePage.objects.first()
    home = _home_page(title=content.branding.site_name, tagline=content.branding.tagline)
    _child_pages(home=home, branding=content.branding)
    community_index_ensure(home=home)
    if cloned_home is not None:
        _retitle_cloned_pages(home=home, branding=content.branding)
    site = _site(hostname=content.hostname, home=home, site_name=content.branding.site_name)
    _branding(site=site, branding=content.branding)
    if content.owner is not None:
        site_owner_create(owner=content.owner)
    return site
