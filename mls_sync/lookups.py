"""RESO lookup values as the store keeps them, whatever spelling a feed uses.

Servers send the same standard value in several forms: the Data Dictionary's display name
(``"Active Under Contract"``), the OData enum member name (``ActiveUnderContract``), other
casings, and local names of one MLS (``"Sold"``, ``"Cancelled"``). The store holds one form, the
display name, because the sites, the search filters and the CMA compare against it.

``fold`` reduces a spelling to a comparison key (lower case, letters and digits only), so every
form of one value folds to the same key. What a value means for the sites is decided here too:
``ON_MARKET`` listings are shown, ``CLOSED`` ones are sales, ``OFF_MARKET`` ones leave the sites
and ``DELETED`` ones leave every collection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# RESO Data Dictionary StandardStatus (display names).
ACTIVE = "Active"
ACTIVE_UNDER_CONTRACT = "Active Under Contract"
PENDING = "Pending"
COMING_SOON = "Coming Soon"
CLOSED = "Closed"
EXPIRED = "Expired"
WITHDRAWN = "Withdrawn"
CANCELED = "Canceled"
HOLD = "Hold"
DELETE = "Delete"
INCOMPLETE = "Incomplete"

ON_MARKET = frozenset({ACTIVE, ACTIVE_UNDER_CONTRACT, PENDING, COMING_SOON})
# Not for sale any more (or not yet public): a stored listing in one of these leaves the sites.
OFF_MARKET = frozenset({EXPIRED, WITHDRAWN, CANCELED, HOLD, DELETE, INCOMPLETE})
# Removed by the MLS: gone from closed sales as well.
DELETED = frozenset({DELETE})
STANDARD_STATUSES = ON_MARKET | OFF_MARKET | {CLOSED}

# RESO PropertyType (display names). The first five are what the sites filter on.
PROPERTY_TYPES = (
    "Residential",
    "Residential Lease",
    "Land",
    "Manufactured In Park",
    "Residential Income",
    "Commercial Sale",
    "Commercial Lease",
    "Business Opportunity",
    "Farm",
)


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    return _NON_ALNUM.sub("", text.lower())


def fold(value: object) -> str:
    """Comparison key of one spelling: ``"Active Under Contract"`` -> ``"activeundercontract"``.
    (Feeds repeat a few spellings millions of times: each is folded once.)"""
    return _fold(value if isinstance(value, str) else str(value))


def _table(names: Iterable[str], aliases: Mapping[str, str]) -> dict[str, str]:
    table = {fold(name): name for name in names}
    table.update({fold(alias): name for alias, name in aliases.items()})
    return table


# Local names seen in MLS feeds for standard statuses.
_STATUS_ALIASES = {
    "Cancelled": CANCELED,
    "Deleted": DELETE,
    "Sold": CLOSED,
    # A rented lease listing is Closed in the Data Dictionary; some MLSs name it.
    "Leased": CLOSED,
    "Rented": CLOSED,
    "Under Contract": ACTIVE_UNDER_CONTRACT,
    "Temporarily Off Market": HOLD,
}
_STATUSES = _table(STANDARD_STATUSES, _STATUS_ALIASES)

# Spark sends the MLS's own code in PropertyType ("A") and the RESO class in PropertyClass;
# Flexmls' class names differ from the Data Dictionary's in places.
_PROPERTY_ALIASES = {
    "Rental": "Residential Lease",
    "Lease": "Residential Lease",
    "Rentals": "Residential Lease",
    "MultiFamily": "Residential Income",
    "Multi-Family": "Residential Income",
    "Income": "Residential Income",
    "Mobile Home": "Manufactured In Park",
    "Manufactured": "Manufactured In Park",
    "Lots And Land": "Land",
    "Commercial": "Commercial Sale",
    "Business": "Business Opportunity",
}
_PROPERTY_TYPES = _table(PROPERTY_TYPES, _PROPERTY_ALIASES)


def standard_status(value: object) -> str | None:
    """The Data Dictionary display name of a status in any known spelling, else ``None``."""
    return _STATUSES.get(fold(value)) if value is not None else None


def property_type(value: object) -> str | None:
    """The Data Dictionary display name of a property type in any known spelling, else ``None``."""
    return _PROPERTY_TYPES.get(fold(value)) if value is not None else None
