from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

PASSWORD = "a-long-test-password-123"


@pytest.fixture
def make_user() -> Any:
    def make(tenant: Any, email: str, **extra: Any) -> Any:
        from accounts.models import User

        with schema_context(tenant.schema_name):
            return User.objects.create_user(email=email, password=PASSWORD, **extra)

    return make


@pytest.fixture
def client_as() -> Any:
    def make(tenant: Any, user: Any | None) -> Client:
        client = Client(HTTP_HOST=tenant.get_primary_domain().domain)
        if user is not None:
            with schema_context(tenant.schema_name):
                client.force_login(user)
        return client

    return make


@pytest.fixture
def owner_of() -> Any:
    def get(tenant: Any) -> Any:
        from accounts.models import Role, User

        with schema_context(tenant.schema_name):
            return User.objects.filter(role=Role.AGENT, is_superuser=True).order_by("pk").first()

    return get
