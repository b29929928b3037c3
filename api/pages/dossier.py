"""``/dossier/{id}`` (HTML with a print stylesheet) and ``/dossier/{id}.pdf``.

Thin: the document is :mod:`graph.dossier`'s (the same the CLI writes); the page links
its stylesheet instead of inlining it because the server's CSP forbids inline styles,
while the PDF is printed from the self-contained form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse, Response

from api import graphviews
from api.routes.exposure import known, make_filters
from graph import capture
from graph import dossier as core
from graph.errors import UnknownEntity
from graph.exposure import MAX_HOPS_LIMIT
from graph.pdf import html_to_pdf
from graph.store import Store

CSS_URL = "/dossier.css"
WARC_NAME = re.compile(r"[0-9a-f]{64}\.warc\.gz")


def add_dossier_pages(router: APIRouter, store: Store,
                      not_found: Callable[[UnknownEntity], HTMLResponse]) -> None:
    projections = graphviews.projection_cache(store)

    @router.get("/archive/{name}")
    def archived(name: str) -> FileResponse:
        """A WARC capture made by ``survkg archive`` (served, never fetched here)."""
        base = capture.folder(store)
        if base is None or not WARC_NAME.fullmatch(name) or not (base / name).is_file():
            raise UnknownEntity(name)
        return FileResponse(base / name, media_type="application/warc",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @router.get(CSS_URL)
    def dossier_css() -> FileResponse:
        return FileResponse(core.STYLESHEET, media_type="text/css",
                            headers={"Cache-Control": "public, max-age=300"})

    @router.get("/dossier/{id:path}", response_model=None)
    def dossier(id: str,
                max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS_LIMIT)] = 4,
                as_of: Annotated[str, Query(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")] = "",
                min_confidence: Annotated[str, Query(max_length=100)] = "",
                include_unverified: bool = False) -> Response:
        """The dossier; a trailing ``.pdf`` asks for it printed (headless Chromium)."""
        pdf = id.endswith(".pdf")
        ident = id[:-4] if pdf else id
        try:
            iri = known(store, ident)
        except UnknownEntity as exc:
            return not_found(exc)
        f = make_filters(max_hops, as_of, min_confidence, None, include_unverified,
                         core.MAX_PATHS)
        doc = core.build(store, projections.get(), iri, f)
        if not pdf:
            return HTMLResponse(core.render_html(doc, stylesheet_href=CSS_URL))
        name = ident.replace("/", "-") + ".pdf"
        return Response(html_to_pdf(core.render_html(doc)), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"'})
