"""Leads live in the site's own schema (and the public schema for the flagship)."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django_tenants.utils import schema_context

from leads.models import Lead
from leads.services import lead_create


def test_a_lead_stays_in_its_site(sarah_site: Any, mike_site: Any, public_tenant: Any) -> None:
    with schema_context(sarah_site.schema_name):
        lead_create(source=Lead.Source.CONTACT_FORM, name="Ann", email="ann@example.com", message="Hello")
        assert Lead.objects.filter(email="ann@example.com").count() == 1
    with schema_context(mike_site.schema_name):
        assert not Lead.objects.filter(email="ann@example.com").exists()
    with schema_context(public_tenant.schema_name):
        assert not Lead.objects.filter(email="ann@example.com").exists()
        # The flagship keeps leads of its own in the public schema.
        lead_create(source=Lead.Source.CONTACT_FORM, name="Flag", email="flag@example.com", notify=False)
        assert Lead.objects.filter(email="flag@example.com").count() == 1
        # Every network agent has an account here: only agents named in routing rules get leads.
        assert Lead.objects.get(email="flag@example.com").assigned_to is None
    with schema_context(sarah_site.schema_name):
        assert not Lead.objects.filter(email="flag@example.com").exists()


def test_the_agent_is_mailed_once_the_lead_is_committed(
    sarah_site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with schema_context(sarah_site.schema_name), django_capture_on_commit_callbacks(execute=True):
        lead_create(source=Lead.Source.SHOWING_REQUEST, name="Bo", email="bo@example.com", phone="555-0100")
        assert not mail.outbox
    assert len(mail.outbox) == 1
    assert "555-0100" in mail.outbox[0].body and mail.outbox[0].reply_to == ["bo@example.com"]
