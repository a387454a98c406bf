"""What an illustration is drawn from: a listing's facts, read from its MLS record."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

# Photo sizes of a Spark photo URL (``<n>-<size>.jpg``) and the width each is drawn at.
SIZE_WIDTHS = {
    "thumb": 200,
    "300": 300,
    "640": 640,
    "800": 800,
    "1024": 1024,
    "1280": 1280,
    "1600": 1600,
    "2048": 2048,
    "large": 1600,
}


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) < 1e9 else None


@dataclass(frozen=True)
class ListingFacts:
    """The facts a picture shows: type, size, era (style), pool, garage, the desert or not."""

    key: str
    subtype: str
    is_land: bool
    beds: int
    baths: int
    sqft: int
    year: int | None
    pool: bool
    garage: int
    desert: bool

    @property
    def style(self) -> str:
        """The architecture an era built in Southern California."""
        if self.year is None:
            return "contemporary"
        if self.year < 1948:
            return "spanish"
        if self.year <= 1972:
            return "midcentury"
        if self.year < 2000:
            return "ranch"
        return "contemporary"

    @property
    def stories(self) -> int:
        if self.subtype == "Condominium":
            return 3
        if self.subtype == "Townhouse":
            return 2
        if self.subtype == "Manufactured Home" or self.style == "midcentury":
            return 1
        return 2 if self.sqft >= 2600 else 1

    def seed(self, photo: int = 0) -> int:
        """A stable number per listing (and photo) for the choices that only vary the look."""
        digest = hashlib.blake2b(f"{self.key}:{photo}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big")

    @classmethod
    def from_fields(cls, key: str, fields: dict[str, Any]) -> ListingFacts:
        """From Spark ``StandardFields`` (or RESO Property fields, which use the same names)."""
        subtype = str(fields.get("PropertySubType") or "Single Family Residence")
        is_land = str(fields.get("PropertyType") or "") == "Land" or subtype in ("Unimproved Land", "Land")
        year = _num(fields.get("YearBuilt"))
        longitude = _num(fields.get("Longitude"))
        return cls(
            key=key,
            subtype=subtype,
            is_land=is_land,
            beds=int(_num(fields.get("BedsTotal")) or _num(fields.get("BedroomsTotal")) or 0),
            baths=int(_num(fields.get("BathroomsTotalInteger")) or _num(fields.get("BathsTotal")) or 0),
            sqft=int(_num(fields.get("LivingArea")) or 0),
            year=int(year) if year and 1800 < year < 2100 else None,
            pool=fields.get("PoolPrivateYN") is True,
            garage=int(min(4, max(0, _num(fields.get("GarageSpaces")) or 0))),
            desert=longitude is not None and longitude > -116.9,
        )
