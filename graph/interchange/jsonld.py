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
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from typing import IO, Any

import pyoxigraph as ox
import rdflib

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


def write_jsonld(store: Store, out: IO[bytes]) -> int:
    """The whole dataset as compacted JSON-LD with the embedded survkg context.

    Returns the number of quads written.
    """
    ds = to_dataset(store)
    text = ds.serialize(format="json-ld", context=published_context(), auto_compact=True,
                        indent=1, ensure_ascii=False)
    out.write(text.encode("utf-8"))
    return len(ds)


if __name__ == "__main__":  # regenerate the published context
    sys.stdout.write(context_text())
