"""URLs of an agent site (a tenant schema): its Wagtail pages, admin and the shared apps."""

from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.urls_common import api_urlpatterns, common_urlpatterns, listings_urlpatterns
from listings.pagecache import anonymous_page
from tenants.site_views import network_login

urlpatterns = [
    # The home page (only the empty path), served to signed-out visitors from the page cache
    # (listings/pagecache.py).
    path("", anonymous_page(wagtail_views.serve), {"path": ""}),
    *api_urlpatterns,
    *listings_urlpatterns,
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("network-login/<str:token>/", network_login, name="network_login"),
    path("crm/", include("leads.urls")),
    path("analytics/", include("analytics.urls")),
    *common_urlpatterns,
    # Wagtail's catch-all page serving comes last.
    path("", include(wagtail_urls)),
]

# django-allauth answers its own limits with this (security/views.py): 429 + Retry-After.
handler429 = "security.views.too_many_requests"
# Server errors show the site's own page, in its branding (themes/errors.py).
handler500 = "themes.errors.server_error"
