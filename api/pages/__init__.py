"""The investigator's browser: server-rendered pages over the same core functions as the API.

Templates are Jinja with autoescape on, so any text from the data is shown as text. Pages
carry no inline script: every behaviour lives in ``/static/*.js``, which reads its
parameters from ``data-`` attributes and fetches JSON from ``/api``. vis-network is the
copy that the pyvis package ships (``pyvis/templates/lib/vis-9.1.2``), served from
survkg's own ``/static/vis/``; nothing is loaded from another host.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pyvis
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api import graphviews
from api.deps import NamesDep, ProjectionDep, ViewDep
from api.pages import entity as entity_page
from api.pages import ontology as ontology_page
from api.pages import screen as screen_page
from api.pages.changes import add_changes_page
from api.pages.dossier import add_dossier_pages
from api.pages.exposure import add_exposure_pages
from api.pages.home import home_data
from api.pages.screen import add_screen_pages
from api.settings import Settings
from graph import export_graph
from graph.capture import captures_of
from graph.changes import last_changed
from graph.describe import describe, safe_url
from graph.errors import UnknownEntity
from graph.store import Store

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
VIS_FILES = {"vis-network.min.js": "text/javascript", "vis-network.css": "text/css"}
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png",
                ".svg": "image/svg+xml", ".ico": "image/x-icon", ".json": "application/json"}


#: Above this many nodes the explorer opens on the aggregated overview.
OVERVIEW_NODES = 1000


def entity_url(ident: str) -> str:
    return "/entity/" + quote(ident, safe="/")


def exposure_url(ident: str) -> str:
    return "/exposure/" + quote(ident, safe="/")


def make_env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html"], default=True))
    env.globals.update(entity_url=entity_url, exposure_url=exposure_url, safe_url=safe_url,
                       legend=graphviews.legend())
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.filters["groupby_kind"] = _groupby_kind
    env.filters["local"] = lambda iri: str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return env


def _groupby_kind(claims: list[Any]) -> list[dict[str, Any]]:
    """Consecutive claims of one kind, in the order describe() sorted them."""
    groups: list[dict[str, Any]] = []
    for c in claims:
        if not groups or groups[-1]["kind"] != c.kind:
            groups.append({"kind": c.kind, "label": c.kind_label, "claims": []})
        groups[-1]["claims"].append(c)
    return groups


def make_renderer() -> Callable[..., HTMLResponse]:
    env = make_env()

    def render(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**ctx), status_code=status)
    return render


def make_form_router(store: Store) -> APIRouter:
    """Pages that take a form by POST (in the schema, as every POST is)."""
    return screen_page.make_form_router(store, make_renderer())


def make_router(store: Store, settings: Settings) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    render = make_renderer()

    def not_found(exc: UnknownEntity) -> HTMLResponse:
        return render("not_found.html", status=404, query=exc.query,
                      candidates=list(exc.candidates), title="Not found")

    @router.get("/", response_class=HTMLResponse)
    def home(proj: ProjectionDep) -> HTMLResponse:
        entries = graphviews.default_ranking(store, proj)
        data = graphviews.memo(store, "home", lambda: home_data(store))
        return render("home.html", title="survkg", ranking=entries[:15],
                      ranking_note="up to 4 hops", **data)

    entity_pages = graphviews.PageCache(store)

    @router.get("/entity/{id:path}", response_class=HTMLResponse)
    def entity(id: str, names: NamesDep, view: ViewDep, proj: ProjectionDep,
               kind: Annotated[str | None, Query(max_length=60, pattern="^[A-Za-z]+$")] = None,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> HTMLResponse:
        return entity_pages.html((id, kind, offset), lambda: entity_page_of(
            id, names, view, proj, kind, offset))

    def entity_page_of(id: str, names: Any, view: Any, proj: Any, kind: str | None,
                       offset: int) -> HTMLResponse:
        try:
            desc = (describe(store, id, names, kind=kind, offset=offset,
                             limit=entity_page.PAGE, links_limit=200) if kind else
                    describe(store, id, names, per_kind=entity_page.PER_KIND, links_limit=200))
        except UnknownEntity as exc:
            return not_found(exc)
        in_view = desc.id in view
        return render("entity.html", title=desc.label, e=desc, is_org=entity_page.is_org(desc),
                      in_view=in_view, kind=kind, offset=offset, page=entity_page.PAGE,
                      per_kind=entity_page.PER_KIND, s=entity_page.summary(store, proj, desc),
                      captures=captures_of(store, desc.iri),
                      changed=last_changed(store, desc.iri))

    @router.get("/explore", response_class=HTMLResponse)
    def explore(view: ViewDep, proj: ProjectionDep, focus: str | None = None, depth: int = 2,
                overview: bool = False) -> HTMLResponse:
        """The explorer; a graph bigger than a browser draws fluidly opens on an overview
        (``overview=true`` asks for it at any size)."""
        techs = export_graph.technologies(view, proj)
        countries = sorted({(d.get("country"), view.nodes[d["country"]].get("label", ""))
                            for _, d in view.nodes(data=True)
                            if d.get("country") and d.get("country") in view},
                           key=lambda x: str(x[1]))
        big = view.number_of_nodes() > OVERVIEW_NODES
        return render("explore.html", title="Explore the graph", focus=focus or "",
                      depth=max(0, min(depth, 6)), technologies=techs, countries=countries,
                      overview=big or overview, edge_colours=graphviews.EDGE_STYLE)

    @router.get("/ontology", response_class=HTMLResponse)
    def ontology(request: Request) -> Response:
        """The vocabulary as a page; RDF clients asking for Turtle etc. get the ontology."""
        fmt = ontology_page.negotiate(request.headers.get("accept", ""))
        if fmt is not None:
            body, media = ontology_page.serialize(store, fmt)
            return Response(body, media_type=media, headers={"Vary": "Accept"})
        return render("ontology.html", title="Ontology", **ontology_page.vocabulary(store))

    @router.get("/static/vis/{name}")
    def vis_asset(name: str) -> FileResponse:
        if name not in VIS_FILES:
            raise UnknownEntity(name)
        return FileResponse(VIS_DIR / name, media_type=VIS_FILES[name],
                            headers={"Cache-Control": "public, max-age=86400"})

    @router.get("/static/{name}")
    def static(name: str) -> FileResponse:
        path = (STATIC / name).resolve()
        if path.parent != STATIC or not path.is_file() or path.suffix not in STATIC_TYPES:
            raise UnknownEntity(name)
        return FileResponse(path, media_type=STATIC_TYPES[path.suffix],
                            headers={"Cache-Control": "public, max-age=300"})

    add_exposure_pages(router, store, settings, render, not_found)
    add_dossier_pages(router, store, not_found)
    add_screen_pages(router, store, render)
    add_changes_page(router, store, render)
    return router

