"""Every answer under /api/ is the one JSON error shape, unknown paths and methods included; the
generated document declares the security schemes and the error responses of every operation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str) and isinstance(body["message"], str) and isinstance(body["fields"], dict)
    return body


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/map/clusters/abc", 404),
        ("delete", "/api/saved-searches/-1", 404),
        ("get", "/api/no-such-endpoint", 404),
        ("get", "/api/listings/", 404),
        ("put", "/api/listings", 405),
        ("get", "/api/swipes", 405),
        ("delete", "/api/cma", 405),
    ],
)
def test_unknown_paths_and_methods_answer_json(sarah_site: Any, method: str, path: str, status: int) -> None:
    client = Client(HTTP_HOST="sarah.localhost")
    body = shape(getattr(client, method)(path), status)
    assert body["error"] == {404: "not_found", 405: "method_not_allowed"}[status]
    if status == 405:
        assert getattr(client, method)(path).has_header("Allow")


def test_a_write_without_the_csrf_token_is_refused_in_json(sarah_site: Any) -> None:
    client = Client(HTTP_HOST="sarah.localhost", enforce_csrf_checks=True)
    client.get("/api/listings")  # a visitor with cookies
    response = client.post("/api/swipes", {"listingKey": "1", "direction": "like"}, content_type="application/json")
    assert shape(response, 403)["error"] == "csrf_failed"


def test_bad_bodies_list_their_fields(sarah_site: Any) -> None:
    client = Client(HTTP_HOST="sarah.localhost")
    body = shape(client.post("/api/swipes", "not json", content_type="application/json"), 400)
    assert body["error"] == "invalid_json"
    body = shape(
        client.post("/api/swipes", {"listingKey": {"$ne": 1}, "direction": "love"}, content_type="application/json"),
        400,
    )
    assert set(body["fields"]) == {"listingKey", "direction"}


def test_the_document_declares_security_and_errors_everywhere(sarah_site: Any) -> None:
    doc = Client(HTTP_HOST="sarah.localhost").get("/api/openapi.json").json()
    assert set(doc["components"]["securitySchemes"]) == {"ApiKeyAuth", "SessionCookieAuth"}
    assert doc["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    operations = [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]
    assert len(operations) >= 20
    for path, method, op in operations:
        for status in ("400", "401", "403", "429"):
            assert op["responses"][status]["content"]["application/json"]["schema"] == error_ref, (path, method)
        if "{" in path:
            assert "404" in op["responses"], (path, method)
        assert op.get("security"), (path, method)
    assert {"/api/listings", "/api/cma", "/api/chat/stream", "/api/rentals/search", "/api/swipes", "/api/keys"} <= set(
        doc["paths"]
    )
    stream = doc["paths"]["/api/chat/stream"]["post"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    search = doc["paths"]["/api/listings"]["get"]
    assert {} in search["security"] and {"ApiKeyAuth": []} in search["security"]


def test_the_docs_page_uses_installed_static_files(sarah_site: Any) -> None:
    page = Client(HTTP_HOST="sarah.localhost").get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()
