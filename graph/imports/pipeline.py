"""The import pipeline: screen, parse or map, check, resolve, validate, commit.

Why this order: the cheap checks on raw bytes (size, encoding, DTDs, nesting) come
before any parser; parsing goes into a scratch list, never the store; entity resolution
comes before SHACL so that a finding about an existing organisation validates against
what the store already knows about it; and the only write is one transaction holding
the data and its catalogue entry. The attempt is in the audit log, durably, before the
commit ("started") and after it ("committed"), or as a refusal with its reason:
:func:`graph.imports.recovery.reconcile` settles a "started" left by a crash.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import secrets
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from graph.errors import Conflict, InvalidData, SurvkgError
from graph.imports import catalogue
from graph.imports.boundary import boundary_problems, foreign_graph_problems
from graph.imports.checks import check_quads
from graph.imports.kinds import Kind
from graph.imports.resolve import Candidate, EntityIndex, Link, resolve, typed_in_store
from graph.imports.screen import location, problems_error, screen
from graph.interchange.model import Mapped, Problem
from graph.loading import parse_stream
from graph.namespaces import ID, IMPORTS_GRAPH, RDF_TYPE
from graph.state import IMPORTS_ARCHIVE, state_path
from graph.store import OxigraphStore, Store, write_durably_bytes
from graph.validation import validate_quads


class AuditLog(Protocol):
    """What the pipeline needs of the audit log (``graph.audit.AuditLog``): a record
    that is durable when the call returns."""

    def record(self, *, actor: str, operation: str, outcome: str,
               **fields: Any) -> Any: ...

#: Largest file an import accepts (the HTTP layer has its own, lower body limit).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

#: Notes an import result lists at most (then how many more there were).
MAX_NOTES = 50
#: From this many quads an import goes in through the journaled bulk loader
#: (:meth:`graph.store.OxigraphStore.bulk_add`): ~4x faster than one transaction at 50k.
BULK_MIN = 10_000

#: Called with a phase name and the fraction of it done (0..1).
Progress = Callable[[str, float], None]


@dataclass
class ImportResult:
    """What an import did, or (``dry_run``) would do."""

    id: str
    graph: str
    file: str
    media_type: str
    sha256: str
    bytes: int
    dry_run: bool
    committed: bool = False
    triples: int = 0
    new_triples: int = 0
    new_resources: dict[str, int] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["links"] = [x.to_dict() for x in self.links]
        out["candidates"] = [x.to_dict() for x in self.candidates]
        return out


def new_import_id(sha256: str, moment: datetime) -> str:
    """Sortable by time, tied to the file, unique: ``20261128T021500Z-1a2b3c4d-9f0e``."""
    return f"{moment:%Y%m%dT%H%M%SZ}-{sha256[:8]}-{secrets.token_hex(2)}"


def minter(import_id: str) -> Callable[[str, str], ox.NamedNode]:
    """Mint IRIs under the import's own namespace (readable slug plus a short hash, so
    "A.B" and "A B" never collide)."""
    base = f"{ID}import/{import_id}/"

    def mint(kind: str, key: str) -> ox.NamedNode:
        ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_key.lower()).strip("-")[:48]
        digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        kind_slug = re.sub(r"[^a-z0-9-]+", "-", kind.lower()) or "x"
        return ox.NamedNode(f"{base}{kind_slug}/{slug + '-' if slug else ''}{digest}")

    return mint


@dataclass
class Prepared:
    """The quads an import will commit: in memory (``quads``) when prepared in this
    process, or in N-Triples ``files`` (all for the import's graph) when prepared by the
    worker process; ``count`` of them either way."""

    count: int
    quads: list[ox.Quad] | None = None
    files: list[Path] = field(default_factory=list)

    def in_memory(self, graph: ox.NamedNode) -> list[ox.Quad]:
        if self.quads is not None:
            return self.quads
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for path in self.files
                for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]


class Preparer(Protocol):
    """Prepares an import somewhere else than this thread (scratch files in ``work``,
    which lives until the commit), e.g. :func:`graph.imports.worker.prepare_in_worker`."""

    def __call__(self, store: Store, data: bytes, *, kind: Kind, name: str,
                 result: ImportResult, shacl: bool, max_bytes: int,
                 progress: Progress | None, work: Path) -> Prepared: ...


class WorkerFailed(RuntimeError):
    """The import's worker process died or broke (not a refusal of the data: a server
    fault, answered 500); the store is untouched, as it never writes."""


def import_data(store: Store, data: bytes, *, kind: Kind, filename: str, actor: str,
                audit: AuditLog | None = None, dry_run: bool = False, force: bool = False,
                shacl: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
                progress: Progress | None = None,
                preparer: Preparer | None = None) -> ImportResult:
    """Import ``data`` into a new named graph of its own, in one transaction, or refuse it
    (every problem listed, store untouched). ``dry_run`` does everything but the commit.

    ``force`` imports a file whose bytes were already imported (and not retracted); by
    default that is a :class:`Conflict`, so a client retrying after a lost response does
    not import twice.

    ``preparer`` (the server passes :func:`graph.imports.worker.worker_preparer`'s)
    prepares the import (everything before the commit) elsewhere: in a worker process at
    lower priority reading a read-only view of the store; this process then only
    commits.
    """
    moment = datetime.now(UTC)
    sha = hashlib.sha256(data).hexdigest()
    import_id = new_import_id(sha, moment)
    result = ImportResult(id=import_id, graph=catalogue.graph_iri(import_id).value,
                          file=filename, media_type=kind.media_type, sha256=sha,
                          bytes=len(data), dry_run=dry_run)
    operation = "import (dry run)" if dry_run else "import"
    entry: dict[str, Any] = {"actor": actor, "operation": operation, "file": filename,
                             "sha256": sha, "bytes": len(data)}
    with contextlib.ExitStack() as scratch:
        try:
            if not force and not dry_run:
                for rec in catalogue.list_imports(store):
                    if rec.sha256 == sha and rec.retracted_at is None:
                        raise Conflict(f"{filename}: this file (sha256 {sha[:12]}…) was "
                                       f"already imported as {rec.id} on {rec.imported_at}; "
                                       "retract that import or force a second copy")
            if preparer is not None:
                work = Path(scratch.enter_context(
                    tempfile.TemporaryDirectory(prefix="survkg-import-")))
                prepared = preparer(store, data, kind=kind, name=filename, result=result,
                                    shacl=shacl, max_bytes=max_bytes, progress=progress,
                                    work=work)
            else:
                quads = prepare(store, data, kind, filename, import_id, result, shacl,
                                 max_bytes, progress)
                prepared = Prepared(len(quads), quads=quads)
        except (SurvkgError, WorkerFailed) as exc:
            if audit is not None:
                verb = "refused" if isinstance(exc, SurvkgError) else "failed"
                audit.record(outcome=f"{verb}: {exc}", **entry)
            raise
        result.triples = prepared.count
        if dry_run:
            if audit is not None:
                audit.record(outcome="dry run", triples=prepared.count, **entry)
            return result
        _commit(store, prepared, data, result, moment, actor, audit, entry, progress)
    return result


def _commit(store: Store, prepared: Prepared, data: bytes, result: ImportResult,
            moment: datetime, actor: str, audit: AuditLog | None, entry: dict[str, Any],
            progress: Progress | None) -> None:
    """Archive the file, then write the quads and their catalogue entry: all or nothing
    (the journaled bulk loader from :data:`BULK_MIN` quads, one transaction below)."""
    _step(progress, "committing", 0.0)
    _archive(store, result.sha256, data)
    graph = catalogue.graph_iri(result.id)
    described = catalogue.describe(result.id, file=result.file,
                                   media_type=result.media_type, sha256=result.sha256,
                                   actor=actor, moment=moment, triples=prepared.count,
                                   links=result.links)
    if audit is not None:
        audit.record(outcome="started", graph=graph.value, import_id=result.id,
                     triples=prepared.count, **entry)
    if prepared.count >= BULK_MIN and prepared.files \
            and isinstance(store, OxigraphStore) and store.persistent:
        store.bulk_add_files(prepared.files, graph, described)
    elif prepared.count >= BULK_MIN:
        store.bulk_add(prepared.in_memory(graph), graph, described)
    else:
        store.extend([*prepared.in_memory(graph), *described])
    result.committed = True
    if audit is not None:
        audit.record(outcome="committed", graph=graph.value,
                     import_id=result.id, triples=prepared.count, **entry)
    _step(progress, "committing", 1.0)


def prepare(store: Store, data: bytes, kind: Kind, name: str, import_id: str,
             result: ImportResult, shacl: bool, max_bytes: int,
             progress: Progress | None) -> list[ox.Quad]:
    """The quads to commit (in the import's graph), or raise listing every problem."""
    _step(progress, "screening", 0.0)
    text = screen(data, kind, name, max_bytes)
    index = EntityIndex.from_store(store)
    mint = minter(import_id)
    _step(progress, "parsing", 0.0)
    named: list[Link] = []
    graphs: set[ox.NamedNode | ox.BlankNode] = set()
    mapped = _parse(store, data, kind, name, import_id, mint, index, named, graphs, progress)
    notes = mapped.notes
    result.notes.extend(notes if len(notes) <= MAX_NOTES else
                        [*notes[:MAX_NOTES], f"... and {len(notes) - MAX_NOTES} more note(s)"])
    _step(progress, "checking", 0.0)
    problems = check_quads(mapped.quads, text=text, name=name)
    problems += foreign_graph_problems(graphs, store, text=text, name=name)
    if problems:
        raise problems_error(problems, name, "problem(s) in the data")
    _step(progress, "resolving", 0.0)
    resolved, links, result.candidates = resolve(mapped.quads, index, store)
    problems = boundary_problems(resolved, store, text=text, name=name)
    if problems:
        raise problems_error(problems, name, "statement(s) an import may not make "
                             "(docs/security.md, trust boundary)")
    result.links = named + links
    graph = catalogue.graph_iri(import_id)
    quads = list(dict.fromkeys(ox.Quad(q.subject, q.predicate, q.object, graph)
                               for q in resolved))
    # The file's own quads are now copied into the graph: let them go before SHACL builds
    # its scratch store (a third of the peak memory at a million triples otherwise).
    mapped.quads = resolved = []
    if not quads:
        raise InvalidData("the file holds no data", file=name)
    result.new_triples = _count_new(store, quads)
    types = Counter(q.object.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                    for q in quads if q.predicate == RDF_TYPE
                    and isinstance(q.object, ox.NamedNode) and not typed_in_store(store, q.subject))
    result.new_resources = dict(sorted(types.items()))
    if shacl:
        _step(progress, "validating", 0.0)
        report = validate_quads(quads, context=store)
        if not report.conforms:
            problems = [_located_violation(v, text, name) for v in report.violations]
            raise problems_error(problems, name, "SHACL violation(s)")
    return quads


_VIOLATION = re.compile(r"^\w+: (<[^>]+>|\S+)(?: (\S+))?: ")


def _located_violation(violation: str, text: str, name: str) -> Problem:
    """A SHACL violation located at the first mention of its focus node in the file, with
    the property path as the field (CSV and FtM rows are located by their mappers'
    minted names only approximately, so the line may be missing there)."""
    m = _VIOLATION.match(violation)
    if m is None:
        return Problem(violation, file=name)
    focus, path = m.group(1).strip("<>"), m.group(2)
    probes = [focus, focus.rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1]]
    for probe in probes:
        pos = text.find(probe) if probe else -1
        if pos >= 0:
            line, column = location(text, pos)
            return Problem(violation, file=name, line=line, column=column, field=path)
    return Problem(violation, file=name, field=path)


def _parse(store: Store, data: bytes, kind: Kind, name: str, import_id: str,
           mint: Callable[[str, str], ox.NamedNode], index: EntityIndex,
           named: list[Link], graphs: set[ox.NamedNode | ox.BlankNode],
           progress: Progress | None) -> Mapped:
    """The file's quads, all in the default graph; the graph names it used go to
    ``graphs`` (for the trust boundary check)."""
    if kind.name == "csv":
        from graph.interchange.csv_findings import read_csv_findings
        return read_csv_findings(data, name=name, mint=mint, resolve=_by_name(index, named))
    if kind.name == "ftm":
        from graph.interchange.ftm import ftm_id_resolver, read_ftm
        return read_ftm(data, name=name, mint=mint, resolve=ftm_id_resolver(store))
    assert kind.rdf is not None
    quads: list[ox.Quad] = []
    moved = 0
    stream = io.BytesIO(data)
    for quad in parse_stream(stream, kind.rdf, name, None,
                             base_iri=f"{ID}import/{import_id}/"):
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            moved += 1
            graphs.add(quad.graph_name)
            quad = ox.Quad(quad.subject, quad.predicate, quad.object)
        quads.append(quad)
        if progress is not None and len(quads) % 20_000 == 0:
            progress("parsing", stream.tell() / max(len(data), 1))
    mapped = Mapped(quads=quads, records=len(quads))
    if moved:
        mapped.notes.append(f"{moved} quad(s) in the file's own named graphs were put in the "
                            "import's graph (an import is one graph)")
    return mapped


def _by_name(index: EntityIndex, named: list[Link]) -> Callable[[str], ox.NamedNode | None]:
    """Name lookup for mappers whose input names organisations (CSV cells); each link it
    makes is reported like the resolver's."""
    def lookup(name: str) -> ox.NamedNode | None:
        found = index.lookup_name(name)
        if found is None:
            return None
        if not any(x.label == name and x.existing == found for x in named):
            named.append(Link(name, found, "same name", name))
        return ox.NamedNode(found)
    return lookup


def _count_new(store: Store, quads: list[ox.Quad]) -> int:
    """How many of ``quads`` the store does not hold yet (in any graph). A triple can only
    be there if its subject is, so each subject is looked up once and only the triples
    of known subjects one by one (an import mostly brings new subjects)."""
    known: dict[object, bool] = {}
    new = 0
    for q in quads:
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
            new += 1  # refused by check_quads before this is asked
            continue
        seen = known.get(q.subject)
        if seen is None:
            seen = known[q.subject] = next(
                iter(store.quads(q.subject, None, None, None)), None) is not None
        if not seen or next(iter(store.quads(q.subject, q.predicate, q.object, None)),
                            None) is None:
            new += 1
    return new


def _archive(store: Store, sha: str, data: bytes) -> None:
    """Keep the imported file, durably, under its digest (before the commit)."""
    folder = state_path(store, IMPORTS_ARCHIVE)
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / sha
    if not target.exists():
        write_durably_bytes(target, data)


def archive_path(store: Store, name: str) -> Path | None:
    folder = state_path(store, IMPORTS_ARCHIVE)
    return None if folder is None else folder / name


def _step(progress: Progress | None, phase: str, fraction: float) -> None:
    if progress is not None:
        progress(phase, fraction)


__all__ = ["DEFAULT_MAX_BYTES", "IMPORTS_GRAPH", "ImportResult", "Prepared", "Preparer",
           "Progress", "WorkerFailed", "import_data", "prepare"]
