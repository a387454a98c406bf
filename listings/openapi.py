"""OpenAPI 3.1 description of the search API, generated from the validation tables.

Parameters come from ``listings.validation`` so the document cannot drift from what the
views actually accept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from listings.validation import CLUSTER_PARAMS, MAP_PARAMS, SEARCH_PARAMS, Param

_MAP_FILTERS = tuple(p for p in SEARCH_PARAMS if p.name not in ("sort", "page", "pageSize"))


def _params(params: Sequence[Param], required: Sequence[str] = ()) -> list[dict[str, Any]]:
    out = []
    for p in params:
        schema: dict[str, Any] = dict(p.schema)
        if p.many:
            schema = {"type": "array", "items": schema}
        out.append(
            {
                "name": p.name,
                "in": "query",
                "required": p.name in required,
                "description": p.description,
                "schema": schema,
                **({"style": "form", "explode": True} if p.many else {}),
            }
        )
    return out


def _path_param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _ok(ref: str, description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
        }
    }


_ERRORS = {
    "400": {
        "description": "Invalid parameters",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
}
_NOT_FOUND = {
    "404": {
        "description": "Not found",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
}

_NUM = {"type": ["number", "null"]}
_INT = {"type": ["integer", "null"]}
SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message", "fields"],
        "properties": {
            "error": {"type": "string", "example": "invalid_parameters"},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "Card": {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            "slug": {"type": "string"},
            "address": {"type": "string"},
            "city": {"type": "string"},
            "status": {"type": "string"},
            "propertyType": {
                "type": "string",
                "description": "RESO property type; Residential Lease prices are monthly rents.",
            },
            "photo": {"type": "string"},
            "price": _INT,
            "beds": _INT,
            "baths": _INT,
            "sqft": _INT,
            "lat": _NUM,
            "lon": _NUM,
        },
    },
    "SearchPage": {
        "type": "object",
        "properties": {
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "pageSize": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Card"}},
        },
    },
    "Listing": {
        "type": "object",
        "description": "The listing document (docs/listing-document.md).",
        "additionalProperties": True,
    },
    "Stats": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "slug": {"type": "string"},
            "count": {"type": "integer"},
            "medianPrice": _NUM,
            "medianPricePerSqft": _NUM,
            "medianDaysOnMarket": _NUM,
        },
    },
    "StatsList": {
        "type": "object",
        "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Stats"}}},
    },
    "FeatureCollection": {
        "type": "object",
        "description": (
            "GeoJSON. Clusters: properties cluster, cluster_id, point_count, "
            "point_count_abbreviated, min_price, max_price (Supercluster's). Points: key, slug, "
            "price, beds, baths."
        ),
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array"},
            "zoom": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
    "ClusterDetail": {
        "type": "object",
        "properties": {
            "clusterId": {"type": "integer"},
            "expansionZoom": {"type": "integer"},
            "leaves": {"type": "array", "items": {"$ref": "#/components/schemas/Card"}},
        },
    },
}


def openapi_document(*, server: str = "") -> dict[str, Any]:
    slug = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ChatRealty search API",
            "version": "1.0.0",
            "description": "Listings of the site's MLS sources (agent sites: the sources their "
            "agent chose, featured subdivisions first). Unknown parameters "
            "are rejected; empty values mean 'not given'.",
        },
        "servers": [{"url": server}] if server else [],
        "paths": {
            "/api/listings": {
                "get": {
                    "summary": "Search listings",
                    "operationId": "searchListings",
                    "parameters": _params(SEARCH_PARAMS),
                    "responses": {**_ok("SearchPage", "A page of result cards"), **_ERRORS},
                }
            },
            "/api/listings/{slug}": {
                "get": {
                    "summary": "One listing",
                    "operationId": "getListing",
                    "parameters": [_path_param("slug", slug)],
                    "responses": {**_ok("Listing", "The listing"), **_NOT_FOUND},
                }
            },
            "/api/cities": {
                "get": {
                    "summary": "Cities with live stats",
                    "operationId": "listCities",
                    "responses": _ok("StatsList", "Cities"),
                }
            },
            "/api/cities/{slug}/subdivisions": {
                "get": {
                    "summary": "Subdivisions of a city with live stats",
                    "operationId": "listSubdivisions",
                    "parameters": [_path_param("slug", slug)],
                    "responses": {**_ok("StatsList", "Subdivisions"), **_NOT_FOUND},
                }
            },
            "/api/map/clusters": {
                "get": {
                    "summary": "Clusters and price pins of a viewport (Supercluster semantics)",
                    "operationId": "mapClusters",
                    "parameters": _params(_MAP_FILTERS + MAP_PARAMS, required=("bbox", "zoom")),
                    "responses": {**_ok("FeatureCollection", "GeoJSON"), **_ERRORS},
                }
            },
            "/api/map/clusters/{clusterId}": {
                "get": {
                    "summary": "Expansion zoom and leaves of a cluster (send the map's filters)",
                    "operationId": "mapCluster",
                    "parameters": [
                        _path_param("clusterId", {"type": "integer", "minimum": 0}),
                        *_params(_MAP_FILTERS + CLUSTER_PARAMS),
                    ],
                    "responses": {**_ok("ClusterDetail", "The cluster"), **_ERRORS, **_NOT_FOUND},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
