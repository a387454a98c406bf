"""The demo network (``make demo``, ``manage.py demo_setup``) and the test suite's sites."""

from devtools.demo.network import (
    DEMO_ACCOUNTS,
    DEMO_COMMUNITIES,
    DEMO_PASSWORD,
    DEMO_SITES,
    demo_community_pages_ensure,
    demo_network_create,
)

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_COMMUNITIES",
    "DEMO_PASSWORD",
    "DEMO_SITES",
    "demo_community_pages_ensure",
    "demo_network_create",
]
