"""Helpers shared by the marketplace apps (``providers``, ``rentals``): their files and images.

The marketplace lives in the public schema and is shown on every site of the network, so its
files cannot go through ``TenantFileSystemStorage`` (a file uploaded on the network would be
under ``/media/public/`` and refused on every agent site). They go to one folder of their own,
served read-only by :func:`marketplace.media.marketplace_media_serve`."""


def site_base_url(schema_name: str) -> str:
    """``http://sarah.localhost:8000``: where links in mail about a site's visitor point."""
    from django.conf import settings
    from django_tenants.utils import get_tenant_model

    tenant = get_tenant_model().objects.filter(schema_name=schema_name).first()
    domain = tenant.get_primary_domain() if tenant is not None else None
    host = domain.domain if domain is not None else settings.FLAGSHIP_DOMAIN
    scheme = settings.SITE_SCHEME or "https"
    return f"{scheme}://{host}{settings.SITE_PORT_SUFFIX}"


def city_choices() -> dict[str, str]:
    """``{"palm-springs": "Palm Springs", ...}``: the cities of the listings store (every MLS
    source of the network), by name."""
    from listings.readmodel.loader import get_read_model

    cities = {slug: name for slug, name in get_read_model().city_by_slug.items() if slug}
    return dict(sorted(cities.items(), key=lambda item: item[1]))
