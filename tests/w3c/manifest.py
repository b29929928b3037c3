"""The W3C test manifests (copied from ``../shared/w3c-rdf-tests`` into ``tests/data``) read
with pyoxigraph.

Manifests are parsed with their canonical base IRI (``http://www.w3.org/2009/sparql/
docs/tests/data-sparql11/<dir>/``), so test data gets graph names and queries get a BASE
of the same http IRIs the tests were written for; :func:`local_path` maps such an IRI
back to the file on disk. Nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

DATA = Path(__file__).resolve().parents[1] / "data"
SPARQL11 = DATA / "w3c-rdf-tests" / "sparql" / "sparql11"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
HTS = "http://www.w3.org/2011/http-statusCodes#"

Node = ox.NamedNode | ox.BlankNode


def local_path(iri: str) -> Path:
    if not iri.startswith(BASE):
        raise ValueError(f"not a test-suite IRI: {iri}")
    return SPARQL11 / iri[len(BASE):]


class Manifest:
    """One manifest file as a small graph with helpers to walk it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = BASE + path.parent.name + "/"
        self.graph = ox.Store()
        self.graph.load(path=str(path), format=ox.RdfFormat.TURTLE,
                        base_iri=self.base + path.name)

    def objects(self, subject: Node, predicate: str) -> list[ox.NamedNode | ox.BlankNode |
                                                              ox.Literal]:
        return [q.object for q in self.graph.quads_for_pattern(
            subject, ox.NamedNode(predicate), None)]  # type: ignore[misc]

    def one(self, subject: Node, predicate: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def items(self, head: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Iterator[Node]:
        while isinstance(head, ox.NamedNode | ox.BlankNode) and head.value != RDF + "nil":
            first = self.one(head, RDF + "first")
            assert isinstance(first, ox.NamedNode | ox.BlankNode)
            yield first
            head = self.one(head, RDF + "rest")

    def entries(self) -> list[Node]:
        manifests = [q.subject for q in self.graph.quads_for_pattern(
            None, ox.NamedNode(RDF + "type"), ox.NamedNode(MF + "Manifest"))]
        return [e for m in manifests
                for e in self.items(self.one(m, MF + "entries"))]  # type: ignore[arg-type]

    def types(self, node: Node) -> set[str]:
        return {o.value for o in self.objects(node, RDF + "type")}
