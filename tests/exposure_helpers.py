"""Helpers for the exposure tests: tiny stores from Turtle strings (ontology included)."""

from __future__ import annotations

import re
from functools import cache

import pyoxigraph as ox

from graph.loading import ontology_files, open_store, parse_bytes, parse_file
from graph.namespaces import ONTOLOGY_GRAPH, PREFIXES, rid
from graph.projection import Projection, build_projection
from graph.store import OxigraphStore

PROLOGUE = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()) + (
    "@prefix x: <https://w3id.org/survkg/id/> .\n")


@cache
def ontology_quads() -> tuple[ox.Quad, ...]:
    return tuple(q for p in ontology_files() for q in parse_file(p, graph=ONTOLOGY_GRAPH))


def store_from(turtle: str) -> OxigraphStore:
    store = open_store(memory=True, seed=False)
    turtle = re.sub(r"\bx:([\w/.-]*[\w])", r"<https://w3id.org/survkg/id/\1>", turtle)
    data = parse_bytes((PROLOGUE + turtle).encode(), ox.RdfFormat.TURTLE,
                       graph=ox.NamedNode("https://w3id.org/survkg/graph/test"))
    store.extend([*ontology_quads(), *data])
    return store


def projection_from(turtle: str) -> Projection:
    return build_projection(store_from(turtle))


def iri(local: str) -> str:
    return rid(local).value
