"""The /sparql endpoint: the W3C SPARQL 1.1 Protocol over the store, safe by default.

Each request goes through small steps: read the protocol request (``protocol``), check
the text without running it (``inspect``: limits, SERVICE/LOAD, local FROM only), pick a
format (``media``), run it in a killable worker process (``pool``) and send the bytes
the worker serialised. Updates (``updates``) are off unless an operator turns them on.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api import auth
from api.settings import Settings
from api.sparql import description, editor, media, protocol, updates
from api.sparql.inspect import add_using, check_local_graphs, inspect
from api.sparql.pool import REMOTE_UPDATES, Busy, WorkerPool
from api.sparql.worker import Task
from graph.audit import AuditLog
from graph.errors import QueryError, QueryRefused, QueryTimeout, SurvkgError
from graph.formats import by_name as rdf_format
from graph.store import Store
from graph.updates import run_audited as audited_update

TRUNCATED_HEADER = "X-SPARQL-Results-Truncated"


def _error(status: int, exc: BaseException | str, headers: dict[str, str] | None = None
           ) -> JSONResponse:
    name = type(exc).__name__ if isinstance(exc, BaseException) else "Error"
    return JSONResponse({"error": name, "detail": str(exc)}, status_code=status,
                        headers=headers)


#: Why /sparql does not forward public queries to a remote store by default.
REMOTE_QUERIES = (
    "this endpoint serves a remote SPARQL store, and survkg can stop its own wait for a "
    "query but not the store's work on it: public queries are forwarded only once the "
    "operator confirms that the store enforces its own query time limit "
    "(SURVKG_REMOTE_STORE_BOUNDS_QUERIES=1; see docs/remote-store.md)")


class RemoteQueriesOff(SurvkgError):
    """Public queries over a remote store that does not bound its own query time (403)."""


class SparqlEndpoint:
    """The endpoint's state: the store, the settings and the worker pool (the audit log and
    the tokens are the app's: ``request.app.state``)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.pool = WorkerPool(store, size=settings.max_concurrent_queries,
                               timeout=settings.query_timeout,
                               isolate=settings.worker_network_isolation,
                               memory_mb=settings.worker_memory_mb,
                               per_client=settings.max_queries_per_client)
        self._update_lock = asyncio.Lock()

    def _base(self, request: Request) -> str:
        return str(request.base_url) + "sparql"

    async def handle(self, request: Request) -> Response:
        try:
            op = await protocol.read(request)
        except protocol.UnsupportedMedia as exc:
            return _error(415, exc)
        except protocol.WrongMethod as exc:
            return _error(405, exc, {"Allow": "POST"})
        if op.kind == "update":
            return await self.update(request, op)
        accept = request.headers.get("accept")
        if op.kind == "query" and request.method == "GET" and media.wants_html(accept):
            # A shared link (/sparql?query=...) opened in a browser: the editor, filled in.
            return HTMLResponse(editor.render(self.settings, query=op.text))
        if op.kind == "query":
            response = await self.query(request, op)
            response.headers.update(CORS)  # read-only results may be read from any origin
            return response
        if request.method == "GET" and media.wants_html(accept):
            return HTMLResponse(editor.render(self.settings))
        return self.describe(request, accept, op.formats)

    def describe(self, request: Request, accept: str | None, formats: list[str]) -> Response:
        name = media.negotiate(None, accept, formats) or "turtle"
        triples = description.service_description(self.store, self.settings,
                                                  self._base(request))
        return Response(description.serialize(triples, rdf_format(name)),
                        media_type=media.CANONICAL[name], headers={"Vary": "Accept"})

    async def query(self, request: Request, op: protocol.Operation) -> Response:
        s = self.settings
        if self.pool.remote and not s.remote_store_bounds_queries:
            return _error(403, RemoteQueriesOff(REMOTE_QUERIES))
        found = inspect(op.text, update=False, base=self._base(request),
                        max_length=s.max_query_length, max_depth=s.max_query_depth)
        fmt = media.negotiate(found.form, request.headers.get("accept"), op.formats)
        if fmt is None:
            return _error(406, f"no acceptable format for a {found.form} result; offer one of "
                          + ", ".join(media.RESULTS if found.form in ("SELECT", "ASK")
                                      else media.GRAPHS))
        task = Task(op.text, self._base(request), fmt, s.max_result_rows)
        for iri in op.default_graphs + op.named_graphs + found.from_graphs + found.from_named:
            if iri.lower().startswith("file:"):  # refused even where it would be ignored
                raise QueryRefused(f"<{iri}>: file IRIs are refused")
        if op.has_dataset:  # the protocol's dataset replaces the query's FROM clauses
            task = Task(op.text, task.base, fmt, s.max_result_rows,
                        default_graph=op.default_graphs, named_graphs=op.named_graphs)
        elif found.from_graphs or found.from_named:
            # A remote store's graphs take a request: not on the event loop.
            local = {g.value for g in await asyncio.to_thread(self.store.named_graphs)}
            check_local_graphs(found.from_graphs, local, "FROM")
            check_local_graphs(found.from_named, local, "FROM NAMED")
            task = Task(op.text, task.base, fmt, s.max_result_rows, from_query=True)
        try:
            result = await self.pool.run(task, request.client.host if request.client
                                         else None)
        except Busy as exc:
            retry = str(max(1, math.ceil(s.query_timeout)))
            return _error(503, exc, {"Retry-After": retry})
        headers = {"Vary": "Accept", "X-Query-Seconds": f"{result.seconds:.4f}"}
        if result.truncated:
            headers[TRUNCATED_HEADER] = f"true; limit={s.max_result_rows}"
        if op.download:
            name = f"results.{media.EXTENSIONS[fmt]}"
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(result.body, media_type=media.CANONICAL[fmt], headers=headers)

    async def update(self, request: Request, op: protocol.Operation) -> Response:
        audit: AuditLog = request.app.state.audit
        entry: dict[str, Any] = {
            "operation": updates.OPERATION, "bytes": len(op.text.encode("utf-8", "replace")),
            "client": request.client.host if request.client else None, "update": op.text,
            "using": op.default_graphs, "using_named": op.named_graphs}
        if not self.settings.updates_enabled:
            exc = updates.UpdateForbidden(
                "SPARQL Update is disabled on this endpoint (read-only)")
            await audit.arecord(actor="unchecked", outcome="refused: 403 updates disabled",
                                **entry)
            return _error(403, exc)
        if self.pool.remote:
            await audit.arecord(actor="unchecked", outcome="refused: 403 remote store",
                                **entry)
            return _error(403, updates.UpdateForbidden(REMOTE_UPDATES))
        secret = auth.secret_from(request.headers.get("authorization"))
        # An unauthenticated caller gets only the start of its text into the log.
        who = await asyncio.to_thread(auth.check, request, secret,
                                      **{**entry, "update": op.text[:1000]})
        started = time.perf_counter()
        try:
            text = self._prepare_update(request, op)
            await self.pool.check_update(text)  # parsed, then rehearsed under the limit
        except (QueryError, QueryTimeout) as exc:
            await audit.arecord(actor=who, outcome=updates.describe_error(exc), **entry,
                                seconds=round(time.perf_counter() - started, 4))
            raise
        # Recorded "started" before it runs and "committed" after (graph/updates.py).
        fields = {k: v for k, v in entry.items() if k != "operation"}
        async with self._update_lock:
            await asyncio.to_thread(lambda: audited_update(self.store, audit, text,
                                                           actor=who, **fields))
        return Response(status_code=204)

    def _prepare_update(self, request: Request, op: protocol.Operation) -> str:
        s = self.settings
        found = inspect(op.text, update=True, base=self._base(request),
                        max_length=s.max_query_length, max_depth=s.max_query_depth)
        text = op.text
        if op.has_dataset:
            if found.has_using:
                raise QueryError("using-graph-uri / using-named-graph-uri cannot be combined "
                                 "with USING or WITH in the update")
            text = add_using(text, found.where_offsets, op.default_graphs, op.named_graphs)
        # The service's base IRI is the endpoint; a BASE in the text overrides it.
        return f"BASE <{self._base(request)}>\n{text}"


#: Query results are public and read-only: any origin may read them, as public SPARQL
#: endpoints allow. Updates never get these headers (and Authorization is not allowed).
CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {**CORS, "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
             "Access-Control-Allow-Headers": "Content-Type, Accept",
             "Access-Control-Max-Age": "600"}


async def preflight() -> Response:
    """CORS preflight for cross-origin queries (a POST with a SPARQL body is preflighted)."""
    return Response(status_code=204, headers=PREFLIGHT)


def make_router(store: Store, settings: Settings) -> APIRouter:
    """The /sparql endpoint, its editor's files, and the worker pool's lifetime."""
    endpoint = SparqlEndpoint(store, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await endpoint.pool.start()
        try:
            yield
        finally:
            await endpoint.pool.aclose()

    router = APIRouter(lifespan=lifespan)
    for method in ("GET", "POST"):
        router.add_api_route("/sparql", endpoint.handle, methods=[method], name="sparql",
                             operation_id=f"sparql_{method.lower()}",
                             summary=f"SPARQL 1.1 Protocol endpoint ({method})",
                             response_class=Response)
    router.add_api_route("/sparql", preflight, methods=["OPTIONS"], include_in_schema=False)
    router.include_router(editor.make_assets_router(settings))
    router.__dict__["endpoint"] = endpoint  # reachable for tests and benchmarks
    return router
