"""The JSON API under ``/api``: thin routes over the same core functions as the CLI.

Each route parses typed parameters, makes one call into ``graph``, and returns a pydantic
model (or the core result's ``to_dict()``). Errors are the core's typed errors; the one
table in ``api/errors.py`` maps them to status codes. Ids are the local names at the end
of resource IRIs (``org/axis-communications``), hence the ``{id:path}`` parameters.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from api import graphviews
from api.deps import NamesDep, ViewDep, resolve_id
from api.models import ErrorBody, GraphJson
from api.routes.exposure import add_exposure_routes
from api.routes.screen import add_screen_routes
from api.routes.writes import add_write_routes
from api.settings import Settings
from graph import export_graph, formats, overview
from graph.describe import describe
from graph.description_model import Description
from graph.errors import InvalidParameter
from graph.interchange.exports import EXPORTERS
from graph.interchange.gephi import gephi_view
from graph.namespaces import ID, iri_of
from graph.store import Store

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown id; `candidates` lists close matches"},
    422: {"description": "A bad parameter; the body names the field"},
}

#: RDF formats of a subgraph around a focus (the whole graph goes through EXPORTERS).
RDF_DUMPS: dict[str, tuple[ox.RdfFormat, str]] = {
    f.name: (f.rdf, f.content_type) for f in formats.RDF if f.rdf is not None}
GRAPH_MEDIA = {"json": "application/json", "cytoscape": "application/json",
               "graphml": formats.GRAPHML.content_type, "gexf": formats.GEXF.content_type}

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
Depth = Annotated[int, Query(ge=0, le=6, description="Hops around the focus")]
MaxNodes = Annotated[int, Query(ge=1, le=20_000, description="Cap on returned nodes")]


def _page(items: list[Any], limit: int, offset: int) -> list[Any]:
    return items[offset: offset + limit]


def make_router(store: Store, settings: Settings) -> APIRouter:
    router = APIRouter(tags=["graph"], responses=ERRORS)

    def focus_id(names: NamesDep, focus: str | None) -> str | None:
        """The view node an id, IRI or exact name stands for."""
        return export_graph.local_or_iri(resolve_id(store, names, focus)) if focus else None

    @router.get("/entities/{id:path}", response_model=Description,
                summary="Describe an entity")
    def entity(id: str, names: NamesDep, limit: Annotated[int, Query(ge=1, le=5000)] = 500,
               offset: Offset = 0,
               kind: Annotated[str | None, Query(max_length=100, pattern="^[A-Za-z]+$",
                                                 description="Only claims of this kind "
                                                             "(Supply, Ownership...)")] = None
               ) -> Description:
        """Labels, aliases, types, properties, every relation in and out (claims with their
        sources, confidence, status and company responses). ``limit``/``offset`` page the
        claims (``kind`` keeps one kind; only the page is built) and the incoming links;
        ``claims_total``, ``links_in_total`` and ``cited_by_total`` count them,
        ``claim_kinds`` counts the claims of every kind. ``id`` may also be an exact name."""
        desc = describe(store, id, names, limit=limit, offset=offset, kind=kind,
                        links_limit=offset + limit)
        return dataclasses.replace(desc, links_in=_page(desc.links_in, limit, offset))

    @router.get("/graph", summary="The graph or a subgraph, in a graph or RDF format",
                response_model=GraphJson,
                responses={200: {"content": {m: {} for m in
                                             {*GRAPH_MEDIA.values(),
                                              *(x.media_type for x in EXPORTERS.values())}}}})
    def graph(format: Annotated[str, Query(
                  pattern="^(json|cytoscape|" + "|".join(sorted(EXPORTERS)) + ")$",
                  description="json, cytoscape, graphml, gexf, csv (supplies with their "
                              "evidence), ftm (FollowTheMoney JSON lines), or an RDF dump: "
                              "turtle, nquads, trig, ntriples, rdfxml, jsonld")] = "json",
              focus: Annotated[str | None, Query(max_length=500,
                                                 description="Entity id or exact name to "
                                                             "centre on")] = None,
              depth: Depth = 1, max_nodes: MaxNodes = 5000, *, names: NamesDep,
              view: ViewDep) -> Response:
        """A subgraph around ``focus`` (``depth`` hops) or everything (``max_nodes`` cap, the
        best-connected nodes first; ``truncated`` says so). RDF formats dump the triples of
        the subgraph's entities and claims, or the whole store when there is no focus."""
        focus = focus_id(names, focus)
        if focus is None and format in EXPORTERS:
            exporter = EXPORTERS[format]
            buffer = io.BytesIO()
            exporter.writer(store, buffer)
            name = f"survkg.{exporter.extension}"
            return Response(buffer.getvalue(), media_type=exporter.media_type,
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
        if format in RDF_DUMPS:
            fmt, media = RDF_DUMPS[format]
            sub, _ = export_graph.subgraph(view, focus, depth, max_nodes)
            return Response(_dump_subgraph(store, sub, fmt), media_type=media)
        if format not in ("json", "cytoscape", "graphml", "gexf"):
            raise InvalidParameter("format", f"{format} exports the whole graph; "
                                   "leave out focus")
        sub, total = export_graph.subgraph(view, focus, depth, max_nodes)
        if format == "json":
            return JSONResponse(export_graph.to_json(sub, total))
        headers = {}
        if format in ("graphml", "gexf"):
            headers["Content-Disposition"] = f'attachment; filename="survkg.{format}"'
        if format in ("graphml", "gexf"):  # typed weights, source URLs, dates where known
            sub = gephi_view(store, sub)
        return Response(export_graph.serialize(sub, format, total), media_type=GRAPH_MEDIA[format],
                        headers=headers)

    @router.get("/view", summary="A subgraph as vis-network nodes and edges (built by pyvis)")
    def view(names: NamesDep, graph_view: ViewDep,
                   focus: Annotated[str | None, Query(max_length=500)] = None,
                   depth: Depth = 1, max_nodes: Annotated[int, Query(ge=1, le=5000)] = 1500
                   ) -> dict[str, Any]:
        """What the pages draw: node and edge options for vis-network, with each edge's
        claim, dates, status and technologies so that the page can filter and replay it."""
        focus = focus_id(names, focus)
        sub, total = export_graph.subgraph(graph_view, focus, depth, max_nodes)
        return graphviews.vis_data(sub, total=total, focus=focus)

    member_views = graphviews.PageCache(store, size=64)

    @router.get("/overview", summary="The graph folded into groups, with counts and positions")
    def overview_route(graph_view: ViewDep,
                       by: Annotated[str, Query(pattern="^(country|type|country-type)$",
                                                description="Group nodes by country, display "
                                                            "type, or both")] = "country"
                       ) -> dict[str, Any]:
        """Groups (label, node count, main type, x/y computed on the server) and the number
        of relations between groups, by kind: what the explorer draws at any size."""
        return dict(graphviews.memo(store, "overview:" + by,
                                    lambda: overview.overview(graph_view, by)))

    @router.get("/overview/members", summary="The best-connected members of one group")
    def overview_members(graph_view: ViewDep, key: Annotated[str, Query(max_length=500)],
                         by: Annotated[str, Query(pattern="^(country|type|country-type)$")]
                         = "country",
                         max_nodes: Annotated[int, Query(ge=1, le=500)] = 150
                         ) -> dict[str, Any]:
        """A drill-down from the overview: vis-network data like ``/api/view``, with x/y
        for every node (the page draws them without a layout of its own)."""
        def make() -> dict[str, Any]:
            sub, total = overview.members(graph_view, by, key, max_nodes)
            data = graphviews.vis_data(sub, total=total)
            where = overview.positions(sub)
            for node in data["nodes"]:  # positions from the server: no layout in the page
                node["x"], node["y"] = where.get(str(node["id"]), (0.0, 0.0))
            return data
        got: dict[str, Any] = member_views.get((by, key, max_nodes), make)
        return got

    add_exposure_routes(router, store, settings)
    add_screen_routes(router, store, settings)
    add_write_routes(router, store, settings)
    return router


def _dump_subgraph(store: Store, sub: Any, fmt: ox.RdfFormat) -> bytes:
    """The triples whose subject is a node or a claim of ``sub`` (graph names kept)."""
    subjects = set(sub.nodes) | {d.get("claim") for _, _, d in sub.edges(data=True)}
    quads: list[ox.Quad] = []
    for s in sorted(x for x in subjects if x):
        iri = iri_of(s)
        quads.extend(store.quads(ox.NamedNode(iri), None, None, None))
    if not fmt.supports_datasets:
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
        return ox.serialize(triples, None, format=fmt, prefixes={"id": ID}) or b""
    return ox.serialize(quads, None, format=fmt, prefixes={"id": ID}) or b""

