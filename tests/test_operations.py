"""Health checks, unknown hosts, suspended sites, tasks that carry the schema, logging."""

import json
import logging

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from tenants.services import tenant_set_active


def test_healthz_reports_each_store(client, db):
    response = client.get("/healthz", HTTP_HOST="localhost")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"postgres", "mongodb", "redis"}
    assert all(service["status"] == "ok" for service in body["services"].values())


def test_healthz_answers_for_any_host_and_reports_a_down_store(client, settings, db):
    from listings.store import _client

    settings.MONGODB_URI = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200"
    _client.cache_clear()
    try:
        response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    finally:
        _client.cache_clear()
    assert response.status_code == 503
    body = response.json()
    assert body["services"]["mongodb"]["status"] == "error"
    assert body["services"]["postgres"]["status"] == "ok"


@pytest.mark.django_db
def test_unknown_host_gets_a_friendly_404_page(client):
    response = client.get("/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404
    assert b"couldn't find that site" in response.content


def test_suspended_site_shows_unavailable_page_and_is_restored_at_once(sarah_site, site_client):
    client = site_client(sarah_site)
    tenant_set_active(tenant=sarah_site, active=False, plan_status="suspended")
    response = client.get("/")
    assert response.status_code == 503
    assert b"temporarily unavailable" in response.content
    assert client.get("/accounts/login/").status_code == 200  # the owner can still sign in to pay
    tenant_set_active(tenant=sarah_site, active=True, plan_status="active")
    assert client.get("/").status_code == 200


def test_celery_task_runs_in_the_schema_it_was_given(sarah_site, mike_site):
    from tenants.tasks import schema_report

    assert schema_report.delay(schema_name=sarah_site.schema_name).get() == sarah_site.schema_name
    assert schema_report.delay(schema_name=mike_site.schema_name).get() == mike_site.schema_name
    assert connection.schema_name == "public"


def test_contact_form_creates_a_lead_in_that_site_only_and_notifies_its_agent(
    sarah_site, mike_site, site_client, django_capture_on_commit_callbacks
):
    from leads.models import Lead

    client = site_client(sarah_site)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/contact/", {"name": "Pat Buyer", "email": "pat@example.com", "phone": "", "message": "Tour on Sunday?"}
        )
    assert response.status_code == 200
    with schema_context(sarah_site.schema_name):
        lead = Lead.objects.get(email="pat@example.com")
        assert lead.source == Lead.Source.CONTACT_FORM and lead.message == "Tour on Sunday?"
    with schema_context(mike_site.schema_name):
        assert not Lead.objects.filter(email="pat@example.com").exists()
    assert mail.outbox[-1].to == ["sarah@example.com"]
    assert "Pat Buyer" in mail.outbox[-1].body


def test_log_lines_carry_the_tenant_schema(sarah_site, settings):
    from django_tenants.log import TenantContextFilter
    from pythonjsonlogger.json import JsonFormatter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    with schema_context(sarah_site.schema_name):
        TenantContextFilter().filter(record)
    formatter = JsonFormatter(settings.LOGGING["formatters"]["json"]["format"])
    line = json.loads(formatter.format(record))
    assert line["schema_name"] == sarah_site.schema_name
    assert "tenant_context" in settings.LOGGING["handlers"]["console"]["filters"]
