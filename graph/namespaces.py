"""The one place where survkg's IRIs are spelled out; everything else imports them."""

from __future__ import annotations

from typing import Final

from pyoxigraph import NamedNode

SKG: Final = "https://w3id.org/survkg/ontology#"
ID: Final = "https://w3id.org/survkg/id/"
GRAPH: Final = "https://w3id.org/survkg/graph/"
ONTOLOGY_IRI: Final = "https://w3id.org/survkg/ontology"

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCTERMS: Final = "http://purl.org/dc/terms/"
PROV: Final = "http://www.w3.org/ns/prov#"
ORG: Final = "http://www.w3.org/ns/org#"
SCHEMA: Final = "https://schema.org/"
SH: Final = "http://www.w3.org/ns/shacl#"

#: Prefixes offered to SPARQL users (CLI, endpoint, editor) and used when serialising.
PREFIXES: Final[dict[str, str]] = {
    "skg": SKG,
    "id": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "org": ORG,
    "schema": SCHEMA,
}

#: Named graphs the store keeps the bundled data in.
ONTOLOGY_GRAPH: Final = NamedNode(GRAPH + "ontology")
SEEDS_GRAPH: Final = NamedNode(GRAPH + "seeds")
#: The catalogue of imports: one skg:Import per import graph (ontology/imports.ttl).
IMPORTS_GRAPH: Final = NamedNode(GRAPH + "imports")


def skg(local: str) -> NamedNode:
    """An ontology term, e.g. ``skg("Supply")``."""
    return NamedNode(SKG + local)


def rid(local: str) -> NamedNode:
    """A resource IRI from its local id, e.g. ``rid("org/axis-communications")``."""
    return NamedNode(ID + local)


def iri_of(ident: str) -> str:
    """The IRI an id stands for: an absolute IRI (``scheme://``) as it is, else the
    resource with that local id (``org/axis-communications``; a leading ``/`` ignored).
    The one "is this an IRI" test of every surface."""
    return ident if "://" in ident else ID + ident.lstrip("/")


def local_id(iri: str) -> str:
    """The URL-safe local id of a resource IRI (the part after ``/id/``), or the IRI itself."""
    return iri[len(ID) :] if iri.startswith(ID) else iri


def sparql_prologue() -> str:
    """PREFIX declarations for every prefix in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


RDF_TYPE: Final = NamedNode(RDF + "type")
RDFS_LABEL: Final = NamedNode(RDFS + "label")
RDFS_COMMENT: Final = NamedNode(RDFS + "comment")
RDFS_SUBCLASSOF: Final = NamedNode(RDFS + "subClassOf")
SKOS_ALTLABEL: Final = NamedNode(SKOS + "altLabel")
SKOS_PREFLABEL: Final = NamedNode(SKOS + "prefLabel")
