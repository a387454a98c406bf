"""Test URLconf: the project's URLs with billing mounted at /billing/ (as the app expects)."""

from django.urls import include, path

from config.urls_public import urlpatterns as public_urlpatterns

urlpatterns = [path("billing/", include("billing.urls")), *public_urlpatterns]
