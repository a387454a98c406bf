"""Deals and commission splits through the pages: recording a deal from a lead (validated, all
or nothing), the deals list, earnings per period adding up to the commission to the cent, CSV,
and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import schema_context

from accounts.models import Role
from leads.commission import SplitTerm
from leads.models import Deal, DealSplit, Lead
from leads.services import deal_record, lead_create


def _agent(make_user: Any, site: Any, email: str) -> Any:
    name = email.split("@")[0].title()
    return make_user(site, email, role=Role.AGENT, full_name=name, license_number="L1", brokerage="B")


def _split_post(rows: list[tuple[Any, str, str, str]], **deal: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "1 Palm Way, Indio",
        "closed_on": "2026-03-14",
        "sale_price": "$650,000",
        "commission_rate": "2.5",
        "split-TOTAL_FORMS": str(len(rows)),
        "split-INITIAL_FORMS": "0",
        **deal,
    }
    for i, (agent, kind, amount, cap) in enumerate(rows):
        data.update({f"split-{i}-agent": agent, f"split-{i}-kind": kind, f"split-{i}-amount": amount})
        data[f"split-{i}-cap"] = cap
    return data


def test_record_a_deal_from_a_closed_lead(sarah_site: Any, make_user: Any, owner_of: Any, client_as: Any) -> None:
    bo, cy = (_agent(make_user, sarah_site, f"{n}@deals1.example.com") for n in ("bo", "cy"))
    with schema_context(sarah_site.schema_name):
        lead = lead_create(source="contact_form", name="Buyer", email="buyer@example.com", notify=False)
        Lead.objects.filter(pk=lead.pk).update(status="closed", assigned_to=bo)
    client = client_as(sarah_site, owner_of(sarah_site))
    page = client.get(f"/crm/leads/{lead.pk}/").content.decode()
    assert f"/crm/deals/new/?lead={lead.pk}" in page and "Record the deal" in page
    form = client.get(f"/crm/deals/new/?lead={lead.pk}")
    assert form.status_code == 200 and form.context["splits"].forms[0].initial == {"agent": bo.pk}
    rows = [(bo.pk, "percent", "60", ""), (cy.pk, "fixed", "1,500", ""), ("", "percent", "", "")]
    response = client.post("/crm/deals/new/", _split_post(rows, lead=str(lead.pk)))
    assert response.status_code == 302 and response["Location"] == "/crm/deals/"
    with schema_context(sarah_site.schema_name):
        deal = Deal.objects.get(lead=lead)
        shares = dict(DealSplit.objects.filter(deal=deal).values_list("agent_id", "amount_cents"))
        assert (deal.sale_price_cents, deal.commission_rate_bp, deal.commission_cents) == (65_000_000, 250, 1_625_000)
        assert shares == {bo.pk: 975_000, cy.pk: 150_000} and deal.brokerage_cents == 500_000
        assert sum(shares.values()) + deal.brokerage_cents == deal.commission_cents
        assert "Deal recorded" in lead.contact.activities.latest("pk").text
    listing = client.get("/crm/deals/").content.decode()
    assert "1 Palm Way, Indio" in listing and "$16,250.00" in listing and "$9,750.00" in listing
    assert "$16,250.00" in client.get(f"/crm/leads/{lead.pk}/").content.decode()


@pytest.mark.parametrize(
    ("rows", "deal", "message"),
    [
        ([("bo", "percent", "60", "")], {"commission_rate": "two"}, "as a number"),
        ([("bo", "percent", "60", "")], {"sale_price": "-5"}, "cannot be negative"),
        ([("bo", "percent", "60", "")], {"sale_price": "0"}, "more than zero"),
        ([("bo", "percent", "60", "")], {"commission_rate": "2.555"}, "at most two decimals"),
        ([("bo", "percent", "60", "")], {"commission_rate": "120"}, "at most 100 %"),
        ([("bo", "percent", "80", ""), ("cy", "fixed", "10,000", "")], {}, "exceed the commission"),
        ([("bo", "percent", "30", ""), ("bo", "percent", "20", "")], {}, "Each agent appears once"),
        ([("visitor", "percent", "30", "")], {}, "Select a valid choice"),
        ([("", "percent", "30", "")], {}, "Choose the agent"),
        ([("bo", "fixed", "", "")], {}, "Give a percentage or an amount"),
        ([("bo", "percent", "50", "lots")], {}, "as a number"),
        ([("", "percent", "", "")], {}, "at least one agent"),
        ([("bo", "percent", "60", "")], {"title": "", "closed_on": "someday"}, "This field is required"),
    ],
)
def test_bad_input_gets_a_clear_error_and_writes_nothing(
    rows: list[tuple[str, str, str, str]],
    deal: dict[str, str],
    message: str,
    sarah_site: Any,
    make_user: Any,
    owner_of: Any,
    client_as: Any,
) -> None:
    people = {
        "bo": _agent(make_user, sarah_site, "bo@deals2.example.com"),
        "cy": _agent(make_user, sarah_site, "cy@deals2.example.com"),
        "visitor": make_user(sarah_site, "visitor@deals2.example.com"),
        "": None,
    }
    post = _split_post([(people[a].pk if people[a] else "", k, v, c) for a, k, v, c in rows], **deal)
    with schema_context(sarah_site.schema_name):
        before = Deal.objects.count()
    response = client_as(sarah_site, owner_of(sarah_site)).post("/crm/deals/new/", post)
    assert response.status_code == 200 and message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    with schema_context(sarah_site.schema_name):
        assert Deal.objects.count() == before and not DealSplit.objects.filter(deal__title="1 Palm Way, Indio").exists()


def test_a_deal_is_saved_all_or_nothing(
    sarah_site: Any, make_user: Any, owner_of: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leads import services

    bo = _agent(make_user, sarah_site, "bo@deals3.example.com")

    def broken(**kwargs: Any) -> None:
        raise ValueError("the lead could not be moved")

    monkeypatch.setattr(services, "lead_stage_set", broken)
    with schema_context(sarah_site.schema_name):
        lead = lead_create(source="contact_form", email="atomic@example.com", notify=False)
        with pytest.raises(ValueError):
            deal_record(
                title="Half written",
                sale_price_cents=10_000_000,
                rate_bp=300,
                closed_on=date(2026, 1, 2),
                terms=[SplitTerm(agent_id=bo.pk, percent_bp=5_000)],
                actor=owner_of(sarah_site),
                lead=lead,
            )
        assert not Deal.objects.filter(title="Half written").exists()
        assert not DealSplit.objects.filter(agent=bo).exists()


def _deals(site: Any, owner: Any, bo: Any, cy: Any) -> None:
    """Odd cents on purpose: the parts still add up."""
    with schema_context(site.schema_name):
        for title, day, price, rate, terms in [
            ("Dec", date(2025, 12, 31), 33_333_333, 275, [SplitTerm(agent_id=bo.pk, percent_bp=3_333)]),
            (
                "Jan",
                date(2026, 1, 15),
                49_999_999,
                250,
                [SplitTerm(agent_id=bo.pk, percent_bp=7_001, cap_cents=800_000)],
            ),
            (
                "Feb",
                date(2026, 2, 3),
                123_456_789,
                299,
                [SplitTerm(agent_id=bo.pk, percent_bp=4_999), SplitTerm(agent_id=cy.pk, fixed_cents=1_234_567)],
            ),
            ("Apr", date(2026, 4, 10), 77_777_777, 300, [SplitTerm(agent_id=cy.pk, percent_bp=6_667)]),
        ]:
            deal_record(title=title, sale_price_cents=price, rate_bp=rate, closed_on=day, terms=terms, actor=owner)


def _csv_cents(text: str) -> tuple[int, set[str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return sum(int(Decimal(r["amount"]) * 100) for r in rows), {r["deal"] for r in rows}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("period=month&on=2026-01-20", {"Jan"}),
        ("period=quarter&on=2026-02-01", {"Jan", "Feb"}),
        ("period=year&on=2026-06-30", {"Jan", "Feb", "Apr"}),
        ("period=custom&start=2025-12-01&end=2026-01-31", {"Dec", "Jan"}),
    ],
)
def test_earnings_per_period_add_up_to_the_commission(
    query: str, titles: set[str], sarah_site: Any, make_user: Any, owner_of: Any, client_as: Any
) -> None:
    owner = owner_of(sarah_site)
    bo, cy = (_agent(make_user, sarah_site, f"{n}@deals4.example.com") for n in ("bo", "cy"))
    _deals(sarah_site, owner, bo, cy)
    with schema_context(sarah_site.schema_name):
        deals = Deal.objects.filter(title__in=titles)
        commission = sum(d.commission_cents for d in deals)
        bo_cents = sum(DealSplit.objects.filter(deal__in=deals, agent=bo).values_list("amount_cents", flat=True))
    page = client_as(sarah_site, owner).get(f"/crm/earnings/?{query}")
    report = page.context["report"]
    assert {line.deal.title for line in report.lines} == titles
    assert report.total_cents == report.commission_cents == commission
    assert sum(cents for _, _, cents in report.by_agent) + report.brokerage_cents == commission
    assert f"${commission / 100:,.2f}" in page.content.decode()
    owner_csv = client_as(sarah_site, owner).get(f"/crm/earnings/export.csv?{query}")
    assert _csv_cents(b"".join(owner_csv.streaming_content).decode()) == (commission, titles)
    mine = client_as(sarah_site, bo).get(f"/crm/earnings/?{query}")
    assert mine.context["report"].total_cents == bo_cents and mine.context["report"].brokerage_cents is None
    assert {line.party for line in mine.context["report"].lines} <= {"Bo"}
    bo_csv = b"".join(client_as(sarah_site, bo).get(f"/crm/earnings/export.csv?{query}").streaming_content)
    assert _csv_cents(bo_csv.decode())[0] == bo_cents and b"Brokerage" not in bo_csv and b"Cy" not in bo_csv


def test_a_bad_custom_period_says_so(sarah_site: Any, owner_of: Any, client_as: Any) -> None:
    page = client_as(sarah_site, owner_of(sarah_site)).get(
        "/crm/earnings/?period=custom&start=2026-05-01&end=2026-04-01"
    )
    assert page.status_code == 200 and "The end date is before the start date." in page.content.decode()
    assert page.context["period"].kind == "month"


@pytest.mark.parametrize("who", ["anonymous", "visitor", "team_member", "owner", "other_site_owner"])
def test_deals_access_matrix(
    who: str, sarah_site: Any, mike_site: Any, make_user: Any, owner_of: Any, client_as: Any
) -> None:
    """The owner records and sees every deal and everyone's earnings; a team member sees the
    deals they are on and only their own share; visitors and other sites' agents nothing."""
    owner = owner_of(sarah_site)
    member = _agent(make_user, sarah_site, "member@deals5.example.com")
    other = _agent(make_user, sarah_site, "other@deals5.example.com")
    visitor = make_user(sarah_site, "visitor@deals5.example.com")
    with schema_context(sarah_site.schema_name):
        shared = deal_record(
            title="Shared deal", sale_price_cents=50_000_000, rate_bp=300, closed_on=date(2026, 2, 1), actor=owner,
            terms=[SplitTerm(agent_id=member.pk, percent_bp=5_000), SplitTerm(agent_id=other.pk, percent_bp=2_000)],
        )  # fmt: skip
        deal_record(
            title="Not theirs", sale_price_cents=40_000_000, rate_bp=300, closed_on=date(2026, 2, 2), actor=owner,
            terms=[SplitTerm(agent_id=other.pk, percent_bp=5_000)],
        )  # fmt: skip
    user, site = {
        "anonymous": (None, sarah_site),
        "visitor": (visitor, sarah_site),
        "team_member": (member, sarah_site),
        "owner": (owner, sarah_site),
        "other_site_owner": (owner_of(mike_site), mike_site),
    }[who]
    client = client_as(site, user)
    client.defaults["HTTP_HOST"] = sarah_site.get_primary_domain().domain  # always asking sarah's site
    pages = {
        "deals": client.get("/crm/deals/"),
        "earnings": client.get("/crm/earnings/?period=year&on=2026-01-01"),
        "csv": client.get("/crm/earnings/export.csv?period=year&on=2026-01-01"),
        "new": client.get("/crm/deals/new/"),
        "delete": client.post(f"/crm/deals/{shared.pk}/delete/"),
    }
    codes = {name: r.status_code for name, r in pages.items()}
    with schema_context(sarah_site.schema_name):
        kept = Deal.objects.filter(pk=shared.pk).exists()
    if who in ("anonymous", "other_site_owner"):  # no account on this site: sign in first
        assert set(codes.values()) == {302} and kept
    elif who == "visitor":
        assert set(codes.values()) == {403} and kept
    elif who == "team_member":
        assert codes == {"deals": 200, "earnings": 200, "csv": 200, "new": 403, "delete": 403} and kept
        deals, earned = pages["deals"].content.decode(), pages["earnings"].content.decode()
        assert "Shared deal" in deals and "Not theirs" not in deals and "Other" not in deals
        assert "$7,500.00" in earned and "Brokerage" not in earned and "Other" not in earned
        assert "Other" not in b"".join(pages["csv"].streaming_content).decode()
    else:
        assert codes == {"deals": 200, "earnings": 200, "csv": 200, "new": 200, "delete": 302} and not kept
        assert "Not theirs" in pages["deals"].content.decode()
        assert "Brokerage" in pages["earnings"].content.decode()
