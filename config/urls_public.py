"""URLs of the public schema: the flagship site and the network (no Wagtail here: see
docs/tenancy.md)."""

from django.contrib import admin
from django.urls import path

from config.urls_common import common_urlpatterns
from tenants import views as tenant_views

admin.site.site_header = "ChatRealty platform admin"
admin.site.site_title = "ChatRealty admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", tenant_views.flagship_home, name="flagship_home"),
    *common_urlpatterns,
]
