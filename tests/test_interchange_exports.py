"""Export writers read back by the tools that consume them.

GraphML and GEXF through networkx's own readers (what Gephi users' scripts use), the
supplies CSV through the findings import (the documented subset round-trips), JSON-LD
through rdflib's and pyoxigraph's parsers (isomorphic, graph by graph).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.interchange.csv_export import write_supplies_csv
from graph.interchange.csv_findings import read_csv_findings
from graph.interchange.exports import EXPORTERS
from graph.interchange.gephi import EDGE_ATTRS, NODE_ATTRS, gephi_view, write_gexf, write_graphml
from graph.interchange.jsonld import CONTEXT_FILE, context_text, write_jsonld
from graph.namespaces import ID, RDF_TYPE, SKG, skg
from graph.store import OxigraphStore, Store
from graph.validation import validate_quads


def mint(kind: str, key: str) -> ox.NamedNode:
    slug = re.sub(r"[^a-z0-9]+", "-", key.casefold()).strip("-") or "x"
    return ox.NamedNode(f"{ID}import/roundtrip/{kind}/{slug}")


@pytest.mark.parametrize(("write", "read"), [(write_gexf, nx.read_gexf),
                                             (write_graphml, nx.read_graphml)])
def test_gephi_formats_read_back_every_node_and_edge(
        seed_store: OxigraphStore, write: Callable[[Store, Any], int],
        read: Callable[[Any], Any]) -> None:
    expected = gephi_view(seed_store)
    buf = io.BytesIO()
    assert write(seed_store, buf) == expected.number_of_edges()
    back = read(io.BytesIO(buf.getvalue()))
    assert set(back.nodes) == set(expected.nodes)
    for n, data in expected.nodes(data=True):
        for attr in NODE_ATTRS:
            assert back.nodes[n].get(attr, "") == data.get(attr, ""), (n, attr)
    got = sorted((a, b, tuple(str(d.get(k, "")) for k in EDGE_ATTRS))
                 for a, b, d in back.edges(data=True))
    want = sorted((a, b, tuple(str(d.get(k, "")) for k in EDGE_ATTRS))
                  for a, b, d in expected.edges(data=True))
    assert got == want
    supplies = [d for _, _, d in back.edges(data=True) if d.get("relation") == "supply"]
    assert supplies and all(d["sources"] and d["confidence"] and d["status"] for d in supplies)
    # Typed for Gephi: a numeric weight (the confidence weight), an integer source count,
    # the sources' URLs; no empty dates.
    assert all(isinstance(d["weight"], float) and 0 < d["weight"] <= 1 for d in supplies)
    assert all(isinstance(d["source_count"], int) for d in supplies)
    assert any(d.get("source_urls", "").startswith("https://") for d in supplies)
    assert all(d.get(k) != "" for _, _, d in back.edges(data=True) for k in ("start", "end"))


def _seed_supplies(store: Store) -> set[tuple[Any, ...]]:
    out = set()
    for q in store.quads(None, RDF_TYPE, skg("Supply"), None):
        s = q.subject

        def vals(p: str, s: Any = s) -> frozenset[str]:
            return frozenset(str(x.object.value) for x in store.quads(s, ox.NamedNode(SKG + p),
                                                                       None, None))
        urls = frozenset(u.object.value for e in store.quads(s, skg("evidence"), None, None)
                         for u in store.quads(e.object, skg("url"), None, None))
        techs = vals("technology") or frozenset(  # alternatives: exported as their families
            str(t.object.value) for a in store.quads(s, skg("productAlternative"), None, None)
            for t in store.quads(a.object, skg("technology"), None, None))
        out.add((vals("supplier"), vals("recipient"), vals("forProgramme"), techs,
                 vals("date"), vals("confidence"), vals("status"), urls))
    return out


def test_csv_export_imports_back_to_the_same_supplies(seed_store: OxigraphStore) -> None:
    buf = io.BytesIO()
    rows = write_supplies_csv(seed_store, buf)
    evidence = sum(1 for _ in seed_store.quads(None, skg("evidence"), None, None)
                   if any(seed_store.quads(_.subject, RDF_TYPE, skg("Supply"), None)))
    assert rows == evidence  # one row per (supply, source)
    m = read_csv_findings(buf.getvalue(), name="export.csv", mint=mint)
    report = validate_quads(m.quads, context=seed_store)
    assert report.conforms, report.violations
    imported = ox.Store()
    imported.extend(m.quads)

    class View:  # the imported quads behind the same small interface
        def quads(self, *a: Any) -> Any:
            return imported.quads_for_pattern(*a)

    original = _seed_supplies(seed_store)
    assert len(original) == 13  # T-06 is market presence, not a supply
    assert _seed_supplies(View()) == original  # type: ignore[arg-type]


def test_csv_export_neutralises_formula_cells() -> None:
    store = ox.Store()
    store.load(b"""@prefix skg: <https://w3id.org/survkg/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/survkg/id/supply/x> a skg:Supply ;
            skg:supplier <https://w3id.org/survkg/id/org/a> ;
            skg:recipient <https://w3id.org/survkg/id/org/b> ;
            skg:technology <https://w3id.org/survkg/id/technology/video-analytics> ;
            skg:statement "=cmd|' /C calc'!A0"@en ;
            skg:evidence <https://w3id.org/survkg/id/source/s> ;
            skg:confidence skg:Inferred ; skg:status skg:Alleged .
        <https://w3id.org/survkg/id/org/a> rdfs:label "@Acme" .
        <https://w3id.org/survkg/id/org/b> rdfs:label "B" .
        <https://w3id.org/survkg/id/source/s> <http://purl.org/dc/terms/title> "T" ;
            skg:url "https://a.example/"^^<http://www.w3.org/2001/XMLSchema#anyURI> .
        """, format=ox.RdfFormat.TURTLE)
    wrapped = OxigraphStore(None)
    wrapped.extend(store.quads_for_pattern(None, None, None, None))
    buf = io.BytesIO()
    write_supplies_csv(wrapped, buf)
    text = buf.getvalue().decode("utf-8-sig")
    assert "'=cmd" in text and "'@Acme" in text
    m = read_csv_findings(buf.getvalue(), name="x", mint=mint)
    notes = [q.object.value for q in m.quads if q.predicate == skg("statement")]
    assert notes == ["=cmd|' /C calc'!A0"]


def _by_graph(quads: Any) -> dict[str, rdflib.Graph]:
    lines: dict[str, list[str]] = {}
    for q in quads:
        lines.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return {name: rdflib.Graph().parse(data="\n".join(ls), format="nt")
            for name, ls in lines.items()}


def test_jsonld_round_trip_is_isomorphic(seed_store: OxigraphStore) -> None:
    buf = io.BytesIO()
    n = write_jsonld(seed_store, buf)
    assert n == len(seed_store)
    doc = json.loads(buf.getvalue())
    assert doc["@context"]["supplier"] == {"@id": "skg:supplier", "@type": "@id"}
    assert {g["@id"] for g in doc["@graph"]} == {
        "https://w3id.org/survkg/graph/ontology", "https://w3id.org/survkg/graph/seeds"}
    original = _by_graph(seed_store.quads(None, None, None, None))
    back = _by_graph(ox.parse(buf.getvalue(), format=ox.RdfFormat.JSON_LD))
    assert original.keys() == back.keys()
    for name, graph in original.items():
        assert isomorphic(graph, back[name]), name
    ds = rdflib.Dataset()
    ds.parse(data=buf.getvalue(), format="json-ld")
    assert len(ds) == len(seed_store)


def test_published_context_is_the_ontology_s() -> None:
    """Regenerate with `python -m graph.interchange.jsonld > ontology/context.jsonld`."""
    assert CONTEXT_FILE.read_text(encoding="utf-8") == context_text()
    ctx = json.loads(context_text())["@context"]
    assert ctx["evidence"]["@type"] == "@id"
    assert ctx["url"] == {"@id": "skg:url", "@type": "xsd:anyURI"}
    assert "@type" not in ctx["date"]  # three datatypes: kept explicit in the data


def test_registry_lists_working_writers(seed_store: OxigraphStore) -> None:
    assert set(EXPORTERS) == {"graphml", "gexf", "csv", "jsonld", "ftm", "nquads", "trig",
                              "turtle", "ntriples", "rdfxml"}
    for name, exp in EXPORTERS.items():
        buf = io.BytesIO()
        assert exp.writer(seed_store, buf) > 0, name
        assert buf.getvalue(), name
        assert "/" in exp.media_type and exp.extension.replace(".", "").isalnum()
