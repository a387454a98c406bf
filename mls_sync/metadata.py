"""A RESO server's ``$metadata`` (OData CSDL XML), reduced to what replication needs.

From the document: each entity set's fields and their types, which navigation properties it
has (``Property`` -> ``Media`` allows ``$expand=Media``), and each enum type's members with the
RESO standard value a member stands for (the ``RESO.OData.Metadata.StandardName`` annotation,
else the member name). Servers on Data Dictionary 2.0 type lookups as strings instead and list
their values in the ``Lookup`` resource (``LookupName``, ``LookupValue``, ``StandardLookupValue``);
``lookups_add`` folds those in.

``Metadata`` is plain data (``to_doc``/``from_doc``) so it is read once per source and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import defusedxml.ElementTree as SafeXML

from mls_sync.lookups import fold

STANDARD_NAME = "RESO.OData.Metadata.StandardName"
LOOKUP_NAME = "RESO.OData.Metadata.LookupName"


class MetadataError(ValueError):
    """The ``$metadata`` document cannot be read."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _annotation(element: Any, term: str) -> str | None:
    for child in element:
        if _local(child.tag) == "Annotation" and child.get("Term") == term:
            return child.get("String")
    return None


@dataclass
class Metadata:
    # entity set -> field -> declared type ("Edm.String", "ns.enums.StandardStatus", "Collection(...)")
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    navigation: dict[str, list[str]] = field(default_factory=dict)
    # qualified enum type -> member name -> standard value
    enums: dict[str, dict[str, str]] = field(default_factory=dict)
    # field -> lookup name, for string-typed lookups (DD 2.0)
    lookup_names: dict[str, str] = field(default_factory=dict)
    # lookup name -> local value -> standard value (from the Lookup resource)
    lookup_values: dict[str, dict[str, str]] = field(default_factory=dict)
    # folded local value/member -> standard value, per enum type or lookup name (built on demand)
    _folded: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def _index(self, name: str, values: dict[str, str]) -> dict[str, str]:
        index = self._folded.get(name)
        if index is None:
            index = self._folded[name] = {fold(local): standard for local, standard in values.items()}
        return index

    @classmethod
    def parse(cls, xml: bytes | str) -> Metadata:
        try:
            root = SafeXML.fromstring(xml)
        except Exception as exc:  # defusedxml raises its own types besides ParseError
            raise MetadataError(f"$metadata is not readable XML: {exc}") from exc
        md = cls()
        types: dict[str, Any] = {}
        for schema in (el for el in root.iter() if _local(el.tag) == "Schema"):
            namespace = schema.get("Namespace", "")
            for el in schema:
                kind, name = _local(el.tag), el.get("Name", "")
                if kind == "EntityType":
                    types[f"{namespace}.{name}"] = el
                elif kind == "EnumType":
                    md.enums[f"{namespace}.{name}"] = {
                        m.get("Name", ""): _annotation(m, STANDARD_NAME) or m.get("Name", "")
                        for m in el
                        if _local(m.tag) == "Member"
                    }
        sets = {el.get("Name", ""): el.get("EntityType", "") for el in root.iter() if _local(el.tag) == "EntitySet"}
        if not sets:  # no container: name the sets after their types
            sets = {qualified.rsplit(".", 1)[-1]: qualified for qualified in types}
        for set_name, qualified in sets.items():
            entity = types.get(qualified)
            if entity is None:
                continue
            md.fields[set_name] = {}
            md.navigation[set_name] = []
            for el in entity:
                kind, name = _local(el.tag), el.get("Name", "")
                if kind == "Property":
                    md.fields[set_name][name] = el.get("Type", "Edm.String")
                    if lookup := _annotation(el, LOOKUP_NAME):
                        md.lookup_names[name] = lookup
                elif kind == "NavigationProperty":
                    md.navigation[set_name].append(name)
        if not md.fields:
            raise MetadataError("$metadata declares no entity sets")
        return md

    # -- questions replication asks --------------------------------------------------------------
    def has(self, entity: str, name: str) -> bool:
        return name in self.fields.get(entity, {})

    def can_expand(self, entity: str, navigation: str) -> bool:
        return navigation in self.navigation.get(entity, [])

    def enum_type(self, entity: str, name: str) -> str | None:
        declared = self.fields.get(entity, {}).get(name, "")
        if declared.startswith("Collection(") and declared.endswith(")"):
            declared = declared[len("Collection(") : -1]
        return declared if declared in self.enums else None

    def local_values(self, entity: str, name: str) -> dict[str, str]:
        """This server's values of a lookup field (enum members or Lookup rows) -> standard values."""
        enum = self.enum_type(entity, name)
        if enum is not None:
            return self.enums[enum]
        lookup = self.lookup_names.get(name)
        return self.lookup_values.get(lookup, {}) if lookup is not None else {}

    def literal(self, entity: str, name: str, local: str) -> str:
        """How this server wants one of its values written in ``$filter``: an enum member as
        ``Namespace.Type'Member'``, anything else as a quoted string."""
        escaped = local.replace("'", "''")
        enum = self.enum_type(entity, name)
        return f"{enum}'{escaped}'" if enum is not None else f"'{escaped}'"

    def standard_value(self, entity: str, name: str, value: str) -> tuple[bool, str | None]:
        """(whether the metadata declares this field's values, the standard value of ``value``)."""
        enum = self.enum_type(entity, name)
        if enum is not None:
            members = self.enums[enum]
            return True, members.get(value) or self._index(enum, members).get(fold(value))
        lookup = self.lookup_names.get(name)
        if lookup is not None and lookup in self.lookup_values:
            values = self.lookup_values[lookup]
            return True, values.get(value) or self._index(f"lookup:{lookup}", values).get(fold(value))
        return False, None

    def lookups_add(self, rows: list[dict[str, Any]]) -> None:
        """Fold in rows of the ``Lookup`` resource."""
        for row in rows:
            name, local, standard = row.get("LookupName"), row.get("LookupValue"), row.get("StandardLookupValue")
            if not name or local is None:
                continue
            values = self.lookup_values.setdefault(str(name), {})
            values[str(local)] = str(standard or local)
            if legacy := row.get("LegacyODataValue"):
                values.setdefault(str(legacy), str(standard or local))
        self._folded.clear()

    # -- caching ---------------------------------------------------------------------------------
    def to_doc(self) -> dict[str, Any]:
        return {
            "fields": self.fields,
            "navigation": self.navigation,
            # Enum and lookup names hold dots; MongoDB field names had better not.
            "enums": [[name, members] for name, members in self.enums.items()],
            "lookupNames": [[k, v] for k, v in self.lookup_names.items()],
            "lookupValues": [[k, list(v.items())] for k, v in self.lookup_values.items()],
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Metadata:
        return cls(
            fields=doc["fields"],
            navigation=doc["navigation"],
            enums=dict(doc["enums"]),
            lookup_names=dict(doc["lookupNames"]),
            lookup_values={k: dict(pairs) for k, pairs in doc["lookupValues"]},
        )
