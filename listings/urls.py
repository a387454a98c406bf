"""Listing pages and visitor APIs; included at the root of every site's URLconf, before
Wagtail's catch-all: ``path("", include("listings.urls"))``."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from listings import api_key_pages, community_views, saved_views, search_views, unsubscribe, views
from listings.sitemaps import SITEMAPS

app_name = "listings"

urlpatterns = [
    path("listings/<str:slug>/", views.listing_page, name="listing"),
    path("listings/<str:slug>/showing/", views.showing_request, name="showing_request"),
    path("search/", search_views.search_page, name="search"),
    path("map/", search_views.map_page, name="map"),
    path("swipe/", search_views.swipe_page, name="swipe"),
    path("favorites/", saved_views.favorites_page, name="favorites"),
    path("favorites/<str:key>/toggle/", saved_views.favorite_toggle, name="favorite_toggle"),
    path("saved-searches/", saved_views.saved_searches_page, name="saved_searches"),
    path("saved-searches/<int:pk>/delete/", saved_views.saved_search_delete, name="saved_search_delete"),
    path("saved-searches/<int:pk>/update/", saved_views.saved_search_update, name="saved_search_update"),
    # Generated community pages, or the site editor's Wagtail page at the same address.
    path("communities/", community_views.communities_page, name="communities"),
    path("communities/<str:city>/", community_views.city_page, name="city"),
    path("communities/<str:city>/<str:subdivision>/", community_views.subdivision_page, name="subdivision"),
    path("alerts/unsubscribe/<str:token>/", unsubscribe.unsubscribe_view, name="unsubscribe"),
    path("api-keys/", api_key_pages.api_keys_page, name="api_keys_page"),
    path("api-keys/<int:key_id>/revoke/", api_key_pages.api_key_revoke_page, name="api_key_revoke_page"),
    path("sitemap-listings.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
