"""The visitor's own things, as API operations: swipes and the swipe queue (anonymous visitors
too, by their cookie), favourites, saved searches and API keys (signed-in users)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest
from django.shortcuts import redirect
from ninja import Path, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field

from api.auth import PUBLIC, PUBLIC_OPENAPI, SIGNED_IN
from api.errors import COMMON, ApiError, errors
from api.params import QueryParams, all_params
from billing.decorators import entitlement_denied_response
from listings import selectors, services
from listings.api_keys import ApiKeyNotAllowed, api_key_create, api_key_revoke
from listings.api_schemas import Card
from listings.filter_gate import plan_marked, request_filters_check
from listings.models import ApiKey, SavedSearch, Swipe
from listings.saved_views import saved_body_parse
from listings.validation import SEARCH_PARAMS, Param, api_params, integer
from listings.web import KEY, listing_visible, query_from, swiped_keys

router = Router(tags=["visitor"])
_KEY_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


# ---- swipes ------------------------------------------------------------------------------------


class SwipeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    listingKey: str = Field(pattern=_KEY_PATTERN, max_length=64)
    direction: Literal["like", "dislike"]


class SwipeOut(Schema):
    listingKey: str
    direction: str
    favorite: bool = Field(description="A like by a signed-in user also saves the home.")


class SwipeQueue(Schema):
    results: list[Card]
    total: int
    swiped: int


if TYPE_CHECKING:  # made at run time from the table; mypy sees its base
    SwipeQueueParams = QueryParams
else:
    SwipeQueueParams = api_params(
        "SwipeQueueParams",
        tuple(p for p in plan_marked(SEARCH_PARAMS) if p.name not in ("page", "pageSize"))
        + (
            Param(
                "limit",
                integer(1, 50),
                "Cards to return (default 10).",
                {"type": "integer", "minimum": 1, "maximum": 50},
            ),
        ),
    )


@router.get(
    "/swipes/queue",
    auth=PUBLIC,
    response={200: SwipeQueue, **errors(*COMMON)},
    operation_id="swipeQueue",
    summary="The next cards for this visitor: the filters' results minus what they already swiped",
    openapi_extra=PUBLIC_OPENAPI,
)
def swipe_queue(request: HttpRequest, params: SwipeQueueParams = all_params()) -> dict[str, Any]:
    values = dict(params.values)
    request_filters_check(request, values)
    limit = values.pop("limit", 10)
    values.setdefault("status", ("Active", "Coming Soon"))
    seen = swiped_keys(request)
    out: list[dict[str, Any]] = []
    page, total = 1, 0
    while len(out) < limit and page <= 50:
        result = selectors.listing_search(query=query_from(request, {**values, "page": page}, page_size=100))
        total = result.total
        out.extend(c for c in result.cards if c["key"] not in seen)
        if page * 100 >= result.total:
            break
        page += 1
    return {"results": out[:limit], "total": total, "swiped": len(seen)}


@router.post(
    "/swipes",
    auth=PUBLIC,
    response={201: SwipeOut, **errors(*COMMON, 404)},
    operation_id="swipe",
    summary="Record a like or a dislike (a signed-in user's like is also a favourite)",
    openapi_extra=PUBLIC_OPENAPI,
)
def swipe(request: HttpRequest, payload: SwipeIn) -> Status:
    if listing_visible(request, payload.listingKey) is None:
        raise ApiError(404, "not_found", "No such listing on this site.", {"listingKey": "unknown"})
    anon = getattr(request, "anonymous_id", None) or ""
    if not request.user.is_authenticated and not anon:
        raise ApiError(400, "no_visitor", "Cookies are needed to record swipes.")
    saved = services.swipe_upsert(
        listing_key=payload.listingKey, direction=payload.direction, user=request.user, anonymous_id=anon
    )
    liked = bool(request.user.is_authenticated and payload.direction == Swipe.Direction.LIKE)
    return Status(201, {"listingKey": payload.listingKey, "direction": saved.direction, "favorite": liked})


# ---- favourites --------------------------------------------------------------------------------


class FavoriteOut(Schema):
    listingKey: str
    favorite: bool


@router.post(
    "/favorites/{key}",
    auth=SIGNED_IN,
    response={200: FavoriteOut, 201: FavoriteOut, **errors(*COMMON, 404)},
    operation_id="favoriteAdd",
    summary="Save a home to the user's favourites (201 new, 200 already saved)",
)
def favorite_add(request: HttpRequest, key: str) -> Status:
    if listing_visible(request, key) is None:
        raise ApiError(404, "not_found", "No such listing on this site.")
    _, created = services.favorite_add(user=request.user, listing_key=key)
    return Status(201 if created else 200, {"listingKey": key, "favorite": True})


@router.delete(
    "/favorites/{key}",
    auth=SIGNED_IN,
    response={200: FavoriteOut, **errors(*COMMON, 404)},
    operation_id="favoriteRemove",
    summary="Remove a home from the user's favourites",
)
def favorite_remove(request: HttpRequest, key: str) -> dict[str, Any]:
    if KEY.fullmatch(key):
        services.favorite_remove(user=request.user, listing_key=key)
    return {"listingKey": key, "favorite": False}


# ---- saved searches ----------------------------------------------------------------------------


class SavedSearchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    query: str | dict[str, Any] = Field(
        "", description="The search: a query string (as /api/listings takes) or an object of its parameters."
    )
    name: str | None = Field(None, max_length=120, description="Default: a description of the search.")
    frequency: Literal["instant", "daily", "never"] | None = None
    sms: bool = Field(False, description="Also by text message (Ultimate plan and above).")


class SavedSearchOut(Schema):
    id: int
    name: str
    query: dict[str, list[str]]
    frequency: str
    sms: bool


class SavedSearchList(Schema):
    results: list[SavedSearchOut]


class Deleted(Schema):
    id: int
    deleted: bool


def _saved_json(s: SavedSearch) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "query": s.query, "frequency": s.frequency, "sms": s.sms_enabled}


@router.get(
    "/saved-searches",
    auth=SIGNED_IN,
    response={200: SavedSearchList, **errors(*COMMON)},
    operation_id="savedSearches",
    summary="The user's saved searches",
)
def saved_searches(request: HttpRequest) -> dict[str, Any]:
    searches = SavedSearch.objects.filter(user=request.user)  # type: ignore[misc]
    return {"results": [_saved_json(s) for s in searches]}


@router.post(
    "/saved-searches",
    auth=SIGNED_IN,
    response={201: SavedSearchOut, **errors(*COMMON)},
    operation_id="savedSearchCreate",
    summary="Save a search: new matches and price drops by email (and text)",
)
def saved_search_create(request: HttpRequest, payload: SavedSearchIn) -> Status:
    body = payload.model_dump()
    body["sms"] = "true" if payload.sms else ""
    query, name, frequency, sms = saved_body_parse(request, body)
    try:
        saved = services.saved_search_create(
            user=request.user, name=name, query=query, frequency=frequency, sms_enabled=sms
        )
    except services.SavedSearchDenied as e:
        ent = e.entitlement
        raise ApiError(
            403,
            e.code,
            e.message,
            e.fields,
            upgrade=True,
            limit=ent.limit,
            used=ent.used,
            plan=ent.plan,
            upgrade_url="/billing/pricing/" if e.code == "upgrade_required" else "/billing/",
        ) from None
    return Status(201, _saved_json(saved))


@router.delete(
    "/saved-searches/{int:pk}",
    auth=SIGNED_IN,
    response={200: Deleted, **errors(*COMMON, 404)},
    operation_id="savedSearchDelete",
    summary="Delete a saved search",
)
def saved_search_delete(request: HttpRequest, pk: int = Path(..., ge=1)) -> dict[str, Any]:
    if not services.saved_search_delete(user=request.user, pk=pk):
        raise ApiError(404, "not_found", "No such saved search.")
    return {"id": pk, "deleted": True}


# ---- API keys ----------------------------------------------------------------------------------


class KeyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("", max_length=80)


class KeyOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The key's public start, to recognise it (cr_<prefix>_…).")
    createdAt: str
    lastUsedAt: str | None


class NewKeyOut(KeyOut):
    key: str = Field(description="The full key: shown this once, stored only hashed.")


class KeyList(Schema):
    results: list[KeyOut]


class Revoked(Schema):
    revoked: bool


def _key_json(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.pk,
        "name": key.name,
        "prefix": f"cr_{key.prefix}",
        "createdAt": key.created_at.isoformat(),
        "lastUsedAt": key.last_used_at.isoformat() if key.last_used_at else None,
    }


@router.get(
    "/keys",
    auth=SIGNED_IN,
    response={200: KeyList, 302: None, **errors(*COMMON)},
    operation_id="apiKeys",
    summary="The user's API keys (never the secret); a browser (Accept: text/html) is sent to the /api-keys/ page",
)
def api_keys(request: HttpRequest) -> Any:
    accept = request.headers.get("Accept", "")
    if "text/html" in accept and "application/json" not in accept:
        return redirect("listings:api_keys_page")  # a person, not a program: the page
    keys = ApiKey.objects.filter(user=request.user, revoked_at=None)  # type: ignore[misc]
    return {"results": [_key_json(k) for k in keys]}


@router.post(
    "/keys",
    auth=SIGNED_IN,
    response={201: NewKeyOut, **errors(*COMMON)},
    operation_id="apiKeyCreate",
    summary="Create an API key (Investor 3 plan)",
)
def api_key_new(request: HttpRequest, payload: KeyIn) -> Any:
    try:
        key, raw = api_key_create(user=request.user, name=payload.name)
    except ApiKeyNotAllowed as exc:
        return entitlement_denied_response(exc.entitlement)
    return Status(201, {**_key_json(key), "key": raw})


@router.delete(
    "/keys/{int:key_id}",
    auth=SIGNED_IN,
    response={200: Revoked, **errors(*COMMON, 404)},
    operation_id="apiKeyRevoke",
    summary="Revoke an API key",
)
def api_key_delete(request: HttpRequest, key_id: int = Path(..., ge=1)) -> dict[str, Any]:
    if not api_key_revoke(user=request.user, key_id=key_id):
        raise ApiError(404, "not_found", "No such key.")
    return {"revoked": True}
