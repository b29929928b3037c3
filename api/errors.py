"""The one table that maps survkg's typed errors to HTTP status codes."""

from __future__ import annotations

import dataclasses

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import ReadOnlyServer
from api.jobs import QueueFull
from graph import errors as e
from graph.interchange.model import Problem

STATUS: list[tuple[type[e.SurvkgError], int]] = [
    (e.UnknownEntity, 404),
    (e.AmbiguousEntity, 422),
    (e.InvalidParameter, 422),
    (e.InvalidData, 400),
    (e.QueryRefused, 400),
    (e.QueryError, 400),
    (e.MissingFeature, 501),
    (e.QueryTimeout, 408),
    (e.TooLarge, 413),
    (e.Conflict, 409),
    (e.Unauthorized, 401),
    (ReadOnlyServer, 403),
    (e.Unavailable, 503),
    (QueueFull, 503),
]


def status_for(exc: e.SurvkgError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


#: Paths that answer JSON (or RDF) whatever the client accepts.
_MACHINE_PREFIXES = ("/api/", "/sparql", "/static/", "/assets/", "/healthz", "/openapi.json")


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API): its errors are HTML pages."""
    if request.url.path.startswith(_MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, title: str, message: str,
               candidates: list[str] | None = None) -> HTMLResponse:
    """An HTML error with the site's navigation and a way on (search, home, close ids)."""
    from api.pages import make_env  # the pages' environment; imported when first needed

    tail = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    html = make_env().get_template("error.html").render(
        title=title, status=status, message=message, candidates=candidates or [],
        query=tail)
    return HTMLResponse(html, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(e.SurvkgError)
    async def handle(request: Request, exc: e.SurvkgError) -> Response:
        headers = ({"WWW-Authenticate": 'Bearer realm="survkg"'}
                   if isinstance(exc, e.Unauthorized) else None)
        if wants_page(request) and not headers:
            cands = list(exc.candidates) if isinstance(exc, e.UnknownEntity | e.AmbiguousEntity) \
                else None
            return error_page(request, status_for(exc), "Something is wrong with this request",
                              str(exc), cands)
        return JSONResponse(error_body(exc), status_code=status_for(exc), headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def handle_http(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_page(request) and exc.status_code in (404, 405):
            return error_page(request, exc.status_code, "No such page" if exc.status_code == 404
                              else "Not allowed here", f"{request.url.path}: {exc.detail}")
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def handle_validation(request: Request, exc: RequestValidationError) -> Response:
        """422 naming the first bad field, in the typed body's shape.

        ``detail`` keeps FastAPI's list of errors, so the response still matches the
        schema OpenAPI declares for 422; ``error`` and ``field`` match the typed errors.
        """
        errs = jsonable_encoder(exc.errors())
        loc = errs[0].get("loc", []) if errs else []
        name = ".".join(str(p) for p in loc[1:] or loc) or "request"
        if wants_page(request):
            msg = errs[0].get("msg", "invalid value") if errs else "invalid value"
            return error_page(request, 422, "A parameter is not valid",
                              f"{name}: {msg}. Change it in the address or the form and try "
                              "again.")
        return JSONResponse({"error": "InvalidParameter", "field": name, "detail": errs},
                            status_code=422)


def error_body(exc: e.SurvkgError) -> dict[str, object]:
    """The JSON body of a typed error: its kind, message, and what locates it."""
    body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
    if isinstance(exc, e.UnknownEntity | e.AmbiguousEntity):
        body["candidates"] = list(exc.candidates)
    if isinstance(exc, e.InvalidParameter):
        body["field"] = exc.field
    if isinstance(exc, e.InvalidData):
        body.update(file=exc.file, line=exc.line, column=exc.column,
                    problems=[_problem(p) for p in exc.problems])
    return body


def _problem(problem: object) -> object:
    """A located problem as a JSON object (file, line, column, field, message), else text."""
    if isinstance(problem, Problem):
        return dataclasses.asdict(problem)
    return str(problem)
