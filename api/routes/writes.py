"""The write API: imports, findings, retractions. Every route here needs a bearer token.

The routes are thin: the body goes to :func:`graph.imports.pipeline.import_data` (the
same pipeline as ``survkg import``) from the import thread (``api/jobs.py``), which
has the import prepared in a worker process of its own (``graph/imports/worker.py``)
and only commits it; the answer is the pipeline's own result or its typed error. A
finding posted as JSON is written as one row of the CSV findings format and imported
like a spreadsheet, so the two ways in share one mapping and one set of checks.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from api import idempotency
from api.auth import AUTH_RESPONSES, require_token
from api.errors import error_body, status_for
from api.jobs import JobQueue, new_job
from api.settings import Settings
from graph.errors import InvalidData, SurvkgError
from graph.imports import catalogue, kinds
from graph.imports.pipeline import import_data
from graph.imports.retract import retract_import
from graph.imports.worker import worker_preparer
from graph.store import Store

Actor = Annotated[str, Depends(require_token)]
FileName = Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[\w.\- ]+$",
                                description="The file's name, recorded with the import")]
IMPORT_MEDIA = sorted({k.media_type for k in kinds.KINDS.values()})


class FindingIn(BaseModel):
    """One supply with its evidence: the columns of the CSV findings template."""

    supplier: str = Field(min_length=1, max_length=300,
                          examples=["Axis Communications"])
    recipient: str = Field(min_length=1, max_length=300,
                           examples=["org/shanghai-psb"])
    product: str = Field(default="", max_length=300)
    technology: str = Field(min_length=1, max_length=100, examples=["network cameras"])
    date: str = Field(default="", max_length=10, examples=["2019"])
    source_title: str = Field(min_length=1, max_length=500)
    source_url: str = Field(min_length=1, max_length=2000)
    source_publisher: str = Field(default="", max_length=300)
    confidence: str = Field(min_length=1, max_length=40, examples=["reported by press"])
    status: str = Field(min_length=1, max_length=40, examples=["reported"])
    note: str = Field(default="", max_length=5000)
    supplier_country: str = Field(default="", max_length=100)
    recipient_country: str = Field(default="", max_length=100)
    assessment: str = Field(default="", max_length=5000, description=
                            "Required when the status is disputed or unverified")


def finding_csv(finding: FindingIn) -> bytes:
    """The finding as a one-row CSV findings file (header + row)."""
    row = finding.model_dump()  # field names are the CSV columns with "_" for " "
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(row))
    writer.writerow(list(row.values()))
    return out.getvalue().encode("utf-8")


def add_write_routes(router: APIRouter, store: Store, settings: Settings) -> None:
    jobs = JobQueue(settings.import_jobs_kept, nice=settings.import_worker)
    keys = idempotency.IdempotencyKeys()
    preparer = worker_preparer(settings.import_worker_min_bytes) \
        if settings.import_worker else None

    def audit(request: Request) -> Any:
        return request.app.state.audit

    def error_dict(exc: SurvkgError) -> dict[str, Any]:
        return {"status": status_for(exc), **error_body(exc)}

    @router.post(
        "/import", tags=["writes"], status_code=202,
        summary="Import a file (RDF, CSV findings, FtM) into a named graph of its own",
        openapi_extra={"requestBody": {"required": True, "content": {
            m: {"schema": {"type": "string", "format": "binary"}} for m in IMPORT_MEDIA}}},
        responses={**AUTH_RESPONSES,
                   201: {"description": "Imported (the job finished within `wait`)"},
                   200: {"description": "Dry run finished: what would change"},
                   202: {"description": "Accepted: poll the job's `url`"},
                   400: {"description": "Refused: every problem listed, nothing stored"},
                   409: {"description": "Already imported (same bytes)"},
                   413: {"description": "Over the import size limit"}})
    async def post_import(request: Request, actor: Actor, filename: FileName = "upload",
                          dry_run: bool = False, force: bool = False,
                          wait: Annotated[float, Query(ge=0, le=120, description=
                                                       "Seconds to wait for the result")] = 0
                          ) -> JSONResponse:
        """The request body is the file; its media type (``Content-Type``) says which format.
        The import runs in the background: the answer is the job (202), or its result if it
        finished within ``wait`` seconds (201, or 200 for a dry run, or the refusal)."""
        kind = kinds.for_media_type(request.headers.get("content-type"))
        data = await request.body()
        if not data:
            raise InvalidData("the request body (the file) is empty", file=filename)
        log = audit(request)

        def work(progress: Any) -> dict[str, Any]:
            return import_data(store, data, kind=kind, filename=filename, actor=actor,
                               audit=log, dry_run=dry_run, force=force,
                               max_bytes=settings.max_import_bytes,
                               progress=progress,
                               preparer=preparer).to_dict()

        job = jobs.submit(new_job(filename, len(data), actor), work, error_dict)
        job = await jobs.wait(job.id, wait)
        return _job_response(job.to_dict(), dry_run)

    @router.get("/import/jobs/{job_id}", tags=["writes"], summary="An import job's state",
                responses=AUTH_RESPONSES)
    def import_job(job_id: str, actor: Actor) -> JSONResponse:
        """Phase, progress (0..1) and, once finished, the result or the refusal."""
        return JSONResponse(jobs.get(job_id).to_dict())

    @router.post("/findings", tags=["writes"], status_code=201, responses=AUTH_RESPONSES,
                 summary="Add one supply with its evidence")
    async def post_finding(request: Request, finding: FindingIn, actor: Actor,
                           dry_run: bool = False,
                           idempotency_key: Annotated[str | None, Header(
                               alias=idempotency.HEADER, description=
                               "Retry-safe: the same key with the same finding answers "
                               "the first result again and imports nothing; with another "
                               "finding, 409")] = None) -> Response:
        """The finding goes through the import pipeline as a one-row CSV findings file: the
        same checks, entity resolution, SHACL and provenance as a spreadsheet import."""
        data = finding_csv(finding)
        log = audit(request)

        async def answer() -> Response:
            result = await run_in_threadpool(
                lambda: import_data(store, data, kind=kinds.KINDS["csv"],
                                    filename="finding.csv", actor=actor, audit=log,
                                    dry_run=dry_run, force=True,
                                    max_bytes=settings.max_import_bytes))
            return JSONResponse(result.to_dict(), status_code=200 if dry_run else 201)

        return await keys.run(actor, idempotency_key, b"%d\n" % dry_run + data, answer)

    @router.get("/imports", tags=["writes"], summary="The catalogue of imports")
    def imports() -> list[dict[str, object]]:
        """Every import, oldest first, retracted ones included (with who, when and why)."""
        return [r.to_dict() for r in catalogue.list_imports(store)]

    @router.get("/imports/{import_id}", tags=["writes"], summary="One import")
    def one_import(import_id: str) -> dict[str, object]:
        return catalogue.get_import(store, import_id).to_dict()

    @router.delete("/imports/{import_id}", tags=["writes"], responses=AUTH_RESPONSES,
                   summary="Retract an import (recorded, archived; not a silent removal)")
    async def retract(request: Request, import_id: str, actor: Actor,
                      reason: Annotated[str, Query(min_length=3, max_length=2000)]
                      ) -> dict[str, object]:
        """The import's triples leave the live graph and are archived; the catalogue keeps
        the import with ``retracted_at``, ``retracted_by`` and ``retraction_reason``."""
        log = audit(request)
        record = await run_in_threadpool(
            lambda: retract_import(store, import_id, actor=actor, reason=reason, audit=log))
        return record.to_dict()


def _job_response(job: dict[str, Any], dry_run: bool) -> JSONResponse:
    if job["status"] == "done":
        return JSONResponse(job, status_code=200 if dry_run else 201)
    if job["status"] == "refused" and job["error"]:
        return JSONResponse({**job["error"], "job": job}, status_code=job["error"]["status"])
    if job["status"] == "failed":
        return JSONResponse({"error": "ImportFailed", "detail": job["error"]["detail"],
                             "job": job}, status_code=500)
    return JSONResponse(job, status_code=202, headers={"Location": job["url"]})
