"""URLs of the public schema: the network, the platform admin and the flagship, whose pages are
Wagtail's like an agent site's (docs/tenancy.md)."""

from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from analytics.views import platform_dashboard as platform_analytics
from config.urls_common import api_urlpatterns, common_urlpatterns, listings_urlpatterns
from listings.pagecache import anonymous_page
from providers import agent_views as provider_agent_views
from tenants import domain_views, network_views, wizard_views

admin.site.site_header = "ChatRealty platform admin"
admin.site.site_title = "ChatRealty admin"

urlpatterns = [
    # The home page (only the empty path), served to signed-out visitors from the page cache
    # (listings/pagecache.py).
    path("", anonymous_page(wagtail_views.serve), {"path": ""}),
    *api_urlpatterns,
    *listings_urlpatterns,
    path("admin/", admin.site.urls),
    path("platform/analytics/", platform_analytics, name="platform_analytics"),
    path("platform/", include("platform_admin.urls")),
    path("network/", network_views.network_home, name="network_home"),
    path("network/agent/", network_views.agent_details, name="network_agent_details"),
    path("network/start/<slug:step>/", wizard_views.wizard_step, name="network_step"),
    path("network/subdivisions/", wizard_views.subdivisions, name="network_subdivisions"),
    path("network/launch/", wizard_views.wizard_launch, name="network_launch"),
    path("network/launch/<int:application_id>/", wizard_views.launch_progress, name="network_launch_progress"),
    path("network/launch/<int:application_id>/status/", wizard_views.launch_status, name="network_launch_status"),
    path("network/launch/<int:application_id>/retry/", wizard_views.launch_retry, name="network_launch_retry"),
    path("network/dashboard/", network_views.dashboard, name="network_dashboard"),
    path("network/sites/<int:application_id>/admin/", network_views.open_site_admin, name="network_open_admin"),
    path("network/sites/<int:application_id>/domains/", domain_views.domains, name="network_domains"),
    path(
        "network/sites/<int:application_id>/domains/<int:domain_id>/verify/",
        domain_views.domain_verify,
        name="network_domain_verify",
    ),
    path(
        "network/sites/<int:application_id>/domains/<int:domain_id>/remove/",
        domain_views.domain_remove,
        name="network_domain_remove",
    ),
    path(
        "network/sites/<int:application_id>/providers/",
        provider_agent_views.recommendations,
        name="network_recommendations",
    ),
    # Hosts and service providers are network accounts: their dashboards live here.
    path("hosting/", include("rentals.urls_host")),
    # The flagship's CRM and analytics, for its owners and agents (leads/team.py, docs/crm.md).
    path("crm/", include("leads.urls")),
    path("analytics/", include("analytics.urls")),
    path("provider/", include("providers.urls_dashboard")),
    # The flagship's CMS: its editors are public accounts in the "Flagship editors" group.
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    *common_urlpatterns,
    # Wagtail's catch-all page serving comes last: the flagship's home page is "/".
    path("", include(wagtail_urls)),
]

# django-allauth answers its own limits with this (security/views.py): 429 + Retry-After.
handler429 = "security.views.too_many_requests"
# Server errors show the site's own page, in its branding (themes/errors.py).
handler500 = "themes.errors.server_error"
