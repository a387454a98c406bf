"""URLs served by every site, the flagship included."""

from django.urls import include, path

from tenants import views as tenant_views

common_urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("billing/", include("billing.urls")),
    path("api/", include("listings.urls_api")),
    path("media/<path:path>", tenant_views.media_serve, name="media"),
]
