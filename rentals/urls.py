"""Guest pages, on every site (``config/urls_common.py``)."""

from django.urls import path

from rentals import views

app_name = "rentals"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("calendar/<str:token>.ics", views.ical_export, name="ical"),
    path("trips/<uuid:token>/", views.trip_page, name="trip"),
    path("trips/<uuid:token>/checkout-cancelled/", views.cancel_checkout, name="cancel_checkout"),
    path("<slug:slug>/", views.property_page, name="property"),
    path("<slug:slug>/book/", views.book, name="book"),
]
