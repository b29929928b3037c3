"""JSON-LD export with survkg's published context.

Web developers read JSON, not Turtle: with ``ontology/context.jsonld`` a supply reads
``{"@type": "Supply", "supplier": "id:org/axis-communications", "confidence":
"skg:ReportedByPress", ...}`` and still parses back to exactly the same RDF. The context is
*derived* from the ontology (:func:`build_context`): every ``skg:`` class and property gets a
term, object properties are typed ``@id``, datatype properties with one datatype range get
that ``@type``, so a new ontology term cannot be forgotten (a test compares the published
file with the derivation; regenerate it with ``python -m graph.interchange.jsonld``).

The export embeds the context rather than linking to it, so a reader needs no network
access (and nothing is fetched from another host when the file is parsed back). Named
graphs become ``@graph`` objects with their ``@id``.

Blank nodes are written flat (one node object each, referenced by ``@id``), deepest
first: rdflib's converter otherwise recurses once per blank node along a chain, and one
import holding a 3,000-long chain made every JSON-LD export fail with RecursionError.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from typing import IO, Any

import pyoxigraph as ox
import rdflib
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context

from graph.bundled import CONTEXT_FILE, ontology_files
from graph.namespaces import OWL, PREFIXES, RDF, RDFS, SKG, XSD
from graph.store import Store
from graph.validation import to_rdflib_term

#: Where the context is published (w3id redirect, beside the ontology).
CONTEXT_URL = "https://w3id.org/survkg/ontology/context.jsonld"

_PLAIN = {RDF + "langString", XSD + "string", RDFS + "Literal"}


def build_context() -> dict[str, Any]:
    """The JSON-LD context derived from the bundled ontology (see module doc)."""
    g = rdflib.Graph()
    for path in ontology_files():
        g.parse(path, format="turtle")
    terms: dict[str, Any] = dict(sorted(PREFIXES.items()))
    found: dict[str, Any] = {}
    for cls in g.subjects(rdflib.RDF.type, rdflib.URIRef(OWL + "Class")):
        if str(cls).startswith(SKG):
            local = str(cls)[len(SKG):]
            found[local] = f"skg:{local}"
    for prop in g.subjects(rdflib.RDF.type, rdflib.URIRef(OWL + "ObjectProperty")):
        if str(prop).startswith(SKG):
            local = str(prop)[len(SKG):]
            found[local] = {"@id": f"skg:{local}", "@type": "@id"}
    for prop in g.subjects(rdflib.RDF.type, rdflib.URIRef(OWL + "DatatypeProperty")):
        if str(prop).startswith(SKG):
            local = str(prop)[len(SKG):]
            ranges = {str(r) for r in g.objects(prop, rdflib.RDFS.range)}
            term: dict[str, str] = {"@id": f"skg:{local}"}
            if len(ranges) == 1 and not ranges & _PLAIN:
                term["@type"] = "xsd:" + ranges.pop().removeprefix(XSD)
            found[local] = term
    for prop in g.subjects(rdflib.RDF.type, rdflib.URIRef(OWL + "AnnotationProperty")):
        if str(prop).startswith(SKG):
            local = str(prop)[len(SKG):]
            found.setdefault(local, {"@id": f"skg:{local}"})
    terms.update(dict(sorted(found.items())))
    return {"@context": terms}


def context_text() -> str:
    """The published context file's text (what ``ontology/context.jsonld`` must contain)."""
    return json.dumps(build_context(), indent=2, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def published_context() -> dict[str, Any]:
    """The context as published in ``ontology/context.jsonld``."""
    ctx: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return ctx


def to_dataset(store: Store) -> rdflib.Dataset:
    """Every quad of ``store`` in an rdflib dataset (graph names kept)."""
    ds = rdflib.Dataset()
    for q in store.quads(None, None, None, None):
        if isinstance(q.graph_name, ox.DefaultGraph):
            target = ds.default_graph
        else:
            target = ds.graph(to_rdflib_term(q.graph_name))  # type: ignore[arg-type]
        target.add((to_rdflib_term(q.subject), to_rdflib_term(q.predicate),
                    to_rdflib_term(q.object)))
    return ds


def _deepest_first(graph: rdflib.Graph) -> list[rdflib.BNode]:
    """Blank-node subjects (list cells left out: rdflib writes those as ``@list``), each
    after the blank nodes it points at; an explicit stack, so no recursion over data."""
    first = rdflib.RDF.first
    subjects = {s for s in graph.subjects() if isinstance(s, rdflib.BNode)}
    cells = {s for s in subjects if (s, first, None) in graph}
    order: list[rdflib.BNode] = []
    seen: set[rdflib.BNode] = set()
    for start in subjects - cells:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(list(graph.objects(start))))]
        while stack:
            node, objects = stack[-1]
            for o in objects:
                if isinstance(o, rdflib.BNode) and o in subjects and o not in cells \
                        and o not in seen:
                    seen.add(o)
                    stack.append((o, iter(list(graph.objects(o)))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


class _FlatConverter(Converter):
    """rdflib's converter with every blank node made a node object before the nodes that
    point at it, so that converting one never recurses into another."""

    def from_graph(self, graph: rdflib.Graph) -> list[Any]:
        nodemap: dict[Any, Any] = {}
        for b in _deepest_first(graph):
            self.process_subject(graph, b, nodemap)
        for s in set(graph.subjects()):  # then as rdflib does: IRIs, unreferenced nodes
            if isinstance(s, rdflib.URIRef) or (isinstance(s, rdflib.BNode)
                                                and not any(graph.subjects(None, s))):
                self.process_subject(graph, s, nodemap)
        return list(nodemap.values())


def write_jsonld(store: Store, out: IO[bytes]) -> int:
    """The whole dataset as compacted JSON-LD with the embedded survkg context.

    Returns the number of quads written.
    """
    ds = to_dataset(store)
    data = published_context()
    converter = _FlatConverter(Context(data), True, False)
    result = converter.convert(ds)
    if isinstance(result, list):
        result = {"@graph": result}
    result["@context"] = data
    out.write(json.dumps(result, indent=1, ensure_ascii=False, sort_keys=True)
              .encode("utf-8"))
    return len(ds)


if __name__ == "__main__":  # regenerate the published context
    sys.stdout.write(context_text())
