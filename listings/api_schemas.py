"""Response bodies of the listing endpoints, as declared in the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class Card(Schema):
    key: str
    slug: str | None = None
    address: str | None = None
    city: str = ""
    status: str = ""
    propertyType: str = Field("", description="RESO property type; Residential Lease prices are monthly rents.")
    photo: str | None = None
    price: int | None = None
    beds: int | None = None
    baths: int | None = None
    sqft: int | None = None
    lat: float | None = None
    lon: float | None = None


class SearchPage(Schema):
    total: int
    page: int
    pageSize: int
    results: list[Card]


class ListingDocument(Schema):
    """The listing document (docs/listing-document.md): RESO fields in camelCase."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    listingKey: str
    slug: str | None = None


class Stats(Schema):
    name: str | None
    slug: str
    count: int
    medianPrice: float | None
    medianPricePerSqft: float | None
    medianDaysOnMarket: float | None


class StatsList(Schema):
    city: str | None = Field(None, description="The city's slug (subdivisions only).")
    results: list[Stats]


class FeatureCollection(Schema):
    """GeoJSON. Clusters: properties cluster, cluster_id, point_count, point_count_abbreviated,
    min_price, max_price (Supercluster's). Points: key, slug, price, beds, baths."""

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]
    zoom: int
    total: int


class ClusterDetail(Schema):
    clusterId: int
    expansionZoom: int
    leaves: list[Card]
