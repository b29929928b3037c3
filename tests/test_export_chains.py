"""Exports never recurse over the data: a 3,000-long blank-node chain and a 3,000-item
RDF list, as one import can hold, export in every format and (for the RDF formats)
read back to the same triples."""

from __future__ import annotations

import io
import itertools
import sys

import pyoxigraph as ox
import pytest

from graph.interchange.exports import EXPORTERS
from graph.loading import open_store
from graph.namespaces import RDF
from graph.store import OxigraphStore

N = 3_000
EX = "https://example.org/chain/"
GRAPH = ox.NamedNode("https://w3id.org/survkg/graph/import/20260101T000000Z-00000000-0000")
RDF_READABLE = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
                "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}


@pytest.fixture(scope="module")
def chained() -> OxigraphStore:
    """The ontology and seeds plus a blank-node chain and a long list in an import graph."""
    store = open_store(memory=True)
    p, first, rest = ox.NamedNode(EX + "next"), ox.NamedNode(RDF + "first"), \
        ox.NamedNode(RDF + "rest")
    nodes = [ox.BlankNode() for _ in range(N)]
    quads = [ox.Quad(ox.NamedNode(EX + "head"), p, nodes[0], GRAPH)]
    quads += [ox.Quad(a, p, b, GRAPH) for a, b in itertools.pairwise(nodes)]
    quads.append(ox.Quad(nodes[-1], ox.NamedNode(EX + "label"), ox.Literal("end"), GRAPH))
    cells = [ox.BlankNode() for _ in range(N)]
    quads.append(ox.Quad(ox.NamedNode(EX + "list"), ox.NamedNode(EX + "items"), cells[0],
                         GRAPH))
    for i, cell in enumerate(cells):
        quads.append(ox.Quad(cell, first, ox.Literal(str(i)), GRAPH))
        quads.append(ox.Quad(cell, rest, cells[i + 1] if i + 1 < N
                             else ox.NamedNode(RDF + "nil"), GRAPH))
    store.extend(quads)
    return store


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_long_chains_export_in_every_format(chained: OxigraphStore, fmt: str) -> None:
    assert sys.getrecursionlimit() < N  # the chain is longer than any recursion allows
    buf = io.BytesIO()
    assert EXPORTERS[fmt].writer(chained, buf) > 0
    if fmt in RDF_READABLE:
        back = ox.Store()
        back.load(buf.getvalue(), RDF_READABLE[fmt],
                  **({"to_graph": GRAPH} if fmt in {"turtle", "ntriples", "rdfxml"} else {}))
        chain = ox.NamedNode(EX + "next")
        assert len(list(back.quads_for_pattern(None, chain, None, None))) == N
        items = list(back.quads_for_pattern(None, ox.NamedNode(RDF + "first"), None, None))
        assert len(items) == N
