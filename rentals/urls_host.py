"""Host pages, on the network only (``config/urls_public.py``): hosts are network accounts."""

from django.urls import path

from rentals import host_views

app_name = "rentals_host"

urlpatterns = [
    path("", host_views.dashboard, name="dashboard"),
    path("new/", host_views.property_edit, name="new"),
    path("<int:pk>/edit/", host_views.property_edit, name="edit"),
    path("<int:pk>/calendar/", host_views.calendar_page, name="calendar"),
    path("<int:pk>/photos/<int:photo_id>/delete/", host_views.photo_delete, name="photo_delete"),
    path("bookings/<int:pk>/", host_views.booking_page, name="booking"),
]
