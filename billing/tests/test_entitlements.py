"""Entitlements at and over every limit of every plan, period resets and the API denial."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from billing.decorators import requires_entitlement
from billing.models import UsageCounter
from billing.plans import (
    CAPACITY_FEATURES,
    METERED_FEATURES,
    NETWORK_FEATURES,
    SWITCH_FEATURES,
    Audience,
    Feature,
    plan_list,
)
from billing.selectors import billing_context_get, entitlement_check
from billing.services import usage_consume, usage_release
from billing.tests.factories import SubscriptionFactory
from billing.tests.fake_helpers import control
from billing.tests.flows import subscribe

pytestmark = pytest.mark.django_db
CONSUMER_PLANS = plan_list(audience=Audience.CONSUMER)


def _on_plan(make_user: Any, plan_key: str) -> Any:
    user = make_user()
    if plan_key != "free":
        SubscriptionFactory(user=user, plan_key=plan_key)
    return user


def _preload(user: Any, feature: Feature, used: int) -> None:
    ctx = billing_context_get(user=user)
    UsageCounter.objects.create(
        subject=f"u:{user.pk}",
        user=user,
        metric=feature.value,
        period_start=ctx.period_start,
        period_end=ctx.period_end,
        used=used,
    )


@pytest.mark.parametrize("plan", CONSUMER_PLANS, ids=lambda p: p.key)
@pytest.mark.parametrize("feature", sorted(METERED_FEATURES), ids=str)
def test_metered_at_and_over_the_limit(plan: Any, feature: Feature, make_user: Any) -> None:
    user = _on_plan(make_user, plan.key)
    limit = plan.limit(feature)
    if limit is None:
        _preload(user, feature, 10_000)
        ent = usage_consume(user=user, feature=feature)
        assert ent.allowed and ent.remaining is None and ent.used == 10_001
        return
    if limit == 0:
        ent = usage_consume(user=user, feature=feature)
        assert not ent.allowed and ent.upgrade and ent.limit == 0
        return
    _preload(user, feature, limit - 1)
    before = entitlement_check(user=user, feature=feature)
    assert before.allowed and before.remaining == 1
    last = usage_consume(user=user, feature=feature)
    assert last.allowed and last.remaining == 0 and last.used == limit
    over = usage_consume(user=user, feature=feature)
    # An upgrade helps unless no dearer plan has more (Investor 3's API calls: the top).
    higher = [p for p in CONSUMER_PLANS if p.price_cents > plan.price_cents]
    can_grow = any(p.limit(feature) is None or p.limit(feature) > limit for p in higher)  # type: ignore[operator]
    assert not over.allowed and over.remaining == 0 and over.upgrade is can_grow
    assert entitlement_check(user=user, feature=feature).allowed is False
    assert UsageCounter.objects.get(user=user, metric=feature.value).used == limit


@pytest.mark.parametrize("plan", CONSUMER_PLANS, ids=lambda p: p.key)
@pytest.mark.parametrize("feature", sorted(CAPACITY_FEATURES - NETWORK_FEATURES), ids=str)
def test_capacity_at_and_over_the_limit(plan: Any, feature: Feature, make_user: Any) -> None:
    user = _on_plan(make_user, plan.key)
    limit = plan.limit(feature)
    if limit is None:
        assert entitlement_check(user=user, feature=feature, in_use=1_000).allowed
        return
    assert entitlement_check(user=user, feature=feature, in_use=limit - 1).allowed
    at_limit = entitlement_check(user=user, feature=feature, in_use=limit)
    assert not at_limit.allowed and at_limit.remaining == 0 and at_limit.upgrade


@pytest.mark.parametrize("plan", CONSUMER_PLANS, ids=lambda p: p.key)
@pytest.mark.parametrize("feature", sorted(SWITCH_FEATURES - NETWORK_FEATURES), ids=str)
def test_switches(plan: Any, feature: Feature, make_user: Any) -> None:
    user = _on_plan(make_user, plan.key)
    ent = entitlement_check(user=user, feature=feature)
    assert ent.allowed is (feature in plan.switches)
    assert ent.upgrade is (not ent.allowed)


def test_plan_matrix_matches_the_issue() -> None:
    by_key = {p.key: p for p in CONSUMER_PLANS}
    assert by_key["free"].limit(Feature.CHAT_MESSAGES) == 10
    assert by_key["free"].limit(Feature.SAVED_SEARCHES) == 3
    assert by_key["pro"].limit(Feature.CHAT_MESSAGES) == 100
    assert by_key["pro"].limit(Feature.SAVED_SEARCHES) == 10
    assert by_key["ultimate"].limit(Feature.CHAT_MESSAGES) is None
    assert by_key["investor_1"].limit(Feature.CMA_REPORTS) == 10
    assert by_key["investor_2"].limit(Feature.CMA_REPORTS) == 50
    assert by_key["investor_3"].limit(Feature.CMA_REPORTS) is None
    assert [p.price_cents for p in CONSUMER_PLANS] == [0, 1000, 2000, 9900, 29900, 79900]


def test_anonymous_visitors_are_metered_by_visitor_id(rf: RequestFactory) -> None:
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    for _ in range(3):  # the visitor allowance; signing up gives Free's 10
        assert usage_consume(user=anon, feature="chat_messages", visitor_id="v1").allowed
    assert not usage_consume(user=anon, feature="chat_messages", visitor_id="v1").allowed
    assert usage_consume(user=anon, feature="chat_messages", visitor_id="v2").allowed


def test_visitors_share_their_client_address_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that drops its cookie gets a fresh anonymous id on every request: the
    address's counter (VISITORS_PER_ADDRESS visitors' allowances) still runs out."""
    from django.contrib.auth.models import AnonymousUser

    monkeypatch.setattr("billing.selectors.VISITORS_PER_ADDRESS", 2)
    anon, addr = AnonymousUser(), "203.0.113.7"
    spent = [
        usage_consume(user=anon, feature="chat_messages", visitor_id=f"fresh{i}", client_address=addr) for i in range(7)
    ]
    assert [e.allowed for e in spent] == [True] * 6 + [False]
    # The refused message spent nothing: neither the fresh id nor the address moved.
    assert not UsageCounter.objects.filter(subject="a:fresh6").exists()
    assert UsageCounter.objects.get(subject=f"ip:{addr}").used == 6
    check = entitlement_check(user=anon, feature="chat_messages", visitor_id="another", client_address=addr)
    assert not check.allowed and check.remaining == 0 and check.upgrade
    # Another address, and a visitor whose address is unknown, keep their own allowance.
    assert usage_consume(user=anon, feature="chat_messages", visitor_id="x", client_address="198.51.100.1").allowed
    assert usage_consume(user=anon, feature="chat_messages", visitor_id="y").allowed
    # A failed turn gives the unit back to both counters.
    usage_release(user=anon, feature="chat_messages", visitor_id="fresh0", client_address=addr)
    assert UsageCounter.objects.get(subject=f"ip:{addr}").used == 5
    assert entitlement_check(user=anon, feature="chat_messages", visitor_id="z", client_address=addr).remaining == 1


def test_a_spend_reports_what_a_check_would_read_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chat's done event shows the entitlement ``usage_consume`` returned, without reading
    it again: no more generous than the address's counter, as ``entitlement_check`` says."""
    from django.contrib.auth.models import AnonymousUser

    monkeypatch.setattr("billing.selectors.VISITORS_PER_ADDRESS", 2)
    anon, addr = AnonymousUser(), "203.0.113.8"
    for i in range(5):  # the address: 6 messages; visitor i spends one, then the next visitor
        usage_consume(user=anon, feature="chat_messages", visitor_id=f"v{i}", client_address=addr)
    spent = usage_consume(user=anon, feature="chat_messages", visitor_id="last", client_address=addr)
    check = entitlement_check(user=anon, feature="chat_messages", visitor_id="last", client_address=addr)
    assert spent.allowed and (spent.used, spent.remaining) == (check.used, check.remaining) == (3, 0)
    # Where the visitor's own counter is the tighter one, it is what both report.
    spent = usage_consume(user=anon, feature="chat_messages", visitor_id="solo", client_address="198.51.100.9")
    check = entitlement_check(user=anon, feature="chat_messages", visitor_id="solo", client_address="198.51.100.9")
    assert (spent.used, spent.remaining) == (check.used, check.remaining) == (1, 2)


def test_signed_in_users_are_not_metered_by_address(make_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("billing.selectors.VISITORS_PER_ADDRESS", 1)
    user = make_user()
    for _ in range(10):  # Free's 10, from an address visitors used up long ago
        assert usage_consume(user=user, feature="chat_messages", client_address="198.51.100.77").allowed
    # This address only: other tests (the chat's, in their own transactions) commit counters of theirs.
    assert not UsageCounter.objects.filter(subject="ip:198.51.100.77").exists()


def test_usage_resets_when_the_period_rolls_over(make_user: Any) -> None:
    user = make_user()
    sub = SubscriptionFactory(user=user, plan_key="pro")
    _preload(user, Feature.CHAT_MESSAGES, 100)
    assert not entitlement_check(user=user, feature="chat_messages").allowed
    # The renewal webhook is late: the new period still starts on time.
    later = sub.current_period_end + dt.timedelta(minutes=1)
    fresh = usage_consume(user=user, feature="chat_messages", now=later)
    assert fresh.allowed and fresh.used == 1 and fresh.period_end > sub.current_period_end
    assert UsageCounter.objects.filter(user=user).count() == 2  # history kept


def test_free_usage_resets_each_calendar_month(make_user: Any) -> None:
    user = make_user()
    january = dt.datetime(2026, 1, 20, tzinfo=dt.UTC)
    for _ in range(10):
        usage_consume(user=user, feature="chat_messages", now=january)
    assert not usage_consume(user=user, feature="chat_messages", now=january).allowed
    assert usage_consume(user=user, feature="chat_messages", now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)).allowed


def test_renewal_via_stripe_resets_usage(catalog: None, make_user: Any, webhooks: Any, fake_stripe: Any) -> None:
    user = make_user()
    sub = subscribe(user=user, plan_key="pro", webhooks=webhooks)
    _preload(user, Feature.CHAT_MESSAGES, 100)
    assert not entitlement_check(user=user, feature="chat_messages").allowed
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/renew")
    webhooks.pump()
    # The fake's new period starts at the old end (in the future), so ask as of then.
    sub.refresh_from_db()
    after = entitlement_check(
        user=user, feature="chat_messages", now=sub.current_period_start + dt.timedelta(seconds=1)
    )
    assert after.allowed and after.used == 0


def test_past_due_keeps_the_plan_for_the_grace_period_then_free(make_user: Any) -> None:
    user = make_user()
    SubscriptionFactory(
        user=user, plan_key="ultimate", status="past_due", past_due_since=timezone.now() - dt.timedelta(days=2)
    )
    assert entitlement_check(user=user, feature="sms_alerts").allowed
    later = timezone.now() + dt.timedelta(days=6)
    ctx = billing_context_get(user=user, now=later)
    assert ctx.plan.key == "free"
    assert not entitlement_check(user=user, feature="sms_alerts", now=later).allowed


def test_canceled_subscription_is_free_and_keeps_history(make_user: Any) -> None:
    user = make_user()
    SubscriptionFactory(user=user, plan_key="pro", status="canceled")
    assert billing_context_get(user=user).plan.key == "free"


def test_usage_release_gives_units_back(make_user: Any) -> None:
    user = make_user()
    _preload(user, Feature.CHAT_MESSAGES, 10)
    usage_release(user=user, feature="chat_messages")
    assert entitlement_check(user=user, feature="chat_messages").remaining == 1


def _gated_view(feature: str, **kwargs: Any) -> Any:
    @requires_entitlement(feature, **kwargs)
    def view(request: Any) -> HttpResponse:
        return HttpResponse(f"ok {request.entitlement.remaining}")

    return view


def test_api_denials_are_json_with_upgrade(rf: RequestFactory, make_user: Any) -> None:
    user = make_user()
    _preload(user, Feature.CHAT_MESSAGES, 9)
    request = rf.post("/api/chat/")
    request.user = user
    chat = _gated_view("chat_messages", consume=True)
    assert chat(request).content == b"ok 0"
    denied = chat(request)
    assert denied.status_code == 429
    body = json.loads(denied.content)
    assert body["upgrade"] is True and body["error"] == "quota_exceeded" and body["limit"] == 10
    assert body["resets_at"]
    forbidden = _gated_view("api_access")(request)
    assert forbidden.status_code == 403
    assert json.loads(forbidden.content)["upgrade"] is True
    assert json.loads(forbidden.content)["error"] == "upgrade_required"


def test_page_denials_render_the_upgrade_prompt(
    rf: RequestFactory, make_user: Any, public_tenant: Any, stripe_settings: Any
) -> None:
    request = rf.get("/cma/")
    request.user = make_user()
    request.tenant = public_tenant
    response = _gated_view("cma_reports", api=False)(request)
    assert response.status_code == 403 and b"upgrade-prompt" in response.content
