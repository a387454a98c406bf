"""URLs served by every site, the flagship included."""

from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from config.api import api
from listings.sitemaps import SITEMAPS
from marketplace.media import marketplace_media_serve
from platform_admin.views import report_page
from tenants import views as tenant_views
from themes import views as theme_views

# First in each site's URLconf, after the home page: what most requests ask for. Django tries the
# patterns in order: an API request (a search) is matched at the first try instead of after the
# ~30 patterns of pages, and a listing or community page no longer walks every include before
# it (30-150 us a request). No other pattern starts with "api/" or with a listings address's
# first segment (tests/test_url_order.py).
api_urlpatterns = [path("api/", api.urls)]
listings_urlpatterns = [path("", include("listings.urls"))]

common_urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("billing/", include("billing.urls")),
    path("cma/", include("cma.urls")),
    path("invest/", include("invest.urls")),
    path("", include("chat.urls")),
    path("rentals/", include("rentals.urls")),
    path("providers/", include("providers.urls")),
    path("marketplace-media/<path:path>", marketplace_media_serve, name="marketplace_media"),
    path("media/<path:path>", tenant_views.media_serve, name="media"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("report/", report_page, name="report_page"),
    path("robots.txt", theme_views.robots_txt, name="robots_txt"),
    path("favicon.ico", theme_views.favicon_ico, name="favicon_ico"),
]
