"""``/dossier/{id}`` (HTML with a print stylesheet), ``/dossier/{id}.pdf`` and the WARC
captures the dossiers and source pages link (``/archive/{file}``).

Thin: the document is :func:`api.dossier.render_html` of :func:`graph.dossier.build`, the
same ``survkg dossier`` writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.deps import FilterQuery, NamesDep, ProjectionDep, resolve_id
from api.dossier import CSS_URL, render_html
from graph import capture
from graph import dossier as core
from graph.errors import UnknownEntity
from graph.pdf import html_to_pdf
from graph.store import Store

WARC_NAME = re.compile(r"[0-9a-f]{64}\.warc\.gz")


def add_dossier_pages(router: APIRouter, store: Store,
                      not_found: Callable[[UnknownEntity], HTMLResponse]) -> None:
    @router.get("/archive/{name}")
    def archived(name: str) -> FileResponse:
        """A WARC capture made by ``survkg archive`` (served, never fetched here)."""
        base = capture.folder(store)
        if base is None or not WARC_NAME.fullmatch(name) or not (base / name).is_file():
            raise UnknownEntity(name)
        return FileResponse(base / name, media_type="application/warc",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @router.get("/dossier/{id:path}", response_model=None)
    def dossier(id: str, fp: FilterQuery, proj: ProjectionDep, names: NamesDep) -> Response:
        """The dossier; a trailing ``.pdf`` asks for it printed (headless Chromium)."""
        pdf = id.endswith(".pdf")
        ident = id[:-4] if pdf else id
        try:
            iri = resolve_id(store, names, ident)
        except UnknownEntity as exc:
            return not_found(exc)
        doc = core.build(store, proj, iri, fp.filters(core.MAX_PATHS))
        if not pdf:
            return HTMLResponse(render_html(doc, stylesheet_href=CSS_URL))
        name = ident.replace("/", "-") + ".pdf"
        return Response(html_to_pdf(render_html(doc)), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"'})
