"""The platform admin, on the network host only (``config/urls_public.py``)."""

from django.urls import path

from platform_admin import views

urlpatterns = [
    path("", views.sites, name="platform_sites"),
    path("sites/<slug:slug>/", views.site_detail, name="platform_site"),
    path("sites/<slug:slug>/<slug:action>/", views.site_action, name="platform_site_action"),
    path("exports/<int:export_id>/", views.export_download, name="platform_export"),
    path("users/", views.users, name="platform_users"),
    path("users/action/", views.user_action, name="platform_user_action"),
    path("syncs/", views.syncs, name="platform_syncs"),
    path("reports/", views.reports, name="platform_reports"),
    path("reports/<int:report_id>/", views.report_action, name="platform_report_action"),
]
