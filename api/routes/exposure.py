"""Search, exposure, suppliers, paths, chokepoints, ranking and shortest path.

The exposure routes take the CLI's filters and return the engine's ``to_dict()``
unchanged: ``GET /api/exposure/{id}`` is the object ``survkg exposure --format json``
prints (``limit`` is the CLI's ``--max-paths``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Depends, Query

from api import graphviews
from api.models import (
    ChokepointsOut,
    ExposureOut,
    PathsOut,
    RankingOut,
    SearchPage,
    ShortestPath,
    SuppliersOut,
)
from api.settings import Settings
from graph import entities, export_graph
from graph.describe import close_matches, resource_exists
from graph.errors import UnknownEntity
from graph.exposure import (
    MAX_HOPS_LIMIT,
    Filters,
    chokepoints,
    exposure,
    paths_between,
    ranking,
    suppliers,
)
from graph.namespaces import rid
from graph.store import Store

MaxHops = Annotated[int, Query(ge=1, le=MAX_HOPS_LIMIT, description="Longest path, in hops")]
AsOf = Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                                   description="YYYY[-MM[-DD]]: leave out relations that "
                                               "started after it or ended before it")]
MinConf = Annotated[str | None, Query(max_length=100, description="A confidence level "
                                      "(e.g. ReportedByPress) or a weight between 0 and 1")]
Tech = Annotated[str | None, Query(max_length=300, description="A technology id, e.g. "
                                   "technology/facial-recognition; narrower ones match")]
Unverified = Annotated[bool, Query(description="Also follow unverified, alleged and disputed "
                                   "claims (they are marked)")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Paths to list (scores use all)")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Paths to skip")]
Ident = Annotated[str, Query(min_length=1, max_length=500, description="An entity id")]


@dataclass(frozen=True)
class FilterParams:
    """The CLI's filter options as query parameters, shared by every exposure route."""

    max_hops: int
    as_of: str | None
    min_confidence: str | None
    technology: str | None
    include_unverified: bool

    def filters(self, max_paths: int) -> Filters:
        return make_filters(self.max_hops, self.as_of, self.min_confidence, self.technology,
                            self.include_unverified, max_paths)


def filter_params(max_hops: MaxHops = 4, as_of: AsOf = None, min_confidence: MinConf = None,
                  technology: Tech = None, include_unverified: Unverified = False
                  ) -> FilterParams:
    return FilterParams(max_hops, as_of, min_confidence, technology, include_unverified)


FilterQuery = Annotated[FilterParams, Depends(filter_params)]


def make_filters(max_hops: int, as_of: str | None, min_confidence: str | None,
                 technology: str | None, include_unverified: bool, max_paths: int) -> Filters:
    """The CLI's filters (a numeric min_confidence is a weight, as in the CLI)."""
    mc: str | float | None = min_confidence or None
    if min_confidence:
        try:
            mc = float(min_confidence)
        except ValueError:
            mc = min_confidence
    return Filters(max_hops=max_hops, as_of=as_of or None, min_confidence=mc,
                   technology=technology or None, include_unverified=include_unverified,
                   max_paths=max_paths)


def known(store: Store, ident: str) -> str:
    """The IRI of id ``ident``, or :class:`UnknownEntity` with the closest matches."""
    iri = ident
    try:
        if not ident.startswith(("http://", "https://")):
            iri = rid(ident.strip("/")).value
        exists = resource_exists(store, iri)
    except ValueError:
        exists = False
    if not exists:
        cands = close_matches(store, ident)
        tail = ident.rsplit("/", 1)[-1]
        if tail:
            hits, _ = entities.search(store, tail, limit=5)
            cands += [h["id"] for h in hits if h["id"] not in cands]
        raise UnknownEntity(ident, cands[:8])
    return iri


def _page(result: dict[str, Any], offset: int) -> dict[str, Any]:
    if offset:
        result["paths"] = result.get("paths", [])[offset:]
    result["offset"] = offset
    return result


def add_exposure_routes(router: APIRouter, store: Store, settings: Settings) -> None:
    projections = graphviews.projection_cache(store)
    views = graphviews.view_cache(store)

    @router.get("/search", response_model=SearchPage, summary="Search entities by name")
    def search(q: Annotated[str, Query(max_length=200, description="Text in a label, alias, "
                                       "Chinese name or id")] = "",
               type: Annotated[str | None, Query(max_length=200, description="Class local "
                                                 "name, e.g. Organisation")] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 20,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> SearchPage:
        """Labels, aliases and Chinese names containing ``q`` (case-insensitive), best first;
        when fewer than three contain it, ``suggestions`` lists close names ("Cannon" ->
        Canon) with their types."""
        rows, total = entities.search(store, q, type=type or None, limit=limit, offset=offset)
        close = entities.suggest(store, q) if total < 3 and not offset else []
        return SearchPage.model_validate({"results": rows, "total": total, "limit": limit,
                                          "offset": offset, "suggestions": close})

    @router.get("/exposure/{id:path}", response_model=ExposureOut,
                summary="Exposure paths from an organisation's group to risk targets")
    def exposure_route(id: str, fp: FilterQuery, limit: Limit = 50,
                       offset: Offset = 0) -> dict[str, Any]:
        """The same JSON object as ``survkg exposure ID --format json`` (with ``limit`` as
        ``--max-paths``); every hop carries its relation, dates, sources, confidence and
        any company response; ``score_terms`` shows the score's every term."""
        iri = known(store, id)
        f = fp.filters(limit + offset)
        return _page(exposure(projections.get(), iri, f).to_dict(), offset)

    @router.get("/suppliers/{id:path}", response_model=SuppliersOut,
                summary="Which suppliers feed an end user or programme")
    def suppliers_route(id: str, fp: FilterQuery, limit: Limit = 50,
                        offset: Offset = 0) -> dict[str, Any]:
        iri = known(store, id)
        f = fp.filters(limit + offset)
        return _page(suppliers(projections.get(), iri, f).to_dict(), offset)

    @router.get("/paths", response_model=PathsOut,
                summary="Supply and participation paths between two entities")
    def paths_route(source: Ident, target: Ident, fp: FilterQuery, limit: Limit = 50,
                    offset: Offset = 0) -> dict[str, Any]:
        a, b = known(store, source), known(store, target)
        f = fp.filters(limit + offset)
        return _page(paths_between(projections.get(), a, b, f).to_dict(), offset)

    @router.get("/chokepoints", response_model=ChokepointsOut,
                summary="Where exposure concentrates, and the minimum cut")
    def chokepoints_route(fp: FilterQuery,
                          exporter: Annotated[list[str] | None, Query(
                              max_length=50, description="Exporter ids (repeatable); "
                              "default every supplier")] = None,
                          top: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
        chosen = [known(store, e) for e in exporter] if exporter else None
        f = fp.filters(50)
        return chokepoints(projections.get(), f, exporters=chosen, top=top).to_dict()

    @router.get("/ranking", response_model=RankingOut,
                summary="Organisations ranked by exposure score")
    def ranking_route(fp: FilterQuery,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                      offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> dict[str, Any]:
        f = fp.filters(0)
        out = ranking(projections.get(), f).to_dict()
        out["total"] = len(out["entries"])
        out["entries"] = out["entries"][offset: offset + limit]
        return out

    @router.get("/shortest-path", response_model=ShortestPath,
                summary="Shortest path between two nodes of the graph view (any relation)")
    def shortest_path(source: Ident, target: Ident) -> dict[str, Any]:
        """Ignoring direction, over every relation the explorer draws (location included);
        returns the node ids, the vis edge ids on the path and the path as a vis view."""
        view = views.get()
        a, b = export_graph.local_or_iri(source), export_graph.local_or_iri(target)
        for x, raw in ((a, source), (b, target)):
            if x not in view:
                known(store, raw)  # unknown: 404 with candidates
                raise UnknownEntity(raw, [])
        try:
            nodes = nx.shortest_path(view.to_undirected(as_view=True), a, b)
        except nx.NetworkXNoPath:
            nodes = []
        edges: list[str] = []
        for x, y in itertools.pairwise(nodes):
            for s, t in ((x, y), (y, x)):
                keys = sorted(str(k) for k in view.get_edge_data(s, t, default={}))
                if keys:
                    edges.append(f"{s}|{t}|{keys[0]}")
                    break
        sub = view.subgraph(nodes).copy()
        return {"source": a, "target": b, "found": bool(nodes), "nodes": nodes,
                "labels": [str(view.nodes[n].get("label", n)) for n in nodes], "edges": edges,
                "view": graphviews.vis_data(sub)}
