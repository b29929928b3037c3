"""An import prepared in a worker process of its own, at lower priority.

Why: parsing, screening, checks, entity resolution, SHACL and provenance are Python
work that holds the GIL for seconds to minutes on a large file. Run in a thread of the
server, they slowed every other request (the health check rose from milliseconds to
seconds during a 2,500-row import). Here they run in a child process, ``nice``-d
(:data:`NICE`), that opens a read-only view of the store for the context it needs (as a
CLI command does beside a running server) and hands back the prepared triples in an
N-Triples files. The server then only commits those under the store's write lock,
through the engine's bulk loader, which does not hold the GIL.

The child never writes to the store: killed at any point, it leaves the store as it
was, and the parent answers with :class:`graph.imports.pipeline.WorkerFailed`. A
refusal (:class:`graph.errors.SurvkgError`, with its file, line and column) is handed
back pickled and raised again in the parent, so the caller sees the same error as an
import prepared in-process. The child ends itself when the parent process goes away.

Protocol: the parent writes the file and a JSON spec into a scratch folder and runs
:func:`run` with the spec's path (``_BOOT``); the child prints one JSON line
``[phase, fraction]`` per progress step, then writes ``triples-NNNN.nt`` files
(:func:`write_chunks`) and ``result.json`` (exit 0) or ``error.pickle`` (exit 2).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

import graph
from graph.errors import SurvkgError
from graph.imports import kinds
from graph.imports.kinds import Kind
from graph.imports.pipeline import ImportResult, Prepared, Preparer, Progress, WorkerFailed, prepare
from graph.imports.resolve import Candidate, Link
from graph.store import OxigraphStore, Store

#: How much nicer than the server the worker runs (Linux: ~1/10 of a CPU's share
#: against a busy nice-0 thread; all of it when the server is idle).
NICE = 10
#: Triples per N-Triples file handed to the commit: the engine's bulk loader holds
#: about one file's worth in memory (~0.9 GB for a million triples in one file), so the
#: server's memory during a commit is bounded whatever the size of the import.
COMMIT_CHUNK = 200_000
#: Exit status of a refusal (the error is in ``error.pickle``).
REFUSED = 2
_ROOT = str(Path(graph.__file__).resolve().parent.parent)
#: The worker's command: it runs this very ``graph`` package (its folder goes first on
#: the path unless it is already there, e.g. site-packages), whatever the environment.
_BOOT = ("import sys; r = sys.argv.pop(1); r in sys.path or sys.path.insert(0, r); "
         "from graph.imports.worker import run; run()")


def worker_preparer(min_bytes: int) -> Preparer:
    """:func:`prepare_in_worker` for files of ``min_bytes`` or more; smaller ones are
    prepared in the calling thread (starting a worker costs more than they take: the
    server's ``import_worker_min_bytes``, 256 KiB, is about 5,000 triples of Turtle)."""
    def prepare_sized(store: Store, data: bytes, *, kind: Kind, name: str,
                      result: ImportResult, shacl: bool, max_bytes: int,
                      progress: Progress | None, work: Path) -> Prepared:
        return prepare_in_worker(store, data, kind=kind, name=name, result=result,
                                 shacl=shacl, max_bytes=max_bytes, progress=progress,
                                 work=work, here=len(data) < min_bytes)
    return prepare_sized


def prepare_in_worker(store: Store, data: bytes, *, kind: Kind, name: str,
                      result: ImportResult, shacl: bool, max_bytes: int,
                      progress: Progress | None, work: Path, here: bool = False) -> Prepared:
    """Prepare the import of ``data`` in a worker process (scratch files in ``work``),
    filling ``result``; the prepared triples are in the returned files. With ``here``,
    and for a store a worker cannot open beside this process (in memory, remote), it is
    prepared in this thread instead."""
    if here or not (isinstance(store, OxigraphStore) and store.persistent):
        quads = prepare(store, data, kind, name, result.id, result, shacl, max_bytes,
                        progress)
        return Prepared(len(quads), quads=quads)
    (work / "input").write_bytes(data)
    spec = {"store": store.location, "input": str(work / "input"), "kind": kind.name,
            "name": name, "id": result.id, "shacl": shacl, "max_bytes": max_bytes,
            "out": str(work)}
    (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    with open(work / "stderr", "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT, _ROOT, str(work / "spec.json")],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if progress is not None and line.startswith(b"["):
                phase, fraction = json.loads(line)
                progress(str(phase), float(fraction))
        status = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    if status == REFUSED and (work / "error.pickle").exists():
        raise _refusal(work)
    if status != 0 or not (work / "result.json").exists():
        raise WorkerFailed(f"the import's worker process {_ended(status)}: "
                           f"{_last_line(work / 'stderr')}; nothing was stored")
    done = json.loads((work / "result.json").read_text(encoding="utf-8"))
    result.notes = done["notes"]
    result.new_triples = done["new_triples"]
    result.new_resources = done["new_resources"]
    result.links = [Link(**x) for x in done["links"]]
    result.candidates = [Candidate(x["incoming"], x["label"], tuple(
        (c["id"], c["label"]) for c in x["candidates"]), x["reason"])
        for x in done["candidates"]]
    return Prepared(done["count"], files=[work / file for file in done["files"]])


def _refusal(work: Path) -> SurvkgError:
    """The child's refusal, as it raised it (pickled by our own child: trusted)."""
    try:
        exc = pickle.loads((work / "error.pickle").read_bytes())
    except Exception as problem:  # an error type that does not survive pickling
        return SurvkgError(f"the import was refused, but its reason could not be read "
                           f"back from the worker process ({problem})")
    return exc if isinstance(exc, SurvkgError) else SurvkgError(str(exc))


def _ended(status: int) -> str:
    return f"was killed by signal {-status}" if status < 0 else f"ended with status {status}"


def _last_line(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1][:300] if lines else "no message"


# --- the child -------------------------------------------------------------------------


def write_chunks(quads: list[ox.Quad], out: Path, chunk: int = COMMIT_CHUNK) -> list[str]:
    """Write ``quads`` as N-Triples files of at most ``chunk`` triples each (the names,
    in order). The bulk loader renames blank nodes per file, so every triple that
    mentions a blank node goes into one file of its own, whatever its size."""
    def name(n: int) -> str:
        return f"triples-{n:04d}.nt"

    def triple(q: ox.Quad) -> ox.Triple:
        return ox.Triple(q.subject, q.predicate, q.object)

    blank = [q for q in quads if isinstance(q.subject, ox.BlankNode)
             or isinstance(q.object, ox.BlankNode)]
    plain = [q for q in quads if not (isinstance(q.subject, ox.BlankNode)
                                      or isinstance(q.object, ox.BlankNode))] \
        if blank else quads
    names: list[str] = []
    groups = [blank] if blank else []
    groups += [plain[i:i + chunk] for i in range(0, len(plain), chunk)]
    for group in groups:
        names.append(name(len(names)))
        ox.serialize((triple(q) for q in group), str(out / names[-1]),
                     format=ox.RdfFormat.N_TRIPLES)
    return names


def _lower_priority() -> None:
    # Not on this system, or not allowed: run as we are.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, 0, max(os.getpriority(os.PRIO_PROCESS, 0), NICE))


def _end_with_parent() -> None:
    """Exit soon after the parent process is gone (we are then adopted by another)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(70)
    threading.Thread(target=watch, daemon=True).start()


def main(spec_path: str) -> int:
    _lower_priority()
    _end_with_parent()
    from graph.cli.common import read_only_view

    spec: dict[str, Any] = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    out = Path(spec["out"])

    def progress(phase: str, fraction: float) -> None:
        sys.stdout.write(json.dumps([phase, fraction]) + "\n")
        sys.stdout.flush()

    store = read_only_view(Path(spec["store"]))
    data = Path(spec["input"]).read_bytes()
    result = ImportResult(id=spec["id"], graph="", file=spec["name"], media_type="",
                          sha256="", bytes=len(data), dry_run=True)
    try:
        quads = prepare(store, data, kinds.KINDS[spec["kind"]], spec["name"], spec["id"],
                         result, spec["shacl"], spec["max_bytes"], progress)
    except SurvkgError as exc:
        (out / "error.pickle").write_bytes(pickle.dumps(exc))
        return REFUSED
    del data
    done = {"count": len(quads), "files": write_chunks(quads, out),
            "notes": result.notes, "new_triples": result.new_triples,
            "new_resources": result.new_resources,
            "links": [x.to_dict() for x in result.links],
            "candidates": [x.to_dict() for x in result.candidates]}
    (out / "result.json").write_text(json.dumps(done), encoding="utf-8")
    return 0


def run() -> None:
    """The worker's entry point (``_BOOT``): exits without interpreter shutdown (nothing
    is left to clean, and the parent watcher thread may be asleep)."""
    code = main(sys.argv[1])
    sys.stdout.flush()
    os._exit(code)
