"""The SPARQL editor page and the files it loads, all served by survkg itself.

CodeMirror 5 (npm ``codemirror``, with its SPARQL mode) is a dependency installed by
``make assets`` into ``api/assets/node_modules``, never committed; only the files listed
in :data:`ASSETS` are served. Without them the page still works as a plain textarea and
says so. The page has no inline script (the Content-Security-Policy forbids it): its data
(prefixes, examples) travel in a JSON data block that ``sparql.js`` reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from api.settings import Settings
from graph import formats
from graph.bundled import QUERIES_DIR
from graph.namespaces import ID, PREFIXES

API_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = API_DIR / "templates"
STATIC = API_DIR / "static"
DEFAULT_ASSETS = API_DIR / "assets" / "node_modules"

#: The only third-party files served under /assets/ (path under node_modules).
ASSETS: dict[str, str] = {
    "codemirror/lib/codemirror.js": "text/javascript",
    "codemirror/lib/codemirror.css": "text/css",
    "codemirror/mode/sparql/sparql.js": "text/javascript",
    "codemirror/addon/edit/matchbrackets.js": "text/javascript",
    # Swagger UI for /docs (the API reference), served here instead of FastAPI's CDN links.
    "swagger-ui-dist/swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-dist/swagger-ui.css": "text/css",
}
STATIC_FILES: dict[str, str] = {"sparql.js": "text/javascript", "sparql.css": "text/css"}

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                          autoescape=True, undefined=jinja2.StrictUndefined)


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    query: str


def examples(folder: Path | None = None) -> list[Example]:
    """The competency-question queries, read now (the folder may change while serving)."""
    out = []
    for path in sorted((folder or QUERIES_DIR).glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        title = first.lstrip("#").strip() if first.startswith("#") else ""
        if title.lower().startswith("title:"):
            title = title[6:].strip()
        out.append(Example(path.stem, title or path.stem, text))
    return out


def assets_dir(settings: Settings) -> Path:
    return settings.assets_dir or DEFAULT_ASSETS


def assets_installed(settings: Settings) -> bool:
    return all((assets_dir(settings) / name).is_file() for name in ASSETS
               if name.startswith("codemirror/"))


def render(settings: Settings, *, endpoint: str = "/sparql", query: str | None = None) -> str:
    """The editor; ``query`` (from a shared ``/sparql?query=`` link) is filled in and run."""
    config = {
        "run": query is not None,
        "endpoint": endpoint,
        "prefixes": PREFIXES,
        "idNamespace": ID,
        "entityPath": "/entity/",
        "examples": [e.__dict__ for e in examples()],
        "maxRows": settings.max_result_rows,
    }
    # No "<", ">" or "&" in the data block: nothing in it can end or re-open a tag.
    data = (json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026"))
    return _env.get_template("sparql.html").render(
        config_json=data, assets=assets_installed(settings), query=query,
        examples=examples(), prefixes=PREFIXES,
        result_formats=[f.name for f in formats.RESULTS],
        graph_formats=[f.name for f in formats.GRAPH_SYNTAXES])


def make_assets_router(settings: Settings) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/assets/{name:path}")
    def asset(name: str) -> FileResponse:
        path = assets_dir(settings) / name
        if name not in ASSETS or not path.is_file():
            raise HTTPException(404, "no such asset (run `make assets`?)")
        return FileResponse(path, media_type=ASSETS[name],
                            headers={"Cache-Control": "public, max-age=3600"})

    # One route per file, not a /static/ catch-all: other pages may mount /static too.
    for name, media in STATIC_FILES.items():
        router.add_api_route(f"/static/{name}", _static_file(name, media), methods=["GET"])
    return router


def _static_file(name: str, media: str) -> Callable[[], FileResponse]:
    def serve() -> FileResponse:
        return FileResponse(STATIC / name, media_type=media, headers={"Cache-Control": "no-cache"})
    return serve
