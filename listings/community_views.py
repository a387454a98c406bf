"""Community pages: ``/communities/``, ``/communities/<city>/`` and
``/communities/<city>/<subdivision>/``.

Every city and subdivision with listings on a site has a page, generated from the read model
(live stats, newest listings, the city's subdivisions). On an agent site an editor can write
one in Wagtail (``cms.CommunityIndexPage``, ``cms.CityPage``, ``cms.SubdivisionPage``): it then
serves that address instead, with the editor's content around the same live part.

How the two meet. ``listings.urls`` comes before Wagtail's catch-all in every URLconf, and the
flagship (public schema) has no Wagtail tables, so these views own the addresses. The editor
pages' slugs are pinned (``communities``, the city's slug, the subdivision's slug), which makes
a page's own Wagtail URL exactly the address served here. So on an agent site each view first
asks Wagtail's router for the same path (``Page.route_for_request``, which only finds live
pages of this schema's tree) and, when it lands on a community page, hands the request to
Wagtail's ``serve`` view, so view restrictions, ``before_serve_page`` / ``on_serve_page``
hooks and previews behave as for any page; otherwise it renders the generated page.

Rejected: a ``RoutablePageMixin`` index page generating the cities nobody wrote. The flagship
would still need these views (two implementations of one page), and a site whose editor
deleted or unpublished the index would lose every community page; here it falls back.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from wagtail import views as wagtail_views
from wagtail.models import Page

from listings import community, selectors
from listings.pagecache import anonymous_page


def _scope(request: HttpRequest) -> selectors.Scope:
    return selectors.site_scope(tenant=getattr(request, "tenant", None))


def _editor_page(request: HttpRequest, path: str) -> HttpResponse | None:
    """The response of the live editor page at ``path`` on this site, if it has one."""
    if getattr(request, "tenant", None) is None:
        return None
    editor_types = community.community_editor_page_types()
    route = Page.route_for_request(request, path) if editor_types else None
    if route is None or not isinstance(route[0], editor_types):
        return None
    return wagtail_views.serve(request, path)


@require_safe
@anonymous_page
def communities_page(request: HttpRequest) -> HttpResponse:
    editor = _editor_page(request, "communities/")
    if editor is not None:
        return editor
    return render(request, "listings/communities.html", {"cities": community.community_cities(scope=_scope(request))})


@require_safe
@anonymous_page
def city_page(request: HttpRequest, city: str) -> HttpResponse:
    if not community.is_community_slug(city):
        raise Http404("No such city")
    editor = _editor_page(request, f"communities/{city}/")
    if editor is not None:
        return editor
    found = community.community_city(scope=_scope(request), city_slug=city)
    if found is None:
        raise Http404("No such city")
    return render(request, "listings/community.html", {"community": found})


@require_safe
@anonymous_page
def subdivision_page(request: HttpRequest, city: str, subdivision: str) -> HttpResponse:
    if not (community.is_community_slug(city) and community.is_community_slug(subdivision)):
        raise Http404("No such community")
    editor = _editor_page(request, f"communities/{city}/{subdivision}/")
    if editor is not None:
        return editor
    found = community.community_subdivision(scope=_scope(request), city_slug=city, subdivision_slug=subdivision)
    if found is None:
        raise Http404("No such community")
    return render(request, "listings/community.html", {"community": found})
