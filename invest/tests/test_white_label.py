"""White-label reports (Investor 3): the investor's own logo and name on the analysis and CMA
PDFs with ``?brand=mine``; the logo checked like the site's, stored in the site's own media
folder, and readable by that site's PDFs only."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image
from pypdf import PdfReader

from cma.pdf import _fetcher_for
from listings.tests.pages_support import RICH_KEY, signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store", "geocoding", "white_label_on")


@pytest.fixture
def white_label_on(settings: Any) -> None:
    settings.FEATURES = {**settings.FEATURES, "white_label_reports": True}


def png(width: int = 240, height: int = 80) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def member(site: Any, email: str, plan: str) -> tuple[Any, Client]:
    user = user_in(site, email)
    if plan != "free":
        subscribe(site, user, plan)
    return user, signed_in(site, user)


def saved_analysis(client: Client) -> str:
    form = client.get(f"/invest/analyze/?listing={RICH_KEY}").content.decode()
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))
    r = client.post("/invest/analyses/", fields)
    assert r.status_code == 302, r.content.decode()[:500]
    return str(r["Location"])


def pdf_of(response: Any) -> PdfReader:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.status_code
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def upload(client: Client, data: bytes, name: str, brand: str = "Acme Capital") -> Any:
    return client.post("/invest/branding/", {"brand_name": brand, "logo": SimpleUploadedFile(name, data)})


def test_investor_3_reports_carry_their_own_logo(sarah_site: Any) -> None:
    user, client = member(sarah_site, "wl-inv3@example.com", "investor_3")
    assert upload(client, png(), "acme.png").status_code == 302
    with schema_context(sarah_site.schema_name):
        user.refresh_from_db()
        logo = user.report_logo.name
    stored = Path(django_settings.MEDIA_ROOT) / sarah_site.schema_name / logo
    assert stored.is_file() and stored.read_bytes().startswith(b"\x89PNG")
    page = saved_analysis(client)
    assert "data-pdf-mine" in client.get(page).content.decode()
    plain = pdf_of(client.get(page + "pdf/"))
    mine = pdf_of(client.get(page + "pdf/?brand=mine"))
    mine_text = " ".join(p.extract_text() for p in mine.pages)
    assert "Acme Capital" in mine_text and sarah_site.name not in mine_text
    assert "Acme Capital" not in " ".join(p.extract_text() for p in plain.pages)
    assert len(mine.pages[0].images) >= 1  # the logo, embedded from the site's media
    cma = client.post("/api/cma", {"listing": RICH_KEY}, content_type="application/json")
    assert cma.status_code == 201, cma.content
    cma_mine = pdf_of(client.get(cma.json()["pdfUrl"] + "?brand=mine"))
    assert "Acme Capital" in " ".join(p.extract_text() for p in cma_mine.pages)


def test_other_plans_and_missing_logos_are_told_why(sarah_site: Any) -> None:
    _, investor_1 = member(sarah_site, "wl-inv1@example.com", "investor_1")
    page = saved_analysis(investor_1)
    refused = investor_1.get(page + "pdf/?brand=mine")
    assert refused.status_code == 403 and "your own logo on reports" in refused.content.decode()
    assert "data-pdf-mine" not in investor_1.get(page).content.decode()
    assert upload(investor_1, png(), "acme.png").status_code == 200  # the page only offers the plan
    assert "data-brand-setup" not in investor_1.get(page).content.decode()
    _, no_logo = member(sarah_site, "wl-nologo@example.com", "investor_3")
    page = saved_analysis(no_logo)
    setup = no_logo.get(page).content.decode()
    assert 'href="/invest/branding/" data-brand-setup' in setup and "data-pdf-mine" not in setup
    assert no_logo.get("/invest/branding/").status_code == 200
    missing = no_logo.get(page + "pdf/?brand=mine")
    assert missing.status_code == 400 and "Upload your logo first" in missing.content.decode()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "logo.svg", "SVG files can"),
        (b"not an image at all", "logo.png", "not an image we can read"),
        (png(20, 10), "tiny.png", "needs at least 64"),
    ],
)
def test_bad_logos_are_refused_and_nothing_changes(sarah_site: Any, data: bytes, name: str, message: str) -> None:
    user, client = member(sarah_site, f"wl-bad-{name}@example.com", "investor_3")
    r = upload(client, data, name)
    assert r.status_code == 400 and message in r.content.decode()
    with schema_context(sarah_site.schema_name):
        user.refresh_from_db()
        assert not user.report_logo and user.report_brand_name == ""


def test_a_logo_is_readable_by_its_own_sites_reports_only(sarah_site: Any, mike_site: Any) -> None:
    user, client = member(sarah_site, "wl-iso@example.com", "investor_3")
    assert upload(client, png(), "acme.png").status_code == 302
    with schema_context(sarah_site.schema_name):
        user.refresh_from_db()
        url = user.report_logo.url
    assert f"/{sarah_site.schema_name}/" in url
    assert _fetcher_for(sarah_site.schema_name).fetch(url) is not None
    with pytest.raises(ValueError, match="not a local asset"):
        _fetcher_for(mike_site.schema_name).fetch(url)
    mike_user, mike = member(mike_site, "wl-iso@example.com", "investor_3")  # same email, other site
    assert "Acme Capital" not in mike.get("/invest/branding/").content.decode()
    with schema_context(mike_site.schema_name):
        mike_user.refresh_from_db()
        assert not mike_user.report_logo


def test_removing_the_logo(sarah_site: Any) -> None:
    user, client = member(sarah_site, "wl-rm@example.com", "investor_3")
    upload(client, png(), "acme.png")
    with schema_context(sarah_site.schema_name):
        user.refresh_from_db()
        stored = Path(django_settings.MEDIA_ROOT) / sarah_site.schema_name / user.report_logo.name
    assert stored.is_file()
    assert client.post("/invest/branding/", {"action": "remove"}).status_code == 302
    assert not stored.exists()
