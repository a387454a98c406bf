from django.urls import path

from providers import views

app_name = "providers"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("request/", views.request_create, name="request"),
    path("requests/<uuid:token>/", views.request_page, name="request_page"),
    path("<slug:slug>/", views.profile, name="profile"),
]
