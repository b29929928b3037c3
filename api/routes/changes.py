"""``GET /api/changes`` and the Atom feeds ``/changes.atom`` (all, per entity, watchlist).

Read-only, like every ``GET``: the events and their exposure effect come from
:mod:`graph.changes`; the feed from :mod:`graph.changes_feed`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from graph.changes import changes
from graph.changes_feed import to_atom
from graph.namespaces import rid
from graph.store import Store

Since = Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2}([T ][\d:.]+Z?)?)?)?$",
                                    description="ISO date or time")]
EntityId = Annotated[str | None, Query(max_length=500, description="An organisation id")]


def _iri(entity: str | None) -> str | None:
    """The IRI of an id; not checked against the store: a retraction may have removed
    the organisation, and its feed must still say so."""
    if not entity:
        return None
    return entity if entity.startswith(("http://", "https://")) else rid(entity.strip("/")).value


def make_router(store: Store) -> APIRouter:
    router = APIRouter()

    @router.get("/api/changes", tags=["graph"],
                summary="Imports and retractions with the exposure they changed")
    async def changes_route(since: Since = None, entity: EntityId = None) -> Any:
        """Newest first; each event lists the organisations whose exposure score it
        changed, with the score before and after and the paths gained and lost."""
        iri = _iri(entity)
        found = await run_in_threadpool(changes, store, since, iri)
        return [c.to_dict() for c in found]

    @router.get("/changes.atom", include_in_schema=False)
    async def feed(request: Request, since: Since = None, entity: EntityId = None
                   ) -> Response:
        iri = _iri(entity)
        found = await run_in_threadpool(changes, store, since, iri)
        path = "/changes.atom" + (f"?entity={entity}" if entity else "")
        title = "survkg: what changed" + (f" for {entity}" if entity else "")
        body = to_atom(found, base_url=str(request.base_url), title=title, feed_path=path)
        return Response(body, media_type="application/atom+xml")

    return router
