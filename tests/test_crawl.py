"""Nothing for sale that is not built: every page reachable by links from the home pages of the
demo sites (the flagship, sarah, mike) answers, for a visitor, a signed-in subscriber and the
site's owner (an agent). The crawl follows every same-site link and GET form through the real
URL routing, with the session's test sites and listings in the store; a POST form's target must
at least be a URL the site serves. Any 4xx or 5xx is a dead end.

The visitor's crawl fetches every distinct URL it finds; the links of a page are read from the
first ``EXPAND`` pages of each route (every listing page has the same buttons), so the crawl
stays bounded. The signed-in crawls (same listing, community and search pages, plus their own
links: billing, favourites, saved searches, CMA, dashboards) fetch at most
``FETCH_PER_ROUTE_SIGNED_IN`` URLs of each route. The Wagtail and Django admins
(/cms/, /admin/) are the frameworks' own and are not crawled.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django_tenants.utils import schema_context

from listings.tests.pages_support import store, subscribe, user_in

__all__ = ["store"]

pytestmark = pytest.mark.usefixtures("store")

EXPAND = 2  # pages of one route whose links are read
FETCH_PER_ROUTE_SIGNED_IN = 8
SKIP_PREFIXES = ("/cms/", "/admin/", "/static/", "/media/", "/documents/")


class _Page(HTMLParser):
    """Links, GET forms (as the URL their defaults submit) and POST form targets of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.get_forms: list[str] = []
        self.post_targets: list[str] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "fields": []}
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind not in ("submit", "button", "image", "file") and (
                kind not in ("checkbox", "radio") or "checked" in a
            ):
                self._form["fields"].append((a["name"], a.get("value", "")))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"].append((a["name"], None))  # filled by the selected (or first) option
        elif self._form is not None and tag == "option" and self._select is not None:
            fields = self._form["fields"]
            if fields[-1][1] is None or "selected" in a:
                fields[-1] = (self._select, a.get("value", ""))
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._form["fields"].append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            form, self._form = self._form, None
            if form["method"] == "get":
                query = urlencode([(k, v or "") for k, v in form["fields"] if k != "csrfmiddlewaretoken"])
                self.get_forms.append(f"{form['action'] or '?'}{'&' if '?' in form['action'] else '?'}{query}")
            else:
                self.post_targets.append(form["action"])


@dataclass
class Crawl:
    host: str
    urlconf: str
    fetched: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    expanded: dict[str, int] = field(default_factory=dict)

    def local(self, base: str, href: str) -> str | None:
        """``href`` as a path + query on this site, or None (another host, mailto:, fragment)."""
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname != self.host.split(":")[0]:
            return None
        path = parts.path or "/"
        if path.startswith(SKIP_PREFIXES):
            return None
        return path + (f"?{parts.query}" if parts.query else "")

    def route(self, path: str) -> str | None:
        try:
            match = resolve(path.split("?")[0], urlconf=self.urlconf)
        except Resolver404:
            return None
        # Wagtail serves every page through one view: each page is its own route.
        return path.split("?")[0] if match.view_name == "wagtail_serve" else f"{match.view_name}|{match.route}"


def crawl(client: Client, *, host: str, urlconf: str, who: str, fetch_per_route: int | None = None) -> Crawl:
    """Breadth-first from the home page. ``fetch_per_route``: fetch at most that many URLs of
    one route (None: every URL found)."""
    state = Crawl(host=host, urlconf=urlconf)
    fetched_per_route: dict[str, int] = {}
    base = f"http://{host}"
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    seen = {"/"}
    while queue:
        path, source = queue.popleft()
        key = state.route(path) or path
        if fetch_per_route is not None and fetched_per_route.get(key, 0) >= fetch_per_route:
            continue
        fetched_per_route[key] = fetched_per_route.get(key, 0) + 1
        response = client.get(path)
        hops = 0
        while response.status_code in (301, 302, 303, 307, 308) and hops < 5:
            target = state.local(base + path, response["Location"])
            if target is None:
                break
            path, hops = target, hops + 1
            response = client.get(path)
        state.fetched[path] = response.status_code
        if response.status_code >= 400:
            state.problems.append(f"{who} on {host}: {path} -> {response.status_code} (linked from {source})")
            continue
        route = state.route(path)
        if route is None or "text/html" not in response.get("Content-Type", ""):
            continue
        if state.expanded.get(route, 0) >= EXPAND:
            continue
        state.expanded[route] = state.expanded.get(route, 0) + 1
        page = _Page()
        page.feed(response.content.decode())
        for href in page.links + page.get_forms:
            target = state.local(base + path, href)
            if target is not None and target not in seen:
                seen.add(target)
                queue.append((target, path))
        for action in page.post_targets:
            target = state.local(base + path, action or path)
            if target is not None and state.route(target) is None:
                state.problems.append(f"{who} on {host}: form on {path} posts to {target}, which is no page")
    return state


def _agent(tenant: Any) -> Any:
    from accounts.models import Role, User

    with schema_context(tenant.schema_name):
        owner = User.objects.filter(role=Role.AGENT, is_staff=True).order_by("pk").first()
    return owner if owner is not None else user_in(tenant, f"agent-{tenant.schema_name}@example.com", role=Role.AGENT)


def _client(tenant: Any, user: Any | None) -> Client:
    client = Client(HTTP_HOST=tenant.get_primary_domain().domain)
    if user is not None:
        with schema_context(tenant.schema_name):
            client.force_login(user)
    return client


@pytest.mark.parametrize("site", ["public", "sarah", "mike"])
def test_every_link_from_the_home_page_answers(site: str, public_tenant: Any, sarah_site: Any, mike_site: Any) -> None:
    from django.conf import settings

    tenant = {"public": public_tenant, "sarah": sarah_site, "mike": mike_site}[site]
    urlconf = settings.PUBLIC_SCHEMA_URLCONF if site == "public" else settings.ROOT_URLCONF
    subscriber = user_in(tenant, f"subscriber-{site}@example.com")
    subscribe(tenant, subscriber, "investor_3")
    roles = {"visitor": None, "subscriber": subscriber, "agent": _agent(tenant)}
    started = time.perf_counter()
    problems, pages = [], 0
    for who, user in roles.items():
        # The visitor's crawl fetches every URL it finds; signed-in crawls see the same listing,
        # community and search pages plus their own links, so they fetch a sample of each route.
        per_route = None if user is None else FETCH_PER_ROUTE_SIGNED_IN
        host = tenant.get_primary_domain().domain
        result = crawl(_client(tenant, user), host=host, urlconf=urlconf, who=who, fetch_per_route=per_route)
        problems += result.problems
        pages += len(result.fetched)
        assert len(result.fetched) > 10, f"{who} on {site} reached only {sorted(result.fetched)}"
    assert not problems, "\n".join(problems)
    print(f"{site}: {pages} pages in {time.perf_counter() - started:.1f} s")


class _FakeResponse(dict):  # type: ignore[type-arg]
    def __init__(self, status: int, html: str = "", location: str = "") -> None:
        super().__init__({"Content-Type": "text/html; charset=utf-8", "Location": location})
        self.status_code, self.content = status, html.encode()


def test_the_crawler_reports_dead_links_and_follows_get_forms(settings: Any) -> None:
    """The crawler itself: a dead link, a redirect to a dead page and a GET form's target are
    reported with the page that links them; other hosts, mail links and fragments are left."""
    pages = {
        "/": _FakeResponse(
            200,
            '<a href="/ok/">ok</a> <a href="/gone/">gone</a> <a href="http://other.example/x">x</a>'
            '<a href="mailto:a@b.c">m</a> <a href="#top">t</a> <a href="/moved/">m</a>'
            '<form action="/search/" method="get"><input name="q" value="pool"><select name="s">'
            '<option value="a">A</option><option value="b" selected>B</option></select></form>',
        ),
        "/ok/": _FakeResponse(200, "<p>fine</p>"),
        "/moved/": _FakeResponse(302, location="/vanished/"),
    }
    asked: list[str] = []

    class Fake:
        def get(self, path: str) -> _FakeResponse:
            asked.append(path)
            return pages.get(path, _FakeResponse(404))

    result = crawl(Fake(), host="sarah.localhost", urlconf=settings.ROOT_URLCONF, who="visitor")  # type: ignore[arg-type]
    assert sorted(result.problems) == [
        "visitor on sarah.localhost: /gone/ -> 404 (linked from /)",
        "visitor on sarah.localhost: /search/?q=pool&s=b -> 404 (linked from /)",
        "visitor on sarah.localhost: /vanished/ -> 404 (linked from /)",
    ]
    assert "http://other.example/x" not in asked and not any("mailto" in a for a in asked)
