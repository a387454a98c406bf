"""What a visitor did before signing up is attached to their new account."""

import re

from django.core import mail
from django_tenants.utils import schema_context

from chat.models import Conversation
from listings.models import Favorite, Swipe
from listings.services import swipe_record

PASSWORD = "a-long-enough-pass-2026"


def anonymous_id_of(client):
    from django.test import RequestFactory

    from accounts.middleware import SALT

    request = RequestFactory().get("/")
    request.COOKIES["anonymous_id"] = client.cookies["anonymous_id"].value
    return request.get_signed_cookie("anonymous_id", salt=SALT)


def test_visitor_gets_a_signed_anonymous_id_cookie(sarah_site, site_client):
    client = site_client(sarah_site)
    client.get("/")
    first = anonymous_id_of(client)
    client.get("/about/")
    assert anonymous_id_of(client) == first  # stable across requests
    client.cookies["anonymous_id"] = "forged-value"
    client.get("/")
    assert len(anonymous_id_of(client)) == 32  # a forged cookie is replaced by a fresh signed id


def test_anonymous_swipes_and_chats_are_merged_on_signup(sarah_site, site_client):
    client = site_client(sarah_site)
    client.get("/")
    anon = anonymous_id_of(client)
    with schema_context(sarah_site.schema_name):
        swipe_record(listing_key="L1", direction="like", anonymous_id=anon)
        swipe_record(listing_key="L2", direction="dislike", anonymous_id=anon)
        swipe_record(listing_key="L3", direction="like", anonymous_id="someone-else")
        Conversation.objects.create(anonymous_id=anon, title="Condos in Palm Desert")

    response = client.post(
        "/accounts/signup/",
        {"email": "merged@example.com", "password1": PASSWORD, "password2": PASSWORD, "role": "end_user"},
    )
    assert response.status_code == 302
    with schema_context(sarah_site.schema_name):
        from accounts.models import User

        user = User.objects.get(email="merged@example.com")
        assert set(Swipe.objects.filter(user=user).values_list("listing_key", flat=True)) == {"L1", "L2"}
        assert list(Favorite.objects.filter(user=user).values_list("listing_key", flat=True)) == ["L1"]
        assert Conversation.objects.get(title="Condos in Palm Desert").user == user
        assert Swipe.objects.get(listing_key="L3").user is None  # another visitor's swipe stays theirs


def test_anonymous_activity_is_merged_on_login_too(sarah_site, site_client):
    with schema_context(sarah_site.schema_name):
        from accounts.services import user_create

        user = user_create(email="returning@example.com", password=PASSWORD, email_verified=True)
    client = site_client(sarah_site)
    client.get("/")
    with schema_context(sarah_site.schema_name):
        swipe_record(listing_key="L9", direction="like", anonymous_id=anonymous_id_of(client))
    client.post("/accounts/login/", {"login": "returning@example.com", "password": PASSWORD})
    with schema_context(sarah_site.schema_name):
        assert Favorite.objects.filter(user=user, listing_key="L9").exists()
    assert not re.search("error", mail.outbox[-1].body if mail.outbox else "")
