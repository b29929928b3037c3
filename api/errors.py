"""The one table that maps survkg's typed errors to HTTP status codes."""

from __future__ import annotations

import dataclasses

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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
    (e.Unavailable, 503),
    (QueueFull, 503),
]


def status_for(exc: e.SurvkgError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def install(app: FastAPI) -> None:
    @app.exception_handler(e.SurvkgError)
    async def handle(request: Request, exc: e.SurvkgError) -> JSONResponse:
        headers = ({"WWW-Authenticate": 'Bearer realm="survkg"'}
                   if isinstance(exc, e.Unauthorized) else None)
        return JSONResponse(error_body(exc), status_code=status_for(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def handle_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        """422 naming the first bad field, in the typed body's shape.

        ``detail`` keeps FastAPI's list of errors, so the response still matches the
        schema OpenAPI declares for 422; ``error`` and ``field`` match the typed errors.
        """
        errs = jsonable_encoder(exc.errors())
        loc = errs[0].get("loc", []) if errs else []
        name = ".".join(str(p) for p in loc[1:] or loc) or "request"
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
