"""Search API URLs; included by the site URLconfs at ``api/`` (see docs in listings/api.py)."""

from django.urls import path

from listings import api

app_name = "listings_api"

urlpatterns = [
    path("listings", api.listings_search, name="listings"),
    path("listings/<str:slug>", api.listing_detail, name="listing"),
    path("cities", api.cities, name="cities"),
    path("cities/<str:slug>/subdivisions", api.city_subdivisions, name="city_subdivisions"),
    path("map/clusters", api.map_clusters, name="map_clusters"),
    path("map/clusters/<int:cluster_id>", api.map_cluster_detail, name="map_cluster"),
    path("openapi.json", api.openapi, name="openapi"),
]
