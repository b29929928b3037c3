"""The investigator's browser: server-rendered pages over the same core functions as the API.

Templates are Jinja with autoescape on, so any text from the data is shown as text. Pages
carry no inline script: every behaviour lives in ``/static/*.js``, which reads its
parameters from ``data-`` attributes and fetches JSON from ``/api``. vis-network is the
copy that the pyvis package ships (``pyvis/templates/lib/vis-9.1.2``), served from
survkg's own ``/static/vis/``; nothing is loaded from another host.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyvis
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api import graphviews
from api.deps import NamesDep, ProjectionDep, ViewDep
from api.pages import ontology as ontology_page
from api.pages.exposure import add_exposure_pages
from api.pages.home import home_data
from api.settings import Settings
from graph import export_graph
from graph.describe import describe, safe_url
from graph.errors import UnknownEntity
from graph.exposure import ranking
from graph.store import Store

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
VIS_FILES = {"vis-network.min.js": "text/javascript", "vis-network.css": "text/css"}
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png",
                ".svg": "image/svg+xml", ".ico": "image/x-icon", ".json": "application/json"}


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
    env.filters["local"] = lambda iri: str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return env


def make_router(store: Store, settings: Settings) -> APIRouter:
    env = make_env()
    router = APIRouter(include_in_schema=False)

    def render(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**ctx), status_code=status)

    def not_found(exc: UnknownEntity) -> HTMLResponse:
        return render("not_found.html", status=404, query=exc.query,
                      candidates=list(exc.candidates), title="Not found")

    @router.get("/", response_class=HTMLResponse)
    def home(proj: ProjectionDep) -> HTMLResponse:
        entries = ranking(proj).to_dict()["entries"]
        return render("home.html", title="survkg", ranking=entries[:15],
                      ranking_note="up to 4 hops", **home_data(store))

    @router.get("/entity/{id:path}", response_class=HTMLResponse)
    def entity(id: str, names: NamesDep, view: ViewDep) -> HTMLResponse:
        try:
            desc = describe(store, id, names)
        except UnknownEntity as exc:
            return not_found(exc)
        is_org = any(t.iri.endswith(("Company", "Organisation", "PublicSecurityBody",
                                     "GovernmentBody", "ResearchInstitute", "UnnamedEndUser"))
                     for t in desc.types)
        in_view = desc.id in view
        return render("entity.html", title=desc.label, e=desc, is_org=is_org, in_view=in_view)

    @router.get("/explore", response_class=HTMLResponse)
    def explore(view: ViewDep, focus: str | None = None, depth: int = 2) -> HTMLResponse:
        techs = export_graph.technologies(view)
        countries = sorted({(d.get("country"), view.nodes[d["country"]].get("label", ""))
                            for _, d in view.nodes(data=True)
                            if d.get("country") and d.get("country") in view},
                           key=lambda x: str(x[1]))
        nodes = sorted(((n, str(d.get("label", n))) for n, d in view.nodes(data=True)),
                       key=lambda x: x[1].lower())
        return render("explore.html", title="Explore the graph", focus=focus or "",
                      depth=max(0, min(depth, 6)), technologies=techs, countries=countries,
                      all_nodes=nodes, edge_colours=graphviews.EDGE_STYLE)

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
    return router

