"""The billing admin lists Stripe's state and refuses edits."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_admin_lists_billing_state_read_only(network_client: Any, catalog: None, webhooks: Any) -> None:
    from accounts.models import User
    from billing.tests.flows import subscribe

    buyer = User.objects.create_user(email="listed@example.com", password="x-pass-12345")
    subscribe(user=buyer, plan_key="pro", webhooks=webhooks)
    admin = User.objects.create_superuser(email="root@example.com", password="x-pass-12345")
    network_client.force_login(admin)
    for model in ("subscription", "billingcustomer", "invoice", "webhookevent", "usagecounter"):
        assert network_client.get(f"/admin/billing/{model}/").status_code == 200
    page = network_client.get("/admin/billing/subscription/").content.decode()
    assert "listed@example.com" in page
    assert network_client.get("/admin/billing/subscription/add/").status_code == 403
