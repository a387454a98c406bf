"""No path of one site's media is reachable from another host, whatever the spelling, and
Wagtail documents are served only by Wagtail's view (their privacy applies); only safe file
types upload. Every request goes through the real URL routing of the sarah and mike sites."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from accounts.models import Role
from accounts.services import user_create

PASSWORD = "correct-horse-battery-staple"
SECRET = b"mike's signed purchase contract"


@pytest.fixture
def mike_files(mike_site: Any) -> Iterator[dict[str, str]]:
    """Files in Mike's media: a plain upload and a Wagtail document's file."""
    with schema_context(mike_site.schema_name):
        plain = default_storage.save("original_images/secret.txt", ContentFile(SECRET))
        document = default_storage.save("documents/contract.pdf", ContentFile(SECRET))
        paths = [default_storage.path(plain), default_storage.path(document)]
    yield {"plain": plain, "document": document}
    for p in paths:
        Path(p).unlink(missing_ok=True)


def attacks(sarah: str, mike: str, files: dict[str, str]) -> list[str]:
    """URLs asked of Sarah's host that name one of Mike's files."""
    out = []
    for rel in files.values():
        out += [
            f"/media/{mike}/{rel}",
            f"/media/{sarah}/../{mike}/{rel}",
            f"/media/{sarah}/%2e%2e/{mike}/{rel}",
            f"/media/{sarah}/%2E%2E/{mike}/{rel}",
            f"/media/{sarah}/.%2e/{mike}/{rel}",
            f"/media/{sarah}%2f..%2f{mike}/{rel}",
            f"/media/{sarah}/..%2f{mike}/{rel}",
            f"/media/{sarah}/..%5c{mike}%5c{rel.replace('/', '%5c')}",
            f"/media/{sarah}/..\\{mike}\\{rel.replace('/', chr(92))}",
            f"/media/{sarah}\\..\\{mike}/{rel}",
            f"/media/{sarah}/./../{mike}/{rel}",
            f"/media/{sarah}//../{mike}/{rel}",
            f"/media/{sarah}/original_images/../../{mike}/{rel}",
            # absolute paths
            f"/media/{sarah}/{settings.MEDIA_ROOT}/{mike}/{rel}",
            f"/media//{settings.MEDIA_ROOT}/{mike}/{rel}",
            f"/media/{sarah}/%2f{str(settings.MEDIA_ROOT).lstrip('/')}/{mike}/{rel}",
        ]
    return out


def test_no_spelling_of_a_path_reaches_another_sites_media(
    sarah_site: Any, mike_site: Any, site_client: Any, mike_files: dict[str, str]
) -> None:
    sarah = site_client(sarah_site)
    for url in attacks(sarah_site.schema_name, mike_site.schema_name, mike_files):
        response = sarah.get(url)
        assert response.status_code == 404, url
        assert SECRET not in b"".join(getattr(response, "streaming_content", [response.content]))
    # Mike's own plain upload is served on his host, with headers that keep it from running
    own = site_client(mike_site).get(f"/media/{mike_site.schema_name}/{mike_files['plain']}")
    assert own.status_code == 200 and b"".join(own.streaming_content) == SECRET
    assert own["X-Content-Type-Options"] == "nosniff" and "sandbox" in own["Content-Security-Policy"]


def test_symlinks_out_of_a_sites_folder_are_not_followed(
    sarah_site: Any, mike_site: Any, site_client: Any, mike_files: dict[str, str]
) -> None:
    root = Path(settings.MEDIA_ROOT)
    sarah_dir = root / sarah_site.schema_name / "original_images"
    sarah_dir.mkdir(parents=True, exist_ok=True)
    link_file = sarah_dir / "linked.txt"
    link_dir = root / sarah_site.schema_name / "linked_dir"
    for link in (link_file, link_dir):
        link.unlink(missing_ok=True)
    os.symlink(root / mike_site.schema_name / mike_files["plain"], link_file)
    os.symlink(root / mike_site.schema_name, link_dir, target_is_directory=True)
    try:
        sarah = site_client(sarah_site)
        s = sarah_site.schema_name
        assert sarah.get(f"/media/{s}/original_images/linked.txt").status_code == 404
        assert sarah.get(f"/media/{s}/linked_dir/{mike_files['plain']}").status_code == 404
    finally:
        link_file.unlink()
        link_dir.unlink()


def test_documents_are_served_by_wagtail_with_their_privacy(sarah_site: Any, site_client: Any) -> None:
    from wagtail.documents.models import Document
    from wagtail.models import Collection, CollectionViewRestriction

    with schema_context(sarah_site.schema_name):
        public = Document.objects.create(title="Brochure", file=ContentFile(b"public brochure", name="brochure.pdf"))
        private_collection = Collection.get_first_root_node().add_child(name="Clients only")
        CollectionViewRestriction.objects.create(
            collection=private_collection, restriction_type=CollectionViewRestriction.LOGIN
        )
        private = Document.objects.create(
            title="Offer", file=ContentFile(b"private offer", name="offer.pdf"), collection=private_collection
        )
        urls = {d: (d.url, f"/media/{sarah_site.schema_name}/{d.file.name}") for d in (public, private)}
    client = site_client(sarah_site)
    assert client.get(urls[public][0]).status_code == 200  # /documents/<id>/brochure.pdf
    assert client.get(urls[public][1]).status_code == 404  # never straight from disk
    denied = client.get(urls[private][0])
    assert denied.status_code == 302 and "/accounts/login/" in denied["Location"]
    assert client.get(urls[private][1]).status_code == 404


@pytest.fixture
def editor(sarah_site: Any, site_client: Any) -> Any:
    with schema_context(sarah_site.schema_name):
        user_create(
            email="uploader@sarah.example", password=PASSWORD, email_verified=True,
            role=Role.ADMIN, is_staff=True, is_superuser=True,
        )  # fmt: skip
    client = site_client(sarah_site)
    assert client.post("/accounts/login/", {"login": "uploader@sarah.example", "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("name", ["page.html", "page.htm", "logo.svg", "app.js", "feed.xml", "page.xhtml"])
def test_unsafe_documents_do_not_upload(sarah_site: Any, editor: Any, name: str) -> None:
    from wagtail.documents.models import Document

    upload = SimpleUploadedFile(name, b"<script>alert(document.cookie)</script>")
    response = editor.post("/cms/documents/add/", {"title": name, "file": upload})
    assert response.status_code == 200  # the form again, with the error
    assert "File extension" in response.content.decode()
    with schema_context(sarah_site.schema_name):
        assert not Document.objects.filter(title=name).exists()


def test_safe_documents_upload(sarah_site: Any, editor: Any) -> None:
    from wagtail.documents.models import Document

    upload = SimpleUploadedFile("disclosures.pdf", b"%PDF-1.4 disclosures")
    assert editor.post("/cms/documents/add/", {"title": "Disclosures", "file": upload}).status_code == 302
    with schema_context(sarah_site.schema_name):
        assert Document.objects.filter(title="Disclosures").exists()


def test_svg_images_do_not_upload(sarah_site: Any, editor: Any) -> None:
    from wagtail.images.models import Image

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = editor.post("/cms/images/add/", {"title": "Logo", "file": SimpleUploadedFile("logo.svg", svg)})
    assert response.status_code == 200
    with schema_context(sarah_site.schema_name):
        assert not Image.objects.filter(title="Logo").exists()
