"""Search API URLs; included by the site URLconfs at ``api/`` (see docs in listings/api.py)."""

from django.urls import path

from listings import api, api_key_views

app_name = "listings_api"

urlpatterns = [
    path("listings", api.listings_search, name="listings"),
    path("listings/<str:slug>", api.listing_detail, name="listing"),
    path("cities", api.cities, name="cities"),
    path("cities/<str:slug>/subdivisions", api.city_subdivisions, name="city_subdivisions"),
    path("map/clusters", api.map_clusters, name="map_clusters"),
    path("map/clusters/<int:cluster_id>", api.map_cluster_detail, name="map_cluster"),
    path("openapi.json", api.openapi, name="openapi"),
    path("keys", api_key_views.api_keys, name="api_keys"),
    path("keys/<int:key_id>", api_key_views.api_key_detail, name="api_key"),
]
