"""Anonymous page cache: the generated pages every visitor sees alike (community pages, the home
page) are rendered once per process and read-model version, not once per request.

A page costs 10-20 ms of CPU to render (Wagtail routing, a few queries, a large template) and
is the same for every signed-out visitor of a site; at the mixed benchmark's 200 requests a
second the two cores could not render them all. The cache is per process, the same
``listings.answer_cache.AnswerCache`` as the search answers', so it keeps working when Redis is
restarting:

* key: the site's schema, the scheme, the host and the path (no query string: those pages are not
  cached), so one site never gets another's page;
* version: the read model's (``ReadModel.version``): a new snapshot (a sync's changes) empties
  it, so live figures are never older than the listings; and the network's pages version
  (``core.netversion.PAGES``), which a publish, an unpublish, a moved or deleted page or a
  site's branding saved in any process bumps: every process follows it within
  ``PAGE_CACHE_VERSION_CHECK_SECONDS`` (0.25 s), the saving process at once;
* ``PAGE_CACHE_SECONDS`` (default 300) bounds everything else a page shows, and the pages
  version's changes while Redis is away (the cache keeps serving then); signed-in visitors
  never get a cached page.

Only plain answers are kept: a GET/HEAD from a visitor without session or message cookies,
200, no cookie set by the view, no CSRF token used (a form's token belongs to one visitor),
nothing marked private or no-store. Middleware around the view (analytics, rate limits, the
anonymous-id cookie) still runs for every request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from wagtail.signals import page_published, page_unpublished, post_page_move

from core.netversion import PAGES
from core.tenancy import current_schema
from listings.answer_cache import AnswerCache

HEADERS_KEPT = ("Content-Type", "Content-Language", "X-Robots-Tag", "Link")


page_cache: AnswerCache[tuple[bytes, tuple[tuple[str, str], ...]]] = AnswerCache(
    size=int(getattr(settings, "PAGE_CACHE_SIZE", 512)),
    max_bytes=int(getattr(settings, "PAGE_CACHE_BYTES", 32 * 1024 * 1024)),
    ttl=float(getattr(settings, "PAGE_CACHE_SECONDS", 300)),
)
# The last pages version this process read (kept while Redis is away).
_pages_seen: list[int | None] = [None]


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds this visitor's CSRF token
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return "private" not in cache_control and "no-store" not in cache_control


def _render(response: HttpResponse) -> HttpResponse:
    render = getattr(response, "render", None)
    if callable(render) and not getattr(response, "is_rendered", True):
        render()  # a TemplateResponse (Wagtail's pages): its body is needed now
    return response


def anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s answer from ``page_cache`` to signed-out visitors (see the module)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        from listings.readmodel.loader import get_read_model

        version = (get_read_model().version, _pages_version())
        key = (current_schema(), request.scheme, request.get_host(), request.path)
        hit = page_cache.get(version, key)
        if hit is not None:
            response = HttpResponse(hit[0])
            for name, value in hit[1]:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = _render(view(request, *args, **kwargs))
        if _storable(request, response):
            headers = tuple((h, response[h]) for h in HEADERS_KEPT if h in response)
            page_cache.put(version, key, (response.content, headers), nbytes=len(response.content))
            response["X-Page-Cache"] = "miss"
        return response

    return wrapped


def _pages_version() -> int | None:
    interval = float(getattr(settings, "PAGE_CACHE_VERSION_CHECK_SECONDS", 0.25))
    version = PAGES.follow(interval)
    if version is not None:
        _pages_seen[0] = version
    return _pages_seen[0]


def pages_changed(**_: Any) -> None:
    """What signed-out visitors see changed: this process's pages go at once and again on
    commit (a request meanwhile may have cached the old page), and every other process's
    within ``PAGE_CACHE_VERSION_CHECK_SECONDS`` of the commit."""

    def committed() -> None:
        page_cache.clear()
        PAGES.bump()

    page_cache.clear()
    transaction.on_commit(committed)


page_published.connect(pages_changed, dispatch_uid="listings.pagecache.published")
page_unpublished.connect(pages_changed, dispatch_uid="listings.pagecache.unpublished")
post_page_move.connect(pages_changed, dispatch_uid="listings.pagecache.moved")
post_delete.connect(pages_changed, sender="wagtailcore.Page", dispatch_uid="listings.pagecache.deleted")
post_save.connect(pages_changed, sender="themes.SiteBranding", dispatch_uid="listings.pagecache.branding-saved")
post_delete.connect(pages_changed, sender="themes.SiteBranding", dispatch_uid="listings.pagecache.branding-deleted")
