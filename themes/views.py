"""What browsers and crawlers ask every site for by name: ``/favicon.ico`` and ``/robots.txt``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from themes.branding import branding_for_request

# Private pages and endpoints no search engine should crawl (they answer 302/401/403 anyway).
# Public pages under those paths (the plans are for everyone to find).
ROBOTS_ALLOW = ("/billing/pricing/",)
ROBOTS_DISALLOW = ("/accounts/", "/api/", "/billing/", "/cms/", "/platform/", "/admin/", "/report/")


@require_safe
@cache_control(public=True, max_age=86_400)
def favicon_ico(request: HttpRequest) -> HttpResponse:
    """The site's favicon (a rendition of its logo) when it has one, else the platform's mark:
    browsers ask for /favicon.ico before reading any page, and a 404 here is a console error."""
    branding = branding_for_request(request)
    return HttpResponseRedirect(branding.favicon_url or static("img/favicon.ico"))


@require_safe
@cache_control(public=True, max_age=3_600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawl everything public; the sitemap named is this site's own (its host, its listings)."""
    lines = ["User-agent: *", *(f"Allow: {path}" for path in ROBOTS_ALLOW)]
    lines += [*(f"Disallow: {path}" for path in ROBOTS_DISALLOW), ""]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
