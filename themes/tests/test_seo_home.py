"""Home pages carry a canonical link, Open Graph and JSON-LD describing the agent (or the
flagship brokerage) as a RealEstateAgent, and a meta description of their own."""

from __future__ import annotations

import re
from typing import Any

from listings.tests.test_seo_pages import page_head


def test_home_pages_describe_the_agent_and_differ_from_pricing(
    public_tenant: Any, sarah_site: Any, site_client: Any
) -> None:
    agent = page_head(site_client(sarah_site).get("/").content.decode())
    ld = agent["ld"]
    assert ld["@type"] == "RealEstateAgent" and ld["name"] == "Sarah Chen" and ld["telephone"] == "(760) 555-0142"
    assert agent["canonical"] == "http://sarah.localhost/"
    flagship = page_head(site_client(public_tenant).get("/").content.decode())
    assert flagship["ld"]["@type"] == "RealEstateAgent" and flagship["ld"]["parentOrganization"]["name"]
    for tenant, home in ((sarah_site, agent), (public_tenant, flagship)):
        pricing = site_client(tenant).get("/billing/pricing/").content.decode()
        other = re.search(r'<meta name="description" content="([^"]*)">', pricing)
        assert other and other.group(1) != home["description"]
