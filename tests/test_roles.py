"""The role permission layer: JSON 401/403 for the API, redirects and a 403 page for pages."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import Role, User
from accounts.permissions import RoleRequiredMixin, role_required


@role_required(Role.AGENT, Role.ADMIN)
def agents_only(request):
    return HttpResponse("ok")


def request_for(path, user, accept="text/html"):
    request = RequestFactory().get(path, HTTP_ACCEPT=accept)
    request.user = user
    return request


def user_with(role):
    return User(email=f"{role}@example.com", role=role)


def test_api_anonymous_gets_401_json():
    response = agents_only(request_for("/api/leads", AnonymousUser()))
    assert response.status_code == 401
    assert json.loads(response.content)["error"] == "authentication_required"


def test_api_wrong_role_gets_403_json():
    response = agents_only(request_for("/api/leads", user_with(Role.END_USER)))
    assert response.status_code == 403
    assert json.loads(response.content)["error"] == "forbidden"


def test_page_anonymous_is_redirected_to_login():
    response = agents_only(request_for("/dashboard/", AnonymousUser()))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "next=/dashboard/" in response["Location"]


@pytest.mark.django_db
def test_page_wrong_role_gets_403_page():
    response = agents_only(request_for("/dashboard/", user_with(Role.SERVICE_PROVIDER)))
    assert response.status_code == 403
    assert b"access" in response.content


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN])
def test_allowed_roles_pass(role):
    assert agents_only(request_for("/api/leads", user_with(role))).status_code == 200


def test_superuser_passes_every_role_check():
    user = User(email="root@example.com", role=Role.END_USER, is_superuser=True)
    assert agents_only(request_for("/api/leads", user)).status_code == 200


def test_unknown_role_is_a_programming_error():
    with pytest.raises(ValueError):
        role_required("wizard")


def test_mixin_uses_the_same_rules():
    from django.views import View

    class HostsOnly(RoleRequiredMixin, View):
        required_roles = (Role.VACATION_RENTAL_HOST,)

        def get(self, request):
            return HttpResponse("ok")

    view = HostsOnly.as_view()
    assert view(request_for("/api/x", user_with(Role.VACATION_RENTAL_HOST))).status_code == 200
    assert view(request_for("/api/x", user_with(Role.AGENT))).status_code == 403
    assert view(request_for("/api/x", AnonymousUser())).status_code == 401


def test_agent_model_requires_license_and_brokerage():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        User(email="a@example.com", role=Role.AGENT).clean()
    assert set(excinfo.value.message_dict) == {"license_number", "brokerage"}
