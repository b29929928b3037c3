"""The SPARQL 1.1 service description (GET /sparql with an RDF Accept and no query)."""

from __future__ import annotations

import pyoxigraph as ox

from api.settings import Settings
from graph.namespaces import PREFIXES
from graph.store import Store

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def _sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def service_description(store: Store, settings: Settings, endpoint: str) -> list[ox.Triple]:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service = ox.NamedNode(endpoint)
    triples = [
        ox.Triple(service, rdf_type, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
    ]
    if settings.updates_enabled:
        triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    triples += [ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + f))
                for f in _RESULT_FORMATS]
    dataset, default = ox.BlankNode(), ox.BlankNode()
    triples += [
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, _sd("Graph")),
    ]
    for graph in store.named_graphs():
        named = ox.BlankNode()
        triples += [ox.Triple(dataset, _sd("namedGraph"), named),
                    ox.Triple(named, rdf_type, _sd("NamedGraph")),
                    ox.Triple(named, _sd("name"), graph)]
    return triples


def serialize(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    prefixes = {"sd": SD, **PREFIXES} if fmt != ox.RdfFormat.N_TRIPLES else None
    return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
