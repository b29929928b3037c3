"""The ontology as a page, and as RDF for clients that ask for it (content negotiation)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from graph import formats
from graph.lookup.labels import label_of
from graph.namespaces import ONTOLOGY_GRAPH, OWL, PREFIXES, RDF, RDFS, SKG
from graph.store import Store

#: Media types an RDF client may ask for at the ontology IRI (the registry's graph
#: syntaxes, as for SPARQL graph results), in our order of preference.
RDF_MEDIA: dict[str, ox.RdfFormat] = {
    m: f.rdf for f in formats.GRAPH_SYNTAXES if f.rdf is not None for m in f.media_types}


def negotiate(accept: str) -> str | None:
    """The RDF media type ``accept`` prefers over HTML, or None for the HTML page."""
    best: tuple[float, int, str] | None = None
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if media in RDF_MEDIA or media in ("text/html", "application/xhtml+xml", "*/*"):
            cand = (q, -i, media)
            if q > 0 and (best is None or cand > best):
                best = cand
    if best is None or best[2] not in RDF_MEDIA:
        return None
    return best[2]


def serialize(store: Store, media: str) -> tuple[bytes, str]:
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in store.quads(None, None, None, ONTOLOGY_GRAPH)]
    body = ox.serialize(triples, None, format=RDF_MEDIA[media], prefixes=PREFIXES) or b""
    return body, media


def _rows(store: Store, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql, default_graph=[ONTOLOGY_GRAPH])
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (sol[n].value if sol[n] is not None else "") for n in names} for sol in result]


def _short(iri: str) -> str:
    for p, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return iri


def vocabulary(store: Store) -> dict[str, Any]:
    """Classes, properties and value individuals of the skg: namespace, with their docs."""
    def terms(kind: str) -> list[dict[str, Any]]:
        rows = _rows(store, f"""SELECT ?t (SAMPLE(?c) AS ?comment)
            (GROUP_CONCAT(DISTINCT STR(?sup); separator=" ") AS ?supers)
            (GROUP_CONCAT(DISTINCT STR(?d); separator=" ") AS ?domains)
            (GROUP_CONCAT(DISTINCT STR(?r); separator=" ") AS ?ranges) WHERE {{
              ?t a <{kind}> . FILTER(STRSTARTS(STR(?t), "{SKG}"))
              OPTIONAL {{ ?t <{RDFS}comment> ?c }}
              OPTIONAL {{ ?t <{RDFS}subClassOf>|<{RDFS}subPropertyOf> ?sup FILTER(isIRI(?sup)) }}
              OPTIONAL {{ ?t <{RDFS}domain> ?d }} OPTIONAL {{ ?t <{RDFS}range> ?r }}
            }} GROUP BY ?t ORDER BY ?t""")
        return [{"name": _short(r["t"]), "anchor": r["t"].removeprefix(SKG),
                 "iri": r["t"], "label": label_of(store, r["t"]) or "", "comment": r["comment"],
                 "supers": [_short(x) for x in r["supers"].split()],
                 "domains": [_short(x) for x in r["domains"].split()],
                 "ranges": [_short(x) for x in r["ranges"].split()]} for r in rows]

    info = _rows(store, f"""SELECT ?l ?c ?v WHERE {{ ?o a <{OWL}Ontology> .
        OPTIONAL {{ ?o <{RDFS}label> ?l }} OPTIONAL {{ ?o <{RDFS}comment> ?c }}
        OPTIONAL {{ ?o <{OWL}versionInfo> ?v }} }} LIMIT 1""")
    individuals = _rows(store, f"""SELECT ?i ?cls (SAMPLE(?c) AS ?comment)
        WHERE {{ ?i a ?cls . ?cls a <{OWL}Class> .
          FILTER(STRSTARTS(STR(?i), "{SKG}") && STRSTARTS(STR(?cls), "{SKG}"))
          OPTIONAL {{ ?i <{RDFS}comment> ?c }} }}
        GROUP BY ?i ?cls ORDER BY ?cls ?i""")
    return {
        "info": info[0] if info else {},
        "classes": terms(OWL + "Class"),
        "object_properties": terms(OWL + "ObjectProperty"),
        "datatype_properties": terms(OWL + "DatatypeProperty"),
        "annotation_properties": terms(OWL + "AnnotationProperty"),
        "individuals": [{"name": _short(r["i"]), "class": _short(r["cls"]),
                         "label": label_of(store, r["i"]) or "", "comment": r["comment"]}
                        for r in individuals],
        "rdf_type": RDF + "type",
    }
