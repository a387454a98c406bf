"""The fake RESO server's schema: its fields, its *local* lookup names, and its ``$metadata``.

Like many MLS systems, this one names standard values its own way: a closed sale is ``Sold``,
a listing under contract ``UnderContract``, a photo a ``Photograph``. Its metadata says what
each local name stands for, either as enum members annotated with the RESO standard name
(``lookups="enum"``, OData enum types as RESO Data Dictionary 1.7 servers declare them) or as
string fields whose values the ``Lookup`` resource lists (``lookups="string"``, Data
Dictionary 2.0). A client that reads the metadata can map every value; one that guesses cannot.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

NAMESPACE = "org.reso.metadata"
ENUMS = "org.reso.metadata.enums"

# Standard value -> (enum member name, local string value). Hold/Delete/Incomplete are declared
# though the generated feed never sends them.
STATUS = {
    "Active": ("Active", "Active"),
    "Active Under Contract": ("UnderContract", "Under Contract"),
    "Pending": ("Pending", "Pending"),
    "Coming Soon": ("ComingSoon", "Coming Soon"),
    "Closed": ("Sold", "Sold"),
    "Expired": ("Expired", "Expired"),
    "Withdrawn": ("Withdrawn", "Withdrawn"),
    "Canceled": ("Canceled", "Cancelled"),
    "Hold": ("Hold", "Temp Off Market"),
    "Delete": ("Delete", "Delete"),
    "Incomplete": ("Incomplete", "Incomplete"),
}
PROPERTY_TYPE = {
    "Residential": ("Resi", "Single Family/Condo"),
    "Residential Lease": ("ResiLease", "Rental"),
    "Land": ("Lots", "Lots and Land"),
    "Manufactured In Park": ("MobileInPark", "Mobile in Park"),
    "Residential Income": ("ResiIncome", "Multi-Unit"),
}
PROPERTY_SUB_TYPE = {
    "Single Family Residence": ("SingleFamily", "Single Family"),
    "Condominium": ("Condo", "Condo"),
    "Townhouse": ("Townhouse", "Townhouse"),
    "Manufactured Home": ("MobileHome", "Mobile Home"),
    "Cabin": ("Cabin", "Cabin"),
    "Unimproved Land": ("VacantLand", "Vacant Land"),
    "Duplex": ("Duplex", "Duplex"),
}
MEDIA_CATEGORY = {
    "Photo": ("Photograph", "Photograph"),
    "Floor Plan": ("FloorPlan", "Floor Plan"),
}
FREQUENCY = {"Monthly": ("Monthly", "Monthly"), "Annually": ("Annually", "Annually")}
RESOURCE_NAME = {"Property": ("Property", "Property"), "OpenHouse": ("OpenHouse", "OpenHouse")}
LOOKUPS = {
    "StandardStatus": STATUS,
    "PropertyType": PROPERTY_TYPE,
    "PropertySubType": PROPERTY_SUB_TYPE,
    "MediaCategory": MEDIA_CATEGORY,
    "AssociationFeeFrequency": FREQUENCY,
    "LandLeaseAmountFrequency": FREQUENCY,
    "ResourceName": RESOURCE_NAME,
}
# Which lookup each enum-typed field uses (its enum type is named after the lookup).
LOOKUP_OF = {name: name for name in LOOKUPS} | {"LandLeaseAmountFrequency": "AssociationFeeFrequency"}

# Property fields this server has, with their types ("lookup" resolves per mode). It lacks a few
# fields the Data Dictionary has (PropertyCondition, DaysOnMarket), so a client must $select
# what the metadata declares.
PROPERTY = {
    "ListingKey": "Edm.String",
    "ListingId": "Edm.String",
    "OriginatingSystemName": "Edm.String",
    "StandardStatus": "lookup",
    "MlsStatus": "Edm.String",
    "PropertyType": "lookup",
    "PropertySubType": "lookup",
    "ListPrice": "Edm.Decimal",
    "OriginalListPrice": "Edm.Decimal",
    "ClosePrice": "Edm.Decimal",
    "CloseDate": "Edm.Date",
    "BedroomsTotal": "Edm.Int32",
    "BathroomsTotalInteger": "Edm.Int32",
    "BathroomsTotalDecimal": "Edm.Decimal",
    "BathroomsFull": "Edm.Int32",
    "BathroomsHalf": "Edm.Int32",
    "LivingArea": "Edm.Decimal",
    "BuildingAreaTotal": "Edm.Decimal",
    "LotSizeSquareFeet": "Edm.Decimal",
    "LotSizeAcres": "Edm.Decimal",
    "YearBuilt": "Edm.Int32",
    "GarageSpaces": "Edm.Decimal",
    "PoolPrivateYN": "Edm.Boolean",
    "AssociationFee": "Edm.Decimal",
    "AssociationFeeFrequency": "lookup",
    "LandLeaseYN": "Edm.Boolean",
    "LandLeaseAmount": "Edm.Decimal",
    "LandLeaseAmountFrequency": "lookup",
    "LandLeaseExpirationDate": "Edm.Date",
    "UnparsedAddress": "Edm.String",
    "StreetNumber": "Edm.String",
    "StreetDirPrefix": "Edm.String",
    "StreetName": "Edm.String",
    "StreetSuffix": "Edm.String",
    "UnitNumber": "Edm.String",
    "City": "Edm.String",
    "StateOrProvince": "Edm.String",
    "PostalCode": "Edm.String",
    "CountyOrParish": "Edm.String",
    "SubdivisionName": "Edm.String",
    "Latitude": "Edm.Decimal",
    "Longitude": "Edm.Decimal",
    "PublicRemarks": "Edm.String",
    "ListingContractDate": "Edm.Date",
    "OnMarketDate": "Edm.Date",
    "ModificationTimestamp": "Edm.DateTimeOffset",
    "PriceChangeTimestamp": "Edm.DateTimeOffset",
    "ListAgentFullName": "Edm.String",
    "ListOfficeName": "Edm.String",
    "SeniorCommunityYN": "Edm.Boolean",
    "VirtualTourURLUnbranded": "Edm.String",
}
MEDIA = {
    "MediaKey": "Edm.String",
    "ResourceRecordKey": "Edm.String",
    "ResourceName": "lookup",
    "MediaURL": "Edm.String",
    "MediaCategory": "lookup",
    "MediaType": "Edm.String",
    "Order": "Edm.Int32",
    "ShortDescription": "Edm.String",
    "PreferredPhotoYN": "Edm.Boolean",
    "ModificationTimestamp": "Edm.DateTimeOffset",
}
OPEN_HOUSE = {
    "OpenHouseKey": "Edm.String",
    "ListingKey": "Edm.String",
    "ListingId": "Edm.String",
    "OriginatingSystemName": "Edm.String",
    "OpenHouseDate": "Edm.Date",
    "OpenHouseStartTime": "Edm.DateTimeOffset",
    "OpenHouseEndTime": "Edm.DateTimeOffset",
    "OpenHouseStatus": "Edm.String",
    "ModificationTimestamp": "Edm.DateTimeOffset",
}
LOOKUP = {
    "LookupKey": "Edm.String",
    "LookupName": "Edm.String",
    "LookupValue": "Edm.String",
    "StandardLookupValue": "Edm.String",
    "LegacyODataValue": "Edm.String",
    "ModificationTimestamp": "Edm.DateTimeOffset",
}


def local(lookup: str, standard: str | None, mode: str) -> str | None:
    """This server's name for a standard value (``None`` stays ``None``; unknown values pass)."""
    if standard is None:
        return None
    names = LOOKUPS[LOOKUP_OF.get(lookup, lookup)].get(standard)
    return standard if names is None else names[0 if mode == "enum" else 1]


def standard(lookup: str, value: str, mode: str) -> str | None:
    """The standard value of one of this server's local names, or ``None`` if it declares none."""
    for std, names in LOOKUPS[LOOKUP_OF.get(lookup, lookup)].items():
        if names[0 if mode == "enum" else 1] == value:
            return std
    return None


def lookup_rows() -> list[dict[str, str]]:
    """The ``Lookup`` resource (string mode): every local value with its standard value."""
    rows = []
    for name, values in LOOKUPS.items():
        for std, (member, value) in values.items():
            rows.append(
                {
                    "LookupKey": f"{name}-{member}",
                    "LookupName": name,
                    "LookupValue": value,
                    "StandardLookupValue": std,
                    "LegacyODataValue": member,
                    "ModificationTimestamp": "2026-01-01T00:00:00Z",
                }
            )
    return rows


def _type(name: str, declared: str, mode: str) -> str:
    if declared != "lookup":
        return declared
    return f"{ENUMS}.{LOOKUP_OF.get(name, name)}" if mode == "enum" else "Edm.String"


def _entity(entity: str, key: str, fields: dict[str, str], mode: str, navigation: str = "") -> str:
    props = []
    for name, declared in fields.items():
        note = ""
        if declared == "lookup" and mode == "string":
            lookup = LOOKUP_OF.get(name, name)
            note = f'<Annotation Term="RESO.OData.Metadata.LookupName" String="{lookup}"/>'
        props.append(f'<Property Name="{name}" Type="{_type(name, declared, mode)}">{note}</Property>')
    return (
        f'<EntityType Name="{entity}"><Key><PropertyRef Name="{key}"/></Key>{"".join(props)}{navigation}</EntityType>'
    )


def metadata_xml(*, mode: str, expand_media: bool) -> bytes:
    """This server's ``$metadata`` (OData 4.0 CSDL)."""
    nav = f'<NavigationProperty Name="Media" Type="Collection({NAMESPACE}.Media)"/>' if expand_media else ""
    entities = [
        _entity("Property", "ListingKey", PROPERTY, mode, nav),
        _entity("Media", "MediaKey", MEDIA, mode),
        _entity("OpenHouse", "OpenHouseKey", OPEN_HOUSE, mode),
    ]
    sets = ["Property", "Media", "OpenHouse"]
    if mode == "string":
        entities.append(_entity("Lookup", "LookupKey", LOOKUP, mode))
        sets.append("Lookup")
    enums = ""
    if mode == "enum":
        blocks = []
        for name, values in LOOKUPS.items():
            members = "".join(
                f'<Member Name="{member}" Value="{n}">'
                f'<Annotation Term="RESO.OData.Metadata.StandardName" String="{escape(std)}"/></Member>'
                for n, (std, (member, _)) in enumerate(values.items())
            )
            blocks.append(f'<EnumType Name="{name}">{members}</EnumType>')
        enums = (
            f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{ENUMS}">{"".join(blocks)}</Schema>'
        )
    container = "".join(f'<EntitySet Name="{s}" EntityType="{NAMESPACE}.{s}"/>' for s in sets)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>'
        f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{NAMESPACE}">'
        f'{"".join(entities)}<EntityContainer Name="Default">{container}</EntityContainer></Schema>'
        f"{enums}</edmx:DataServices></edmx:Edmx>"
    ).encode()
