"""The tenancy rules that, when broken, leak one site's data into another."""

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_tenant_model, schema_context

from tenants.models import Tenant


def test_auth_contenttypes_sessions_are_in_both_shared_and_tenant_apps():
    for app in ("django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"):
        assert app in settings.SHARED_APPS
        assert app in settings.TENANT_APPS


def test_wagtail_in_every_site_schema_the_flagship_included():
    wagtail_apps = [app for app in settings.INSTALLED_APPS if app.startswith("wagtail")]
    assert wagtail_apps
    for app in [*wagtail_apps, "cms", "themes"]:
        assert app in settings.SHARED_APPS and app in settings.TENANT_APPS, app


def _tenant_app_tables() -> set[str]:
    """Every table the tenant apps' models (and their many-to-many links) need."""
    from django.apps import apps

    tables = set()
    for app in settings.TENANT_APPS:
        config = next(c for c in apps.get_app_configs() if c.name == app)
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return tables


def test_every_site_schema_has_every_tenant_table(sarah_site, mike_site):
    """Tables of the tenant apps exist in public too (the flagship's), and a site schema's
    search_path ends in public: a table missing from a site schema would silently read and
    write the flagship's. Every site schema, and the template new ones are cloned from, has
    them all."""
    expected = _tenant_app_tables()
    assert {"wagtailcore_page", "leads_lead", "themes_sitebranding"} <= expected
    for schema in (sarah_site.schema_name, mike_site.schema_name, settings.TENANT_BASE_SCHEMA, "public"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
            present = {row[0] for row in cursor.fetchall()}
        assert not expected - present, (schema, sorted(expected - present))


def test_each_site_has_its_own_user_table(sarah_site, mike_site):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'accounts_user' ORDER BY 1"
        )
        schemas = {row[0] for row in cursor.fetchall()}
    assert {"public", sarah_site.schema_name, mike_site.schema_name} <= schemas


def test_cache_key_function_carries_the_tenant():
    assert settings.CACHES["default"]["KEY_FUNCTION"] == "django_tenants.cache.make_key"


def test_media_storage_is_tenant_aware():
    assert settings.STORAGES["default"]["BACKEND"] == "django_tenants.files.storage.TenantFileSystemStorage"


def test_sites_are_cloned_from_the_template(sarah_site):
    assert get_tenant_model() is Tenant
    assert Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA, kind=Tenant.Kind.TEMPLATE).exists()
    with schema_context(sarah_site.schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'wagtailcore'")
        assert cursor.fetchone()[0] > 10


def test_each_site_wagtail_hostname_is_its_domain(sarah_site, mike_site):
    from wagtail.models import Site

    for tenant in (sarah_site, mike_site):
        with schema_context(tenant.schema_name):
            site = Site.objects.get(is_default_site=True)
            assert site.hostname == tenant.get_primary_domain().domain
            assert site.root_page.specific.__class__.__name__ == "HomePage"


def test_template_gets_pages_added_to_the_seed_later(db):
    """A template made before the Communities index existed is topped up, so new clones
    have it."""
    from cms.models import CommunityIndexPage
    from tenants.services import tenant_template_ensure

    with schema_context(settings.TENANT_BASE_SCHEMA):
        CommunityIndexPage.objects.all().delete()
    tenant_template_ensure()
    with schema_context(settings.TENANT_BASE_SCHEMA):
        assert CommunityIndexPage.objects.filter(slug="communities").count() == 1
