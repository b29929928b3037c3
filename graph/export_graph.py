"""The graph as a reader sees it: one NetworkX view, subgraphs of it, and its export formats.

:func:`build_view` draws the exposure projection (:mod:`graph.projection`, the one read
of the store's ``skg:exposureRole`` annotations): every hop the engine can follow is an
edge of the view, with the same topology (a supply through two intermediaries is the two
parallel routes A -> I1 -> R and A -> I2 -> R the engine follows, never a made-up chain),
plus the relations a reader needs beside them: parent -> subsidiary, predecessor ->
successor, flagged entity -> risk indicator, ``skg:locatedIn`` and maker -> product.
Every edge keeps its claim's id, the engine's ``role``, dates, status, confidence and
technologies, so a page can replay the graph over time and filter it without asking the
server again. Nodes are named by the one label rule (:mod:`graph.lookup.labels`).

Formats: ``json`` (nodes and edges), ``graphml`` and ``gexf`` (Gephi), ``cytoscape``
(Cytoscape.js JSON). Attribute values are scalars, never None, as GraphML and GEXF need.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from typing import Any

import networkx as nx

from graph.errors import InvalidParameter, UnknownEntity
from graph.exposure.filters import ancestors
from graph.namespaces import ID, SKG, iri_of, local_id, skg
from graph.projection import Projection, build_projection
from graph.projection_model import iri_pairs
from graph.store import Store
from graph.versioned import VersionCache

GRAPH_FORMATS = ("json", "graphml", "gexf", "cytoscape")

#: Display types, most specific first: a node gets the first of these it has.
NODE_TYPES = ("PublicSecurityBody", "GovernmentBody", "ResearchInstitute", "UnnamedEndUser",
              "Company", "Organisation", "SurveillanceProgramme", "Country", "Region", "City",
              "Place", "Product", "Technology", "RiskIndicator", "Source")

#: View relation of each engine role (graph.projection): the drawing's edge colours.
ROLE_KIND = {"supply": "supply", "via-in": "supply", "via-out": "supply",
             "programme": "supply-programme", "participation": "participation"}


def build_view(source: Projection | Store) -> nx.MultiDiGraph:  # type: ignore[type-arg]
    """The whole graph as a directed multigraph keyed by local ids (see module doc)."""
    proj = source if isinstance(source, Projection) else build_projection(source)
    store = proj.store
    proj.load_technologies()
    n_sources = Counter(c for c, _ in iri_pairs(store, skg("evidence")))
    g: nx.MultiDiGraph = nx.MultiDiGraph()  # type: ignore[type-arg]

    def claim_edge(a: str, b: str, rec: str, kind: str, role: str) -> None:
        claim = local_id(rec)
        g.add_edge(local_id(a), local_id(b), key=f"{claim}:{kind}", kind=kind, claim=claim,
                   role=role, **_claim_attrs(proj, rec, n_sources[rec]))

    for edges in proj.out.values():
        for e in edges:
            kind = ROLE_KIND.get(e.role, e.role)
            if kind == "supply" and proj.records[e.rec].link_kind != "supply":
                kind = proj.records[e.rec].link_kind  # e.g. market-presence (a listing)
            claim_edge(e.src, e.dst, e.rec, kind, e.role)
    for kind, triples in (("ownership", proj.ownerships), ("succession", proj.successions),
                          ("flag", proj.flags)):
        for a, b, rec in triples:
            if a != b:
                claim_edge(a, b, rec, kind, kind)
    for a, places in proj.located_in.items():
        for b in places:
            if a != b:
                g.add_edge(local_id(a), local_id(b), key=f"located:{local_id(b)}",
                           kind="location")
    for product, maker in sorted(iri_pairs(store, skg("maker"))):
        g.add_edge(local_id(maker), local_id(product), key=f"maker:{local_id(product)}",
                   kind="maker")
    _node_attrs(proj, g)
    return g


def _claim_attrs(proj: Projection, rec: str, sources: int) -> dict[str, str]:
    """Dates, status, confidence, technologies, products and source count of a claim."""
    r = proj.records.get(rec)
    if r is None:
        return {}
    attrs = {"start": r.start, "end": r.end, "date": r.date,
             "status": (r.status or "").removeprefix(SKG),
             "confidence": (r.confidence or "").removeprefix(SKG),
             "technology": " ".join(sorted(local_id(t) for t in r.technologies)),
             "product": " ".join(sorted(local_id(p) for p in r.products)),
             "sources": str(sources) if sources else None}
    return {k: v for k, v in attrs.items() if v}


def _node_attrs(proj: Projection, g: nx.MultiDiGraph) -> None:  # type: ignore[type-arg]
    """Label, display type and country of every node."""
    country_of = {local_id(a): local_id(b) for a, b in sorted(iri_pairs(proj.store,
                                                                      skg("country")))}
    for n, data in g.nodes(data=True):
        iri = iri_of(n)
        kinds = {t.removeprefix(SKG) for t in proj.all_types(iri)}
        data.update(label=proj.label(iri), iri=iri,
                    type=next((t for t in NODE_TYPES if t in kinds), "Other"))
        if n in country_of:
            data["country"] = country_of[n]
    countries = {n for n, d in g.nodes(data=True) if d.get("type") == "Country"}
    for n, data in g.nodes(data=True):
        if data["type"] == "Country":
            data["country"] = n
        elif "country" not in data:
            where = _country_of(g, n, countries)
            if where:
                data["country"] = where


def _country_of(g: nx.MultiDiGraph, n: str, countries: set[str]) -> str | None:  # type: ignore[type-arg]
    """The country a node is located in (following location edges)."""
    seen = {n}
    frontier = [n]
    while frontier:
        nxt = []
        for x in frontier:
            for _, y, kind in g.out_edges(x, data="kind"):  # type: ignore[var-annotated]
                if kind == "location" and y not in seen:
                    if y in countries:
                        return str(y)
                    seen.add(y)
                    nxt.append(y)
        frontier = nxt
    return None


def subgraph(view: nx.MultiDiGraph, focus: str | None = None, depth: int = 1,  # type: ignore[type-arg]
             max_nodes: int | None = None) -> tuple[nx.MultiDiGraph, int]:  # type: ignore[type-arg]
    """The neighbourhood of ``focus`` up to ``depth`` hops (either direction), or everything.

    Returns the subgraph and the number of nodes before ``max_nodes`` cut it (nodes nearest
    the focus are kept first).
    """
    if focus is None:
        nodes = list(view.nodes)
    else:
        if focus not in view:
            raise UnknownEntity(focus, [n for n in view.nodes if focus.lower() in n.lower()][:5])
        dist = nx.single_source_shortest_path_length(view.to_undirected(as_view=True), focus,
                                                     cutoff=depth)
        nodes = sorted(dist, key=lambda n: (dist[n], n))
    total = len(nodes)
    if max_nodes is not None and total > max_nodes:
        if focus is None:
            nodes = sorted(nodes, key=lambda n: (-view.degree(n), n))
        nodes = nodes[:max_nodes]
    return view.subgraph(nodes).copy(), total


def to_json(g: nx.MultiDiGraph, total: int | None = None) -> dict[str, Any]:  # type: ignore[type-arg]
    """Nodes and edges as plain JSON."""
    nodes = [{"id": n, "iri": d.get("iri", ""), "label": d.get("label", n),
              "type": d.get("type", "Other"),
              "attrs": {k: v for k, v in d.items() if k not in ("iri", "label", "type")}}
             for n, d in sorted(g.nodes(data=True))]
    edges = [{"source": a, "target": b, "kind": d.get("kind", ""), "claim": d.get("claim"),
              "attrs": {k: v for k, v in d.items() if k not in ("kind", "claim")}}
             for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1],
                                                                       str(e[2].get("claim"))))]
    n_total = total if total is not None else len(nodes)
    return {"nodes": nodes, "edges": edges, "truncated": n_total > len(nodes),
            "total_nodes": n_total}


def serialize(g: nx.MultiDiGraph, fmt: str, total: int | None = None) -> bytes:  # type: ignore[type-arg]
    """``g`` in one of :data:`GRAPH_FORMATS`."""
    if fmt == "json":
        return json.dumps(to_json(g, total), ensure_ascii=False).encode()
    if fmt == "cytoscape":
        return json.dumps(nx.cytoscape_data(g), ensure_ascii=False).encode()
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(g)).encode()
    if fmt == "gexf":
        buf = io.BytesIO()
        nx.write_gexf(g, buf)
        return buf.getvalue()
    raise InvalidParameter("format", f"unknown graph format {fmt!r}; use one of "
                           + ", ".join(GRAPH_FORMATS))


def local_or_iri(ident: str) -> str:
    """Normalise a full resource IRI to its local id (view nodes are keyed by local id)."""
    return local_id(ident) if ident.startswith(ID) else ident


class ViewCache(VersionCache[nx.MultiDiGraph]):  # type: ignore[type-arg]
    """:func:`build_view` once per store version, drawn from ``projections`` (the same
    projection the engine reads, so the view and the engine always agree)."""

    def __init__(self, store: Store, projections: VersionCache[Projection] | None = None
                 ) -> None:
        source = projections or VersionCache(store, build_projection)
        super().__init__(store, lambda _store: build_view(source.get()))


def technologies(view: nx.MultiDiGraph, proj: Projection  # type: ignore[type-arg]
                 ) -> dict[str, list[str]]:
    """The filter menus' technologies: every technology id a relation of ``view`` carries,
    and every broader one above it (the SKOS hierarchy, as the engine's filter reads it),
    each with the carried ids it covers (itself and narrower ones). Choosing "video
    surveillance" then keeps the network-camera supplies, as the exposure filter does."""
    carried: set[str] = set()
    for _, _, d in view.edges(data=True):
        carried.update(str(d.get("technology", "")).split())
    covers: dict[str, set[str]] = {}
    for tech in carried:
        for above in ancestors(proj, ID + tech):
            covers.setdefault(local_id(above), set()).add(tech)
    return {t: sorted(covers[t]) for t in sorted(covers)}
