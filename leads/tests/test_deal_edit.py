"""Correcting a recorded deal: the form opens with what was recorded, a save recomputes the
commission and replaces the split (the parts still add up to the cent), bad input changes
nothing, and only the site's owner may."""

from __future__ import annotations

from datetime import date
from typing import Any

from django_tenants.utils import schema_context

from leads.commission import SplitTerm
from leads.models import Deal, DealSplit
from leads.services import deal_record, lead_create
from leads.tests.test_deals import _agent, _split_post


def _deal(sarah_site: Any, owner: Any, bo: Any, cy: Any) -> Deal:
    with schema_context(sarah_site.schema_name):
        lead = lead_create(source="contact_form", name="Buyer", email="edit-buyer@example.com", notify=False)
        return deal_record(
            title="2 Palm Way", sale_price_cents=50_000_000, rate_bp=300, closed_on=date(2026, 2, 1), actor=owner,
            terms=[SplitTerm(agent_id=bo.pk, percent_bp=5_000, cap_cents=600_000), SplitTerm(agent_id=cy.pk, fixed_cents=100_000)],
            lead=lead,
        )  # fmt: skip


def test_the_owner_corrects_a_deal(sarah_site: Any, make_user: Any, owner_of: Any, client_as: Any) -> None:
    bo, cy, di = (_agent(make_user, sarah_site, f"{n}@edit1.example.com") for n in ("bo", "cy", "di"))
    owner = owner_of(sarah_site)
    deal = _deal(sarah_site, owner, bo, cy)
    client = client_as(sarah_site, owner)
    assert f"/crm/deals/{deal.pk}/edit/" in client.get("/crm/deals/").content.decode()
    form = client.get(f"/crm/deals/{deal.pk}/edit/")
    assert form.status_code == 200
    assert form.context["form"].initial["sale_price"] == "500,000.00"
    assert form.context["form"].initial["commission_rate"] == "3"
    assert [f.initial for f in form.context["splits"].forms[:2]] == [
        {"agent": bo.pk, "kind": "percent", "amount": "50", "cap": "6000.00"},
        {"agent": cy.pk, "kind": "fixed", "amount": "1000.00", "cap": ""},
    ]
    rows = [(bo.pk, "percent", "40", ""), (di.pk, "fixed", "2,000", "")]
    post = _split_post(rows, title="2 Palm Way, Indio", sale_price="$520,000", commission_rate="2.5")
    response = client.post(f"/crm/deals/{deal.pk}/edit/", post)
    assert response.status_code == 302 and response["Location"] == "/crm/deals/"
    with schema_context(sarah_site.schema_name):
        deal.refresh_from_db()
        shares = dict(DealSplit.objects.filter(deal=deal).values_list("agent_id", "amount_cents"))
        assert (deal.title, deal.sale_price_cents, deal.commission_cents) == (
            "2 Palm Way, Indio",
            52_000_000,
            1_300_000,
        )
        assert shares == {bo.pk: 520_000, di.pk: 200_000} and deal.brokerage_cents == 580_000
        assert sum(shares.values()) + deal.brokerage_cents == deal.commission_cents
        assert "Deal corrected" in deal.lead.contact.activities.latest("pk").text
        assert Deal.objects.count() == 1


def test_a_bad_correction_changes_nothing(sarah_site: Any, make_user: Any, owner_of: Any, client_as: Any) -> None:
    bo, cy = (_agent(make_user, sarah_site, f"{n}@edit2.example.com") for n in ("bo", "cy"))
    owner = owner_of(sarah_site)
    deal = _deal(sarah_site, owner, bo, cy)
    client = client_as(sarah_site, owner)
    for rows, fields in (
        ([(bo.pk, "percent", "80", ""), (cy.pk, "percent", "30", "")], {}),  # shares above the commission
        ([(bo.pk, "percent", "10", ""), (bo.pk, "percent", "10", "")], {}),  # an agent twice
        ([(bo.pk, "percent", "10", "")], {"sale_price": "lots"}),
    ):
        page = client.post(f"/crm/deals/{deal.pk}/edit/", _split_post(rows, **fields))
        assert page.status_code == 200 and 'role="alert"' in page.content.decode()
    with schema_context(sarah_site.schema_name):
        kept = Deal.objects.get(pk=deal.pk)
        assert (kept.title, kept.commission_cents) == ("2 Palm Way", 1_500_000)
        assert DealSplit.objects.filter(deal=deal).count() == 2


def test_only_the_owner_corrects(sarah_site: Any, make_user: Any, owner_of: Any, client_as: Any) -> None:
    bo, cy = (_agent(make_user, sarah_site, f"{n}@edit3.example.com") for n in ("bo", "cy"))
    deal = _deal(sarah_site, owner_of(sarah_site), bo, cy)
    post = _split_post([(bo.pk, "percent", "100", "")])
    assert client_as(sarah_site, bo).get(f"/crm/deals/{deal.pk}/edit/").status_code == 403
    assert client_as(sarah_site, bo).post(f"/crm/deals/{deal.pk}/edit/", post).status_code == 403
    assert client_as(sarah_site, None).get(f"/crm/deals/{deal.pk}/edit/").status_code == 302
    assert client_as(sarah_site, owner_of(sarah_site)).get("/crm/deals/999999/edit/").status_code == 404
    with schema_context(sarah_site.schema_name):
        assert DealSplit.objects.filter(deal=deal).count() == 2
