"""What the FollowTheMoney (FtM) import and export share: the class <-> schema table and
the check of one FtM entity against the ``followthemoney`` library's model.

Kept apart from the two directions so that they cannot drift: an export is only useful to
Aleph and OpenSanctions users if it passes the very check an import applies, and the
classification labels that let a survkg class survive the trip through FtM are spelled
once. See docs/ftm.md for the mapping table.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from followthemoney import model, registry

from graph.namespaces import RDF_TYPE, SKG, skg

#: survkg organisation class -> (FtM schema it exports as, label in FtM's
#: ``classification``). FtM has no schema for a police force, a university or an unnamed
#: end user, and an FtM entity has one schema where a survkg organisation may have several
#: classes (a company that is also an unnamed end user); when the classes are not just the
#: schema's own, an export lists all their labels in the free-text ``classification`` so
#: that an import of it restores them. Order matters: the first class an organisation has
#: picks the schema.
ORG_CLASSES: tuple[tuple[str, str, str], ...] = (
    ("PublicSecurityBody", "PublicBody", "public-security / law-enforcement body"),
    ("GovernmentBody", "PublicBody", "government body"),
    ("Company", "Company", "company"),
    ("ResearchInstitute", "Organization", "university or research institute"),
    ("UnnamedEndUser", "Organization", "unnamed end user"),
    ("Organisation", "Organization", "organisation"),
)

#: FtM schema -> survkg class for organisations on import (when no classification names
#: survkg classes). LegalEntity is FtM's "company, body or person": taken as an
#: organisation, and said so in the import's notes.
ORG_SCHEMATA: Mapping[str, str] = {
    "Company": "Company",
    "Organization": "Organisation",
    "PublicBody": "GovernmentBody",
    "LegalEntity": "Organisation",
}

#: The ``ownershipType`` an export writes for a minority stake (skg:controlling false).
MINORITY_STAKE = "minority stake"

#: The ContractAward ``role`` that says the contract's project is the supply's recipient
#: (skg:recipient), not only the programme it served (skg:forProgramme, the default).
RECIPIENT_PROJECT = "recipient is the project"

#: Why an FtM schema does not map (used in the import's notes); others get a generic note.
UNMAPPED_REASONS: Mapping[str, str] = {
    "Person": "survkg does not record people",
    "Directorship": "survkg does not record people or directorships",
    "Employment": "survkg does not record people or employment",
    "Family": "survkg does not record people or family ties",
    "Associate": "survkg does not record people or their associates",
    "Membership": "survkg's participation is in surveillance programmes only, "
                  "not membership of organisations",
    "Representation": "survkg has no agent / client relation",
    "UnknownLink": "an untyped link has no counterpart among survkg's claims",
    "Address": "survkg records places, not postal addresses",
    "Payment": "survkg records supplies, not payments",
    "Sanction": "survkg has no sanctions model",
    "Contract": "a contract without a ContractAward names no supplier",
}


def org_classes_for(schema: str, classification: list[str]) -> list[ox.NamedNode]:
    """The survkg classes of an imported organisation: those its classification names
    (see :data:`ORG_CLASSES`), else the one its schema maps to."""
    wanted = {c.strip().lower() for c in classification}
    named = [skg(cls) for cls, _, label in ORG_CLASSES if label in wanted]
    return named or [skg(ORG_SCHEMATA[schema])]


def export_org_schema(types: set[str]) -> tuple[str, list[str]] | None:
    """(FtM schema, classification) for an organisation with these rdf:type IRIs."""
    mine = [(cls, schema, label) for cls, schema, label in ORG_CLASSES if SKG + cls in types]
    if not mine:
        return None
    schema = mine[0][1]
    if [cls for cls, _, _ in mine] == [ORG_SCHEMATA[schema]]:
        return schema, []
    return schema, [label for _, _, label in mine]


def entity_problems(entity: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Every way ``entity`` breaks the FtM model, as (field, message) pairs.

    The ``followthemoney`` library's own rules: a known, non-abstract schema, an id its
    entity type accepts, only the schema's properties, no read-only (stub) properties,
    lists of strings that each property's type validates (``Property.validate``), and the
    schema's required properties present (``Schema.validate`` only checks those given).
    """
    problems: list[tuple[str | None, str]] = []
    ident = entity.get("id")
    if not isinstance(ident, str) or not ident:
        problems.append(("id", "missing or not a string"))
    elif not registry.entity.validate(ident):
        problems.append(("id", f"{ident!r} is not a valid FtM entity id"))
    name = entity.get("schema")
    schema = model.get(name) if isinstance(name, str) else None
    if schema is None:
        problems.append(("schema", f"unknown FtM schema {name!r}"))
        return problems
    if schema.abstract:
        problems.append(("schema", f"{name} is an abstract schema"))
    props = entity.get("properties", {})
    if not isinstance(props, dict):
        problems.append(("properties", "must be an object"))
        return problems
    for key, values in props.items():
        where = f"properties.{key}"
        prop = schema.properties.get(key)
        if prop is None:
            problems.append((where, f"{name} has no property {key!r}"))
            continue
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems.append((where, "must be a list of strings"))
            continue
        if any(_has_surrogate(v) for v in values):
            problems.append((where, "text with a lone surrogate (broken Unicode)"))
            continue
        error = prop.validate(values)
        if error is not None:
            problems.append((where, error))
    for required in sorted(schema.required):
        if not props.get(required):
            problems.append((f"properties.{required}", f"{name} requires {required!r}"))
    return problems


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@lru_cache(maxsize=1)
def country_iris() -> dict[str, ox.NamedNode]:
    """ISO code -> the seed graph's country IRI (``seeds/countries.ttl``, skg:countryCode)."""
    from graph.bundled import SEEDS_DIR
    from graph.loading import parse_file

    code = ox.NamedNode(SKG + "countryCode")
    out: dict[str, ox.NamedNode] = {}
    for q in parse_file(SEEDS_DIR / "countries.ttl"):
        if q.predicate == code and isinstance(q.subject, ox.NamedNode) \
                and isinstance(q.object, ox.Literal):
            out[q.object.value.lower()] = q.subject
    return out


@lru_cache(maxsize=1)
def technology_iris() -> dict[str, ox.NamedNode]:
    """Lower-cased label (pref, alt, rdfs) -> technology IRI (``ontology/technologies.ttl``)."""
    from graph.bundled import ONTOLOGY_DIR
    from graph.loading import parse_file

    quads = parse_file(ONTOLOGY_DIR / "technologies.ttl")
    techs = {q.subject for q in quads
             if q.predicate == RDF_TYPE and q.object == skg("Technology")}
    labels = {"http://www.w3.org/2004/02/skos/core#prefLabel",
              "http://www.w3.org/2004/02/skos/core#altLabel",
              "http://www.w3.org/2000/01/rdf-schema#label"}
    out: dict[str, ox.NamedNode] = {}
    for q in quads:
        if q.subject in techs and q.predicate.value in labels \
                and isinstance(q.object, ox.Literal) and isinstance(q.subject, ox.NamedNode):
            out.setdefault(q.object.value.strip().lower(), q.subject)
    return out
