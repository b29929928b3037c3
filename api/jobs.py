"""Import jobs: imports run off the event loop, one at a time, and can be polled.

An import can take minutes (a million triples), so ``POST /api/import`` hands the work
to a single background thread and answers at once (or waits a little, if the client
asked to). That thread runs at lower priority and has the import prepared in a worker
process (``graph/imports/worker.py``), so the parsing and checking never hold the
server's GIL; it then commits, holding the store's write lock only for that. Reads never
queue behind an import: they run on the event loop and in the SPARQL workers. One import
thread keeps imports in arrival order and the memory of parsing bounded to one file at a
time.

Jobs live in memory. After a restart a job id is unknown; what happened to its import
is in the catalogue (``GET /api/imports``) and the audit log, which are durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from graph.errors import SurvkgError, UnknownEntity

#: Imports waiting or running at most; each holds its file in memory (up to
#: ``max_import_bytes``), so the queue is bounded and a full one answers 503.
MAX_PENDING = 16
#: Items a kept job result lists at most per list (links, candidates, notes...): jobs
#: are kept in memory for polling, so each one's size is bounded, whatever the file.
MAX_RESULT_ITEMS = 100


def bounded(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` with every list cut to :data:`MAX_RESULT_ITEMS`, its full length in
    ``<key>_total`` (the catalogue and the audit log keep the durable record)."""
    out = dict(result)
    for key, value in result.items():
        if isinstance(value, list) and len(value) > MAX_RESULT_ITEMS:
            out[key] = value[:MAX_RESULT_ITEMS]
            out[f"{key}_total"] = len(value)
    return out


class QueueFull(SurvkgError):
    """Too many imports are waiting (503, retry later)."""


@dataclass
class Job:
    """One import's state, as ``GET /api/import/jobs/{id}`` shows it."""

    id: str
    file: str
    bytes: int
    submitted_by: str
    status: str = "queued"  # queued, running, done, refused, failed
    phase: str = "queued"
    progress: float = 0.0
    submitted_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["url"] = f"/api/import/jobs/{self.id}"
        return out


class JobQueue:
    """A single-threaded executor with a bounded table of jobs."""

    def __init__(self, keep: int = 200, *, nice: bool = True) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="survkg-import",
            initializer=_lower_thread_priority if nice else None)
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, job: Job, work: Callable[[Callable[[str, float], None]], dict[str, Any]],
               describe_error: Callable[[SurvkgError], dict[str, Any]]) -> Job:
        def progress(phase: str, fraction: float) -> None:
            job.phase, job.progress = phase, round(fraction, 3)

        def run() -> None:
            job.status = "running"
            try:
                job.result = bounded(work(progress))
                job.status, job.phase, job.progress = "done", "done", 1.0
            except SurvkgError as exc:
                job.status, job.error = "refused", describe_error(exc)
            except Exception as exc:
                job.status = "failed"
                job.error = {"error": type(exc).__name__, "detail": str(exc)}
            finally:
                job.finished_at = time.time()

        with self._lock:
            pending = sum(1 for j in self._jobs.values() if j.finished_at is None)
            if pending >= MAX_PENDING:
                raise QueueFull(f"{pending} imports are already waiting or running; "
                                "retry when one has finished")
            self._jobs[job.id] = job
            self._futures[job.id] = self._pool.submit(run)
            self._trim()
        return job

    async def wait(self, job_id: str, seconds: float) -> Job:
        """The job after it finished or ``seconds`` passed, whichever is first."""
        future = self._futures.get(job_id)
        if future is not None and seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), seconds)
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise UnknownEntity(f"import job {job_id}", list(self._jobs)[-5:])
        return job

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.finished_at is not None]
        for key in finished[: max(0, len(self._jobs) - self._keep)]:
            self._jobs.pop(key, None)
            self._futures.pop(key, None)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


#: How much nicer than the server's other threads the import thread runs.
IMPORT_NICE = 10


def _lower_thread_priority() -> None:
    """Run the import thread (and what it starts: the import's worker process, the
    engine's bulk-load threads during the commit) at lower priority than the threads
    answering requests. Linux schedules threads separately, so this lowers this thread
    only; elsewhere, or if refused, it runs as it is."""
    with contextlib.suppress(OSError, AttributeError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid,
                       max(os.getpriority(os.PRIO_PROCESS, tid), IMPORT_NICE))


def new_job(file: str, size: int, actor: str) -> Job:
    return Job(id=uuid.uuid4().hex[:16], file=file, bytes=size, submitted_by=actor)
