"""GraphML and GEXF exports: the graph as Gephi (and yEd, Cytoscape desktop) sees it.

Built on the web pages' NetworkX view (:func:`graph.export_graph.build_view`), so Gephi
shows the same nodes and edges as the site: organisations, programmes, places, products
and risk indicators as nodes; supplies, ownerships, successions, participations, risk
flags, locations and makers as edges. Attributes are typed, because Gephi's layouts and
filters read them by type: every edge has a numeric ``weight`` (its claim's confidence
weight, from the ontology's ``skg:weight``; 1 for edges without a claim) and an integer
``source_count``; ``source_urls`` lists the http(s) URLs of its sources. Text attributes
and dates are written only where known: networkx writes ``start``/``end`` as GEXF time
spells, and an empty one would read as a broken date in Gephi's timeline.
"""

from __future__ import annotations

from typing import IO, Any

import networkx as nx
import pyoxigraph as ox

from graph.description_model import safe_url
from graph.export_graph import build_view
from graph.namespaces import SKG, local_id
from graph.store import Store

#: Node attributes (besides the id): what a Gephi user filters and colours by.
NODE_ATTRS = ("label", "type", "country", "iri")
#: Edge attributes: the relation and its evidence.
EDGE_ATTRS = ("relation", "claim", "confidence", "status", "date", "start", "end",
              "technology", "product", "sources", "source_count", "source_urls", "weight")


def _evidence(store: Store) -> dict[str, list[str]]:
    """Local ids of the sources of every claim, by the claim's local id."""
    out: dict[str, set[str]] = {}
    for q in store.quads(None, ox.NamedNode(SKG + "evidence"), None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            out.setdefault(local_id(q.subject.value), set()).add(local_id(q.object.value))
    return {c: sorted(s) for c, s in out.items()}


def _weights(store: Store) -> dict[str, float]:
    """Confidence level local name -> its weight."""
    out: dict[str, float] = {}
    for q in store.quads(None, ox.NamedNode(SKG + "weight"), None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
            try:
                out[local_id(q.subject.value)] = float(q.object.value)
            except ValueError:
                continue
    return out


def _urls(store: Store) -> dict[str, str]:
    """Source local id -> its URL, when it is an http(s) URL."""
    out: dict[str, str] = {}
    for q in store.quads(None, ox.NamedNode(SKG + "url"), None, None):
        url = safe_url(q.object.value) if isinstance(q.object, ox.Literal | ox.NamedNode) else None
        if url and isinstance(q.subject, ox.NamedNode):
            out[local_id(q.subject.value)] = url
    return out


def gephi_view(store: Store, view: nx.MultiDiGraph | None = None  # type: ignore[type-arg]
               ) -> nx.MultiDiGraph:  # type: ignore[type-arg]
    """``view`` (default: the whole display view) with typed attributes (see module doc)."""
    view = build_view(store) if view is None else view
    evidence = _evidence(store)
    weights = _weights(store)
    urls = _urls(store)
    g: nx.MultiDiGraph = nx.MultiDiGraph()  # type: ignore[type-arg]
    for n, data in sorted(view.nodes(data=True)):
        g.add_node(n, **{a: str(data[a]) for a in NODE_ATTRS if data.get(a)})
    for a, b, key, data in sorted(view.edges(keys=True, data=True),
                                  key=lambda e: (e[0], e[1], str(e[2]))):
        claim = str(data.get("claim") or "")
        sources = evidence.get(claim, [])
        confidence = str(data.get("confidence") or "")
        attrs: dict[str, Any] = {
            "relation": str(data.get("kind") or ""), "claim": claim,
            "sources": " ".join(sources), "source_count": len(sources),
            "source_urls": " ".join(sorted({urls[s] for s in sources if s in urls})),
            "weight": weights.get(confidence, 1.0)}
        for name in EDGE_ATTRS:
            attrs.setdefault(name, str(data.get(name) or ""))
        g.add_edge(a, b, key=str(key), **{k: v for k, v in attrs.items() if v != ""})
    return g


def write_graphml(store: Store, out: IO[bytes]) -> int:
    """The graph as GraphML; returns the number of edges written."""
    g = gephi_view(store)
    nx.write_graphml(g, out, encoding="utf-8", prettyprint=True)
    return int(g.number_of_edges())


def write_gexf(store: Store, out: IO[bytes]) -> int:
    """The graph as GEXF 1.2 (Gephi's own format); returns the number of edges written."""
    g = gephi_view(store)
    for _, _, key, data in g.edges(keys=True, data=True):
        data["id"] = key  # GEXF edge ids: the view's stable keys, not a counter
    nx.write_gexf(g, out, encoding="utf-8", prettyprint=True)
    return int(g.number_of_edges())
