"""The CRM through the real stack: sources become one lead each, people merge, routing and
reassignment, the pipeline, tasks and reminders, CSV in and out, and who may see what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from leads.models import Activity, Contact, Lead, RoutingConfig, RoutingRule, Task
from leads.services import lead_create


def _agent(make_user: Any, site: Any, email: str) -> Any:
    return make_user(
        site, email, role=Role.AGENT, full_name=email.split("@")[0].title(), license_number="L1", brokerage="B"
    )


def test_each_source_makes_one_lead_and_one_person(sarah_site: Any, make_user: Any) -> None:
    from listings.models import SavedSearch

    with schema_context(sarah_site.schema_name):
        before = Lead.objects.count()
        lead_create(source=Lead.Source.CONTACT_FORM, name="Ann Lee", email="Ann@Example.com", message="Hi")
        lead_create(source=Lead.Source.SHOWING_REQUEST, name="Ann", email="ann@example.com", phone="(760) 555-0101")
        lead_create(source=Lead.Source.CHAT, name="", phone="760.555.0101", data={"transcript": "user: hi"})
        user = make_user(sarah_site, "ann@example.com", full_name="Ann Lee")
        SavedSearch.objects.create(user=user, name="Pools", query={"city": ["Palm Springs"]})
        assert Lead.objects.count() == before + 4
        people = Contact.objects.filter(email="ann@example.com")
        assert people.count() == 1
        ann = people.get()
        assert ann.leads.count() == 4 and ann.phone == "(760) 555-0101" and ann.user_id == user.pk
        sources = set(ann.leads.values_list("source", flat=True))
        assert sources == {"contact_form", "showing_request", "chat", "saved_search"}
        assert ann.activities.filter(kind=Activity.Kind.LEAD).count() == 4


def test_sign_up_is_a_lead(sarah_site: Any, site_client: Any) -> None:
    response = site_client(sarah_site).post(
        "/accounts/signup/",
        {
            "email": "newbie@example.com",
            "password1": "a-long-enough-pass-2026",
            "password2": "a-long-enough-pass-2026",
            "role": "end_user",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response.status_code
    with schema_context(sarah_site.schema_name):
        assert Lead.objects.filter(email="newbie@example.com", source=Lead.Source.SIGN_UP).count() == 1


def test_routing_rules_in_order(sarah_site: Any, make_user: Any, owner_of: Any) -> None:
    bo, cy, di = (_agent(make_user, sarah_site, f"{n}@team.example.com") for n in ("bo", "cy", "di"))
    owner = owner_of(sarah_site)
    with schema_context(sarah_site.schema_name):
        assert lead_create(source="cma", email="x1@example.com").assigned_to == owner  # no rules: the owner
        RoutingRule.objects.create(kind=RoutingRule.Kind.SOURCE, source="cma", agent=bo, position=1)
        RoutingRule.objects.create(kind=RoutingRule.Kind.CITY, city="Indio", agent=cy, position=2)
        RoutingRule.objects.create(
            kind=RoutingRule.Kind.PRICE_BAND, min_price=1_000_000, max_price=None, agent=di, position=3
        )
        rr = RoutingRule.objects.create(kind=RoutingRule.Kind.ROUND_ROBIN, position=4)
        rr.agents.set([bo, cy])
        assert lead_create(source="cma", email="x2@example.com").assigned_to == bo
        assert lead_create(source="chat", email="x3@example.com", data={"city": "indio"}).assigned_to == cy
        assert lead_create(source="chat", email="x4@example.com", data={"price": 2_500_000}).assigned_to == di
        turns = [lead_create(source="contact_form", email=f"r{i}@example.com").assigned_to for i in range(4)]
        assert turns[0] != turns[1] and turns[0] == turns[2] and turns[1] == turns[3]
        assert {turns[0], turns[1]} == {bo, cy}


def test_unanswered_leads_are_reassigned_and_the_agent_mailed(
    sarah_site: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from leads.routing import leads_reassign_unanswered

    bo, cy = (_agent(make_user, sarah_site, f"{n}@team2.example.com") for n in ("bo", "cy"))
    with schema_context(sarah_site.schema_name):
        rr = RoutingRule.objects.create(kind=RoutingRule.Kind.ROUND_ROBIN)
        rr.agents.set([bo, cy])
        RoutingConfig.objects.update_or_create(pk=1, defaults={"reassign_after_minutes": 15})
        lead = lead_create(source="contact_form", name="Late", email="late@example.com", notify=False)
        answered = lead_create(source="contact_form", name="Quick", email="quick@example.com", notify=False)
        first = lead.assigned_to
        Lead.objects.filter(pk__in=[lead.pk, answered.pk]).update(assigned_at=timezone.now() - timedelta(minutes=20))
        Lead.objects.filter(pk=answered.pk).update(answered_at=timezone.now())
        assert leads_reassign_unanswered(now=timezone.now() - timedelta(minutes=10)) == []  # not yet due
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            moved = leads_reassign_unanswered()
        assert moved == [lead.pk]
        lead.refresh_from_db()
        assert lead.assigned_to not in (None, first)
        assert [m.to for m in mail.outbox] == [[lead.assigned_to.email]]


def test_the_notice_carries_what_the_agent_needs(sarah_site: Any, django_capture_on_commit_callbacks: Any) -> None:
    mail.outbox.clear()
    with schema_context(sarah_site.schema_name), django_capture_on_commit_callbacks(execute=True):
        lead = lead_create(
            source=Lead.Source.SHOWING_REQUEST,
            name="Bo Buyer",
            email="bo@example.com",
            phone="760-555-0199",
            message="Preferred time: Sat 10am",
            listing_key="K1",
            data={"address": "1 Palm Way, Indio", "url": "/listings/1-palm-way/", "when": "Sat 10am"},
        )
    body = mail.outbox[-1].body
    for needed in ("760-555-0199", "1 Palm Way, Indio", "/listings/1-palm-way/", "Sat 10am", f"/crm/leads/{lead.pk}/"):
        assert needed in body
    assert "760-555-0199" in mail.outbox[-1].subject


def test_pipeline_notes_and_tasks_through_the_pages(sarah_site: Any, owner_of: Any, client_as: Any) -> None:
    from leads.notices import tasks_remind_due

    owner = owner_of(sarah_site)
    with schema_context(sarah_site.schema_name):
        lead = lead_create(source="contact_form", name="Cat", email="cat@example.com", notify=False)
    client = client_as(sarah_site, owner)
    url = f"/crm/leads/{lead.pk}/update/"
    assert client.post(url, {"action": "stage", "stage": "showing"}).status_code == 302
    assert client.post(url, {"action": "note", "text": "Called, wants Sunday"}).status_code == 302
    due = (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"action": "task", "title": "Send comps", "due": due}).status_code == 302
    client.post(url, {"action": "stage", "stage": "bogus"})
    client.post(url, {"action": "task", "title": "No date", "due": "tomorrow"})
    with schema_context(sarah_site.schema_name):
        lead.refresh_from_db()
        assert lead.status == "showing" and lead.answered_at is not None
        assert Task.objects.filter(lead=lead).count() == 1
        kinds = list(lead.contact.activities.values_list("kind", flat=True))
        assert kinds.count("note") == 1 and kinds.count("stage") == 1
        mail.outbox.clear()
        assert tasks_remind_due() == 1
        assert tasks_remind_due() == 0  # once
    assert "Send comps" in mail.outbox[0].subject
    page = client.get(f"/crm/leads/{lead.pk}/")
    assert b"Called, wants Sunday" in page.content and b"Send comps" in page.content
    board = client.get("/crm/?q=cat")
    assert board.status_code == 200 and b"Cat" in board.content
    listing = client.get("/crm/leads/?stage=showing")
    assert b"cat@example.com" in listing.content
    assert b"cat@example.com" not in client.get("/crm/leads/?stage=lost").content


def test_csv_round_trip_with_bad_rows(sarah_site: Any, owner_of: Any, client_as: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(sarah_site, owner_of(sarah_site))
    rows = (
        "name,email,phone,message,stage\n"
        "Dee,dee@example.com,,Hello,contacted\n"
        "Bad,not-an-email,,x,\n"
        "Nobody,,,no contact,\n"
        "Eve,,760 555 0111,,Under contract\n"
        "Odd,odd@example.com,,,maybe\n"
    )
    preview = client.post("/crm/leads/import/", {"file": SimpleUploadedFile("l.csv", rows.encode(), "text/csv")})
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "2 rows to import, 3 with errors" in text and "not valid" in text and "needs an email or a phone" in text
    with schema_context(sarah_site.schema_name):
        assert not Lead.objects.filter(email="dee@example.com").exists()  # nothing written by a preview
    digest = preview.context["digest"]
    assert client.post("/crm/leads/import/", {"confirm": "1", "digest": digest}).status_code == 302
    with schema_context(sarah_site.schema_name):
        assert Lead.objects.get(email="dee@example.com").status == "contacted"
        assert Lead.objects.get(phone="760 555 0111").status == "under_contract"
        assert not Lead.objects.filter(name__in=["Bad", "Nobody", "Odd"]).exists()
    exported = b"".join(client.get("/crm/leads/export.csv").streaming_content).decode()
    assert "dee@example.com" in exported and exported.startswith("id,created_at,source,stage")
    timeline = b"".join(client.get("/crm/timeline/export.csv").streaming_content).decode()
    assert "dee@example.com" in timeline
    assert (
        client.post(
            "/crm/leads/import/", {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00", "text/csv")}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("who", ["anonymous", "visitor", "team_member", "owner", "other_site_owner"])
def test_access_matrix(
    who: str, sarah_site: Any, mike_site: Any, make_user: Any, owner_of: Any, client_as: Any
) -> None:
    """Role × site: the owner sees every lead of the site, a team member only theirs, visitors
    and other sites' agents nothing."""
    member = _agent(make_user, sarah_site, "member@team3.example.com")
    visitor = make_user(sarah_site, "visitor@example.com")
    with schema_context(sarah_site.schema_name):
        mine = lead_create(source="contact_form", name="Mine", email="m1@example.com", notify=False)
        theirs = lead_create(source="contact_form", name="Theirs", email="t1@example.com", notify=False)
        Lead.objects.filter(pk=mine.pk).update(assigned_to=member)
    user, site = {
        "anonymous": (None, sarah_site),
        "visitor": (visitor, sarah_site),
        "team_member": (member, sarah_site),
        "owner": (owner_of(sarah_site), sarah_site),
        "other_site_owner": (owner_of(mike_site), mike_site),
    }[who]
    client = client_as(site, user)
    client.defaults["HTTP_HOST"] = sarah_site.get_primary_domain().domain  # always asking sarah's site
    board = client.get("/crm/leads/")
    detail_mine, detail_theirs = (client.get(f"/crm/leads/{lead.pk}/") for lead in (mine, theirs))
    export = client.get("/crm/leads/export.csv")
    if who in ("anonymous", "other_site_owner"):  # no account on this site: sign in first
        assert board.status_code == detail_theirs.status_code == export.status_code == 302
    elif who == "visitor":
        assert board.status_code == detail_theirs.status_code == export.status_code == 403
    elif who == "team_member":
        assert b"m1@example.com" in board.content and b"t1@example.com" not in board.content
        assert detail_mine.status_code == 200 and detail_theirs.status_code == 404
        assert b"t1@example.com" not in b"".join(export.streaming_content)
    else:
        assert b"m1@example.com" in board.content and b"t1@example.com" in board.content
        assert detail_mine.status_code == detail_theirs.status_code == 200


def test_client_page_shows_only_this_site(
    sarah_site: Any, mike_site: Any, make_user: Any, owner_of: Any, client_as: Any
) -> None:
    from listings.models import Favorite

    ann_s = make_user(sarah_site, "ann2@example.com")
    ann_m = make_user(mike_site, "ann2@example.com")
    with schema_context(sarah_site.schema_name):
        Favorite.objects.create(user=ann_s, listing_key="SARAHKEY1")
        lead = lead_create(source="contact_form", email="ann2@example.com", user=ann_s, notify=False)
    with schema_context(mike_site.schema_name):
        Favorite.objects.create(user=ann_m, listing_key="MIKEKEY1")
    page = client_as(sarah_site, owner_of(sarah_site)).get(f"/crm/clients/{lead.contact_id}/")
    assert page.status_code == 200
    assert b"SARAHKEY1" in page.content and b"MIKEKEY1" not in page.content


def test_agent_sends_a_listing_and_a_saved_search(
    sarah_site: Any, make_user: Any, owner_of: Any, client_as: Any
) -> None:
    from listings.models import SavedSearch

    buyer = make_user(sarah_site, "gus@example.com")
    with schema_context(sarah_site.schema_name):
        lead = lead_create(source="contact_form", email="gus@example.com", user=buyer, notify=False)
        search = SavedSearch.objects.create(user=buyer, name="Indio pools", query={"city": ["Indio"]})
    client = client_as(sarah_site, owner_of(sarah_site))
    url = f"/crm/clients/{lead.contact_id}/send/"
    mail.outbox.clear()
    client.post(url, {"listing": "http://sarah.localhost/listings/1-palm-way/", "note": "Look!"})
    client.post(url, {"saved_search": str(search.pk)})
    client.post(url, {"listing": "<script>"})  # refused, nothing sent
    assert [m.to for m in mail.outbox] == [["gus@example.com"], ["gus@example.com"]]
    assert "/listings/1-palm-way/" in mail.outbox[0].body and "Look!" in mail.outbox[0].body
    assert "city=Indio" in mail.outbox[1].body
    with schema_context(sarah_site.schema_name):
        assert Activity.objects.filter(contact_id=lead.contact_id, kind=Activity.Kind.EMAIL).count() == 2
