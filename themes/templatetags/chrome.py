"""``{% sitechrome "name" value... %}…{% endsitechrome %}``: a part of the page chrome (the
header, the footer, the branded ``<head>`` lines) rendered once per process and site for
signed-out visitors, instead of once per page.

The chrome is the same on every page of a site for every signed-out visitor, and rendering it
(a dozen ``{% static %}`` and ``{% url %}`` tags, the branding's filters) cost ~1.5 ms of each
page's CPU. A fragment is kept under its name, the site (schema and host: URLs are reversed
with the site's URLconf) and the values the tag names (the branding, the feature switches...),
so a new branding or switch is a new key and nothing has to be invalidated: the fragment's
output must depend on nothing else, which is what the tag's list of values declares.

Never shared between visitors: a signed-in visitor's chrome (their email, the sign-out form
with its CSRF token) is rendered for each request, and a fragment holding a CSRF token is
never kept.
"""

from __future__ import annotations

import threading
from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils.functional import LazyObject, empty
from django.utils.safestring import SafeString, mark_safe

from core.tenancy import current_schema

register = template.Library()
MAX_FRAGMENTS = 512  # names × sites × brandings; past it the map starts afresh
_fragments: dict[tuple[Any, ...], SafeString] = {}
_lock = threading.Lock()


def chrome_cache_clear() -> None:
    with _lock:
        _fragments.clear()


def _hashable(value: Any) -> Any:
    """A key part for ``value`` that holds no request: lazy objects unwrapped, dicts (the
    feature switches) as sorted items."""
    if isinstance(value, LazyObject):
        if value._wrapped is empty:  # type: ignore[attr-defined]
            value._setup()  # type: ignore[attr-defined]
        value = value._wrapped  # type: ignore[attr-defined]
    if isinstance(value, dict):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    hash(value)  # TypeError for a value that cannot be a key: a template error, found in tests
    return value


class ChromeNode(template.Node):
    def __init__(self, name: str, values: list[FilterExpression], nodelist: NodeList) -> None:
        self.name, self.values, self.nodelist = name, values, nodelist

    def render(self, context: Context) -> str:
        request = context.get("request")
        user = context.get("user")
        if request is None or user is None or user.is_authenticated:
            return self.nodelist.render(context)
        key = (
            self.name,
            current_schema(),
            request.get_host(),
            *(_hashable(v.resolve(context)) for v in self.values),
        )
        hit = _fragments.get(key)
        if hit is not None:
            return hit
        out = mark_safe(self.nodelist.render(context))  # already escaped by the template engine
        if "csrfmiddlewaretoken" not in out:  # one visitor's token: never for another
            with _lock:
                if len(_fragments) >= MAX_FRAGMENTS:
                    _fragments.clear()
                _fragments[key] = out
        return out


@register.tag("sitechrome")
def sitechrome(parser: Parser, token: Token) -> ChromeNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('{% sitechrome "name" value... %} needs a quoted name')
    nodelist = parser.parse(("endsitechrome",))
    parser.delete_first_token()
    return ChromeNode(bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]], nodelist)
