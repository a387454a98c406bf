"""A site's users, editors, pages, images, documents, cache and media never reach another site."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.services import user_create

PASSWORD = "correct-horse-battery-staple"


def make_user(tenant, email, **extra):
    with schema_context(tenant.schema_name):
        return user_create(email=email, password=PASSWORD, email_verified=True, **extra)


def login(client, email):
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


def test_user_of_one_site_cannot_log_in_to_another(sarah_site, mike_site, site_client):
    make_user(sarah_site, "visitor@example.com")
    on_mike = site_client(mike_site)
    response = login(on_mike, "visitor@example.com")
    assert response.status_code == 200  # form redisplayed with an error
    assert "_auth_user_id" not in on_mike.session
    on_sarah = site_client(sarah_site)
    response = login(on_sarah, "visitor@example.com")
    assert response.status_code == 302
    assert on_sarah.session["_auth_user_id"]


def test_editor_session_from_one_site_is_not_valid_on_another(sarah_site, mike_site, site_client):
    """User ids overlap between schemas; a shared session store would sign sarah's editor in
    as whoever has the same id on mike's site."""
    make_user(sarah_site, "editor@sarah.example", role=Role.ADMIN, is_staff=True, is_superuser=True)
    on_sarah = site_client(sarah_site)
    assert login(on_sarah, "editor@sarah.example").status_code == 302
    assert on_sarah.get("/cms/").status_code == 200
    stolen = on_sarah.cookies["sessionid"].value

    on_mike = site_client(mike_site)
    on_mike.cookies["sessionid"] = stolen
    response = on_mike.get("/cms/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_editor_cannot_see_or_edit_another_sites_pages_images_documents(sarah_site, mike_site, site_client):
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Page

    with schema_context(mike_site.schema_name):
        mike_image = Image.objects.create(title="Mike secret listing photo", file=get_test_image_file())
        mike_doc = Document.objects.create(title="Mike secret contract", file=ContentFile(b"contract", name="c.txt"))
        mike_page = Page.objects.get(slug="about")
        mike_page_title = "Mike private about page"
        Page.objects.filter(pk=mike_page.pk).update(title=mike_page_title)

    make_user(sarah_site, "editor2@sarah.example", role=Role.ADMIN, is_staff=True, is_superuser=True)
    on_sarah = site_client(sarah_site)
    assert login(on_sarah, "editor2@sarah.example").status_code == 302

    images = on_sarah.get("/cms/images/")
    assert images.status_code == 200
    assert "Mike secret listing photo" not in images.content.decode()
    assert on_sarah.get(f"/cms/images/{mike_image.pk}/").status_code == 404
    documents = on_sarah.get("/cms/documents/")
    assert "Mike secret contract" not in documents.content.decode()
    assert on_sarah.get(f"/cms/documents/edit/{mike_doc.pk}/").status_code == 404
    explorer = on_sarah.get("/cms/pages/search/?q=private")
    assert mike_page_title not in explorer.content.decode()
    with schema_context(sarah_site.schema_name):
        assert not Page.objects.filter(title=mike_page_title).exists()


def test_cache_entries_do_not_cross_sites(sarah_site, mike_site):
    with schema_context(sarah_site.schema_name):
        cache.set("homepage-fragment", "sarah's fragment", 60)
    with schema_context(mike_site.schema_name):
        assert cache.get("homepage-fragment") is None
        cache.set("homepage-fragment", "mike's fragment", 60)
    with schema_context(sarah_site.schema_name):
        assert cache.get("homepage-fragment") == "sarah's fragment"
        cache.delete("homepage-fragment")
    with schema_context(mike_site.schema_name):
        cache.delete("homepage-fragment")


def test_media_files_do_not_cross_sites(sarah_site, mike_site, site_client):
    with schema_context(sarah_site.schema_name):
        name = default_storage.save("docs/floorplan.txt", ContentFile(b"sarah floorplan"))
        url = default_storage.url(name)
        path = default_storage.path(name)
    assert f"/{sarah_site.schema_name}/" in path
    assert url.startswith(f"/media/{sarah_site.schema_name}/")
    with schema_context(mike_site.schema_name):
        assert not default_storage.exists(name)
    assert site_client(sarah_site).get(url).status_code == 200
    assert site_client(mike_site).get(url).status_code == 404


@pytest.mark.parametrize("role", [Role.END_USER, Role.ADMIN])
def test_users_with_same_email_on_two_sites_are_separate_accounts(sarah_site, mike_site, role):
    a = make_user(sarah_site, f"same-{role}@example.com", role=role)
    b = make_user(mike_site, f"same-{role}@example.com")
    with schema_context(sarah_site.schema_name):
        assert User.objects.get(email=a.email).role == role
    with schema_context(mike_site.schema_name):
        assert User.objects.get(email=b.email).role == Role.END_USER
