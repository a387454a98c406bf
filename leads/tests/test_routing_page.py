"""The owner's routing page (/crm/routing/): rules added with what their kind needs, used by the
next lead, removed; the unanswered-lead time; only the site's owner; on the flagship only its
agents can be named."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from accounts.models import Role
from leads.models import RoutingConfig, RoutingRule
from leads.services import lead_create
from leads.team import FLAGSHIP_AGENTS
from leads.tests.test_deals import _agent


def _rule(**fields: Any) -> dict[str, Any]:
    return {"action": "add", "rule-position": "10", **{f"rule-{k}": v for k, v in fields.items()}}


def test_the_owner_sets_the_routing(sarah_site: Any, make_user: Any, owner_of: Any, client_as: Any) -> None:
    bo, cy = (_agent(make_user, sarah_site, f"{n}@route1.example.com") for n in ("bo", "cy"))
    client = client_as(sarah_site, owner_of(sarah_site))
    page = client.get("/crm/routing/")
    assert page.status_code == 200 and "No rules yet." in page.content.decode()
    assert 'href="/crm/routing/"' in client.get("/crm/").content.decode()
    missing = client.post("/crm/routing/", _rule(kind="city", agent=str(bo.pk)))
    assert missing.status_code == 200 and "Name the city" in missing.content.decode()
    upside_down = client.post("/crm/routing/", _rule(kind="price_band", min_price="900000", max_price="500000"))
    assert "The upper price must be above" in upside_down.content.decode()
    with schema_context(sarah_site.schema_name):
        assert not RoutingRule.objects.exists()
    assert client.post("/crm/routing/", _rule(kind="city", city="Indio", agent=str(bo.pk))).status_code == 302
    rr = _rule(kind="round_robin", agents=[str(bo.pk), str(cy.pk)])
    rr["rule-position"] = "20"
    assert client.post("/crm/routing/", rr).status_code == 302
    with schema_context(sarah_site.schema_name):
        assert (
            lead_create(source="chat", email="in@example.com", data={"city": "Indio"}, notify=False).assigned_to == bo
        )
        turns = {lead_create(source="cma", email=f"rr{i}@example.com", notify=False).assigned_to for i in range(2)}
        assert turns == {bo, cy}
        city_rule = RoutingRule.objects.get(kind="city")
    listing = client.get("/crm/routing/").content.decode()
    assert "Indio" in listing and "Round robin" in listing
    assert client.post("/crm/routing/", {"action": "delete", "rule": str(city_rule.pk)}).status_code == 302
    assert client.post("/crm/routing/", {"action": "reassign", "re-reassign_after_minutes": "1"}).status_code == 200
    assert client.post("/crm/routing/", {"action": "reassign", "re-reassign_after_minutes": "30"}).status_code == 302
    with schema_context(sarah_site.schema_name):
        assert list(RoutingRule.objects.values_list("kind", flat=True)) == ["round_robin"]
        assert RoutingConfig.objects.get(pk=1).reassign_after_minutes == 30


def test_only_the_owner_routes(sarah_site: Any, make_user: Any, client_as: Any) -> None:
    bo = _agent(make_user, sarah_site, "bo@route2.example.com")
    agent = client_as(sarah_site, bo)
    assert agent.get("/crm/routing/").status_code == 403
    assert agent.post("/crm/routing/", _rule(kind="default", agent=str(bo.pk))).status_code == 403
    assert 'href="/crm/routing/"' not in agent.get("/crm/").content.decode()
    assert client_as(sarah_site, make_user(sarah_site, "v@route2.example.com")).get("/crm/routing/").status_code == 403
    assert client_as(sarah_site, None).get("/crm/routing/").status_code == 302
    with schema_context(sarah_site.schema_name):
        assert not RoutingRule.objects.exists()


def test_the_flagship_names_its_own_agents_only(public_tenant: Any, make_user: Any, client_as: Any) -> None:
    owner = make_user(public_tenant, "route-owner@example.com", role=Role.SUPERADMIN, is_superuser=True)
    flo = make_user(public_tenant, "flo@route3.example.com", role=Role.AGENT, license_number="1", brokerage="b")
    outsider = make_user(public_tenant, "net@route3.example.com", role=Role.AGENT, license_number="1", brokerage="b")
    with schema_context(public_tenant.schema_name):
        flo.groups.add(Group.objects.get(name=FLAGSHIP_AGENTS))
    client = client_as(public_tenant, owner)
    refused = client.post("/crm/routing/", _rule(kind="default", agent=str(outsider.pk)))
    assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
    assert client.post("/crm/routing/", _rule(kind="default", agent=str(flo.pk))).status_code == 302
    with schema_context(public_tenant.schema_name):
        assert lead_create(source="contact_form", email="f@example.com", notify=False).assigned_to == flo
