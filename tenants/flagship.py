"""The flagship's Wagtail site in the public schema: its page tree, Wagtail Site, branding and
the "Flagship editors" group (docs/tenancy.md, "The flagship on Wagtail") and the "Flagship
agents" group, its CRM team (docs/crm.md, "The flagship")."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django_tenants.utils import schema_context
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page, Site

from cms.models import HomePage
from cms.seeding import child_pages_ensure, community_index_ensure, home_page_ensure, wagtail_site_set
from leads.team import FLAGSHIP_AGENTS
from themes.branding import flagship_branding_defaults
from themes.models import SiteBranding

FLAGSHIP_EDITORS = "Flagship editors"
HERO_HEADING = "Find your place in the desert"
SEARCH_DESCRIPTION = (
    "Search every home for sale in Palm Springs and the Coachella Valley, see market stats by community "
    "and ask an AI assistant."
)
HERO_SUBHEADING = "Every home on the Greater Palm Springs and California Regional MLS, on a map or one swipe at a time."

# Besides Wagtail's own editor permissions: the flagship's branding and its leads.
EXTRA_PERMISSIONS = (
    ("themes", "change_sitebranding"),
    ("leads", "view_lead"),
    ("leads", "change_lead"),
)


def _home() -> Page:

    existing = HomePage.objects.first()
    if existing is not None:
        return existing
    home = home_page_ensure(title=settings.FLAGSHIP_NAME, tagline=HERO_SUBHEADING)
    HomePage.objects.filter(pk=home.pk).update(
        hero_heading=HERO_HEADING,
        seo_title=f"{settings.FLAGSHIP_NAME}: Palm Springs and Coachella Valley homes for sale",
        search_description=SEARCH_DESCRIPTION,
    )
    home.refresh_from_db()
    home.body = [("featured_listings", {"heading": "New on the market", "count": 8})]
    home.save_revision().publish()
    return home


def _editors_group(*, home: Page) -> Group:
    """Wagtail's migrations made an "Editors" group in this schema (admin access, pages from the
    root, images and documents): the flagship's is that one, renamed so no one mistakes it for
    a platform role. Its members are plain public accounts: no is_staff (Django's /admin/), no
    platform role (/platform/)."""
    group = Group.objects.filter(name=FLAGSHIP_EDITORS).first()
    if group is None:
        group = Group.objects.filter(name="Editors").first()
        if group is not None:
            group.name = FLAGSHIP_EDITORS
            group.save(update_fields=["name"])
        else:
            group = Group.objects.create(name=FLAGSHIP_EDITORS)
            group.permissions.add(
                Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
            )
    for app_label, codename in EXTRA_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for codename in ("add_page", "change_page", "publish_page"):
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
    if not GroupCollectionPermission.objects.filter(group=group).exists():
        from wagtail.models import Collection

        root = Collection.get_first_root_node()
        for codename in ("add_image", "change_image", "choose_image", "add_document", "change_document"):
            found = Permission.objects.filter(codename=codename).first()
            if found is not None:
                GroupCollectionPermission.objects.create(group=group, collection=root, permission=found)
    return group


def flagship_site_ensure() -> Site:
    """The flagship's pages (home, about, market updates, contact form, communities), its Wagtail
    Site on ``FLAGSHIP_DOMAIN`` and its branding, in the public schema. Idempotent: what the
    flagship's editors changed since is kept."""

    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        defaults = flagship_branding_defaults()
        home = _home()
        child_pages_ensure(home=home, site_name=defaults["site_name"], agent_name=defaults["agent_name"])
        community_index_ensure(home=home)
        existing = Site.objects.filter(is_default_site=True).first()
        if existing is not None and existing.root_page_id == home.pk and existing.hostname == settings.FLAGSHIP_DOMAIN:
            site = existing
        else:
            site = wagtail_site_set(hostname=settings.FLAGSHIP_DOMAIN, home=home, site_name=settings.FLAGSHIP_NAME)
        SiteBranding.objects.get_or_create(site=site, defaults=defaults)
        _editors_group(home=home)
        # The flagship's agents: membership is what opens its /crm/ and /analytics/ (no
        # permissions of its own; its owners are the public schema's superusers).
        Group.objects.get_or_create(name=FLAGSHIP_AGENTS)
        return site
