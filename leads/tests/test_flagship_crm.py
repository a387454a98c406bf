"""The flagship's CRM and analytics (public schema): its owners (the public schema's superusers)
and its agents (the "Flagship agents" group) only; network accounts with the agent role (every
agent site's owner has one), visitors and editors outside the team are kept out, and leads never
cross between the flagship and an agent site."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from leads.models import Lead, RoutingRule
from leads.services import lead_create
from leads.team import FLAGSHIP_AGENTS

CRM_PAGES = ("/crm/", "/crm/leads/", "/crm/leads/export.csv", "/crm/deals/", "/crm/earnings/", "/analytics/")


def _flagship_agent(make_user: Any, public: Any, email: str) -> Any:
    user = make_user(public, email, role=Role.AGENT, full_name=email.split("@")[0].title(), license_number="L")
    with schema_context(public.schema_name):
        user.groups.add(Group.objects.get(name=FLAGSHIP_AGENTS))
    return user


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


@pytest.fixture
def two_sites_leads(public_tenant: Any, sarah_site: Any) -> dict[str, Lead]:
    with schema_context(public_tenant.schema_name):
        flag = lead_create(source="contact_form", name="Flag Lead", email="flag-lead@example.com", notify=False)
    with schema_context(sarah_site.schema_name):
        sarah = lead_create(source="contact_form", name="Sarah Lead", email="sarah-lead@example.com", notify=False)
    return {"flagship": flag, "sarah": sarah}


def test_the_flagship_owner_sees_the_flagship_leads_only(
    public_tenant: Any, sarah_site: Any, make_user: Any, client_as: Any, owner_of: Any, two_sites_leads: Any
) -> None:
    owner = make_user(public_tenant, "flag-owner@example.com", role=Role.SUPERADMIN, is_superuser=True)
    client = client_as(public_tenant, owner)
    for path in CRM_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"sarah-lead@example.com" not in _body(response), path
    board = client.get("/crm/leads/").content
    assert b"flag-lead@example.com" in board
    assert client.get(f"/crm/leads/{two_sites_leads['flagship'].pk}/").status_code == 200
    # ids are per schema: sarah's lead id names nothing (or another lead) on the flagship
    sarah_lead = two_sites_leads["sarah"]
    on_flagship = client.get(f"/crm/leads/{sarah_lead.pk}/")
    assert on_flagship.status_code == 404 or b"sarah-lead@example.com" not in on_flagship.content
    # and the other way round: sarah's owner on her site never sees the flagship's lead
    sarah_board = client_as(sarah_site, owner_of(sarah_site)).get("/crm/leads/").content
    assert b"sarah-lead@example.com" in sarah_board and b"flag-lead@example.com" not in sarah_board


def test_a_flagship_agent_sees_the_leads_assigned_to_them(
    public_tenant: Any, make_user: Any, client_as: Any, two_sites_leads: Any
) -> None:
    agent = _flagship_agent(make_user, public_tenant, "flo@brokerage.example.com")
    with schema_context(public_tenant.schema_name):
        mine = lead_create(source="cma", name="Mine", email="flo-mine@example.com", notify=False)
        Lead.objects.filter(pk=mine.pk).update(assigned_to=agent)
    client = client_as(public_tenant, agent)
    listing = client.get("/crm/leads/").content
    assert b"flo-mine@example.com" in listing
    assert b"flag-lead@example.com" not in listing and b"sarah-lead@example.com" not in listing
    assert client.get(f"/crm/leads/{two_sites_leads['flagship'].pk}/").status_code == 404
    assert client.get("/analytics/").status_code == 200
    assert client.get("/crm/deals/new/").status_code == 403  # recording deals is the owner's


@pytest.mark.parametrize("who", ["anonymous", "visitor", "network_agent", "platform_admin", "editor"])
def test_outsiders_are_kept_out_of_the_flagship_crm(
    who: str, public_tenant: Any, make_user: Any, client_as: Any, two_sites_leads: Any
) -> None:
    """A network agent (the public account every agent site's owner has, role agent), a
    platform admin, a visitor and a flagship editor outside the team: 403; signed out: sign in."""
    from tenants.flagship import FLAGSHIP_EDITORS

    user = None
    if who == "visitor":
        user = make_user(public_tenant, "flag-visitor@example.com")
    elif who == "network_agent":
        user = make_user(public_tenant, "net-agent2@example.com", role=Role.AGENT, license_number="1", brokerage="b")
    elif who == "platform_admin":
        user = make_user(public_tenant, "padmin2@example.com", role=Role.ADMIN, is_staff=True)
    elif who == "editor":
        user = make_user(public_tenant, "flag-ed9@example.com")
        with schema_context(public_tenant.schema_name):
            user.groups.add(Group.objects.get(name=FLAGSHIP_EDITORS))
    client = client_as(public_tenant, user)
    for path in (*CRM_PAGES, f"/crm/leads/{two_sites_leads['flagship'].pk}/"):
        response = client.get(path)
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], path
        else:
            assert response.status_code == 403, path
            assert b"flag-lead@example.com" not in _body(response)
    # no dead ends: the header shows no "Leads" link to them
    assert b'href="/crm/"' not in client.get("/about/").content
    if who == "editor":  # nor does the flagship's /cms/ menu
        cms = client.get("/cms/")
        assert cms.status_code == 200 and b"/crm/" not in cms.content and b"/analytics/" not in cms.content


def test_the_team_gets_the_links(public_tenant: Any, make_user: Any, client_as: Any) -> None:
    from tenants.flagship import FLAGSHIP_EDITORS

    agent = _flagship_agent(make_user, public_tenant, "flo2@brokerage.example.com")
    with schema_context(public_tenant.schema_name):
        agent.groups.add(Group.objects.get(name=FLAGSHIP_EDITORS))
    client = client_as(public_tenant, agent)
    assert b'href="/crm/"' in client.get("/about/").content
    cms = client.get("/cms/").content
    assert b"/crm/" in cms and b"/crm/deals/" in cms and b"/analytics/" in cms


def test_flagship_routing_takes_its_agents_from_the_group(
    public_tenant: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Rules pick among the flagship's agents; a network agent named in a rule is not one; a lead
    no rule matches stays with the brokerage (unassigned, mailed to its inbox with the CRM link)."""
    flo = _flagship_agent(make_user, public_tenant, "flo3@brokerage.example.com")
    outsider = make_user(public_tenant, "net-agent3@example.com", role=Role.AGENT, license_number="1", brokerage="b")
    with schema_context(public_tenant.schema_name):
        RoutingRule.objects.create(kind=RoutingRule.Kind.CITY, city="Indio", agent=outsider, position=1)
        RoutingRule.objects.create(kind=RoutingRule.Kind.SOURCE, source="cma", agent=flo, position=2)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            to_flo = lead_create(source="cma", email="r1@example.com", data={"city": "Indio"})
            unmatched = lead_create(source="contact_form", email="r2@example.com", data={"city": "Indio"})
        assert to_flo.assigned_to == flo
        assert unmatched.assigned_to is None
    by_lead = {m.body.split("Open the lead: ")[-1].strip(): m.to for m in mail.outbox}
    flo_url = next(url for url in by_lead if url.endswith(f"/crm/leads/{to_flo.pk}/"))
    assert by_lead[flo_url] == [flo.email]
    brokerage_url = next(url for url in by_lead if url.endswith(f"/crm/leads/{unmatched.pk}/"))
    assert by_lead[brokerage_url] != [outsider.email]


def test_the_flagship_analytics_count_the_flagship_only(
    public_tenant: Any, sarah_site: Any, make_user: Any, client_as: Any, two_sites_leads: Any
) -> None:
    from analytics import selectors

    owner = make_user(public_tenant, "flag-owner2@example.com", role=Role.SUPERADMIN, is_superuser=True)
    with schema_context(public_tenant.schema_name):
        expected = Lead.objects.count()
    with schema_context(sarah_site.schema_name):
        assert Lead.objects.count() >= 1
    page = client_as(public_tenant, owner).get("/analytics/export.csv?days=7").content.decode()
    leads_row = next(line for line in page.splitlines() if line.startswith("Leads,"))
    assert int(leads_row.split(",")[1]) == expected
    with schema_context(public_tenant.schema_name):
        period = selectors.period_from({"days": "7"}, today=timezone.localdate())
        assert dict(selectors.dashboard(period=period)["funnel"])["Leads"] == expected
