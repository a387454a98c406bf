"""Canonical link, Open Graph tags and schema.org JSON-LD for the pages search engines and link
previews read: community pages, a site's home (the agent or brokerage), search pages.

    {% load seo %}
    {% block meta_extra %}{% community_seo community %}{% endblock %}
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
TEMPLATE = "includes/seo_meta.html"
# The search parameters that make a search page a page of its own (the rest are refinements
# that would give crawlers endless variants of one page).
SEARCH_CANONICAL_PARAMS = ("city", "listingType", "page")


def json_ld(data: dict[str, Any]) -> SafeString:
    """JSON safe inside <script>: no "</" or "<!--" can end or comment the element."""
    text = json.dumps({"@context": "https://schema.org", **data}, default=str, ensure_ascii=False)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _absolute(context: template.Context, path: str) -> str:
    return str(context["request"].build_absolute_uri(path))


def _meta(
    context: template.Context, *, canonical: str, title: str, description: str, data: dict[str, Any], image: str = ""
) -> dict[str, Any]:
    return {
        "branding": context.get("branding"),
        "canonical": canonical,
        "title": title,
        "description": description,
        "image": image,
        "json_ld": json_ld({"url": canonical, **data}),
    }


def _place(city: str, region: str = "CA") -> dict[str, Any]:
    address = {"@type": "PostalAddress", "addressLocality": city, "addressRegion": region, "addressCountry": "US"}
    return {"@type": "Place", "name": f"{city}, {region}", "address": address}


def _item_list(context: template.Context, cards: list[dict[str, Any]], total: int) -> dict[str, Any]:
    items = [
        {"@type": "ListItem", "position": i, "url": _absolute(context, f"/listings/{card['slug']}/")}
        for i, card in enumerate(cards, start=1)
        if card.get("slug")
    ]
    return {"@type": "ItemList", "numberOfItems": total, "itemListElement": items}


@register.inclusion_tag(TEMPLATE, takes_context=True)
def community_seo(context: template.Context, community: Any) -> dict[str, Any]:
    """A city or subdivision page: a collection of the area's homes for sale, about the place."""
    city = community.city["name"]
    area = f"{community.subdivision['name']}, {city}" if community.subdivision else city
    stats = community.stats
    description = f"{stats.get('count', 0)} homes for sale in {area}"
    if stats.get("median_price"):
        description += f"; median price ${stats['median_price']:,.0f}"
    place = _place(city)
    if community.subdivision:
        place = {"@type": "Place", "name": area, "containedInPlace": place}
    cards = list(community.result.cards)
    title = f"{area} homes for sale and market stats"
    data: dict[str, Any] = {
        "@type": "CollectionPage",
        "name": title,
        "description": description + ".",
        "about": place,
        "mainEntity": _item_list(context, cards, int(stats.get("count") or 0)),
    }
    image = str(cards[0].get("photo") or "") if cards else ""
    canonical = _absolute(context, context["request"].path)
    return _meta(context, canonical=canonical, title=title, description=description + ".", data=data, image=image)


@register.inclusion_tag(TEMPLATE, takes_context=True)
def agent_seo(context: template.Context, description: str = "") -> dict[str, Any]:
    """A site's home page: the agent (or the flagship brokerage) as a RealEstateAgent."""
    branding = context["branding"]
    canonical = _absolute(context, "/")
    data: dict[str, Any] = {
        "@type": "RealEstateAgent",
        "name": branding.agent_name or branding.site_name,
        "description": description or branding.tagline,
        "areaServed": _place("Palm Springs"),
    }
    if branding.agent_name and branding.site_name != branding.agent_name:
        data["alternateName"] = branding.site_name
    for key, value in (("telephone", branding.contact_phone), ("email", branding.contact_email)):
        if value:
            data[key] = value
    image = branding.agent_photo_url or branding.logo_url
    if image:
        data["image"] = _absolute(context, image)
    if branding.brokerage:
        data["parentOrganization"] = {"@type": "RealEstateAgent", "name": branding.brokerage}
    if branding.license_number:
        data["identifier"] = branding.license_number
    title = branding.site_name + (f": {branding.tagline}" if branding.tagline else "")
    return _meta(
        context,
        canonical=canonical,
        title=title,
        description=data["description"],
        data=data,
        image=data.get("image", ""),
    )


def _search_words(context: template.Context) -> tuple[str, str]:
    """The search page's title and description (as its <title> and meta description say)."""
    filters, city = context.get("f") or {}, context.get("city_name") or ""
    kind = "rent" if filters.get("listingType") == "rent" else "sale"
    if city:
        title = f"Homes for {kind} in {city}"
    elif filters.get("q"):
        title = f"Homes matching “{filters['q']}”"
    else:
        title = f"Homes for {kind}"
    page = context.get("page") or 1
    title += f" – page {page}" if isinstance(page, int) and page > 1 else ""
    where = f" in {city}" if city else ""
    return title, f"Search homes for sale{where}: filter by price, beds, pool, HOA and land lease."


@register.inclusion_tag(TEMPLATE, takes_context=True)
def search_seo(context: template.Context) -> dict[str, Any]:
    """A search page: canonical on its city, listing type and page (not every filter), the
    results as an ItemList."""
    title, description = _search_words(context)
    request = context["request"]
    params = [(k, request.GET[k]) for k in SEARCH_CANONICAL_PARAMS if request.GET.get(k) and request.GET[k] != "1"]
    canonical = _absolute(context, request.path + (f"?{urlencode(params)}" if params else ""))
    result = context.get("result")
    cards = list(getattr(result, "cards", None) or [])
    data = {
        "@type": "SearchResultsPage",
        "name": title,
        "description": description,
        "mainEntity": _item_list(context, cards, int(getattr(result, "total", 0) or 0)),
    }
    city = context.get("city_name")
    if city:
        data["about"] = _place(str(city))
    image = str(cards[0].get("photo") or "") if cards else ""
    return _meta(context, canonical=canonical, title=title, description=description, data=data, image=image)
