"""Providers' own pages, on the network only: providers are network accounts."""

from django.urls import path

from providers import views

app_name = "providers_dashboard"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("join/", views.join, name="join"),
]
