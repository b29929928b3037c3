"""Loading RDF into the store: parsed, validated, then committed in one transaction.

Every entry point (CLI ``load``, first-use seeding, the web layer, tests) calls
:func:`load_files`, so there is one place that guarantees the all-or-nothing rule: a
file with a syntax error on its last line is refused with its file, line and column,
and nothing of it (or of the other files of the same call) reaches the store.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from graph import formats
from graph.bundled import ONTOLOGY_DIR, SEEDS_DIR, ontology_files, seed_files
from graph.errors import InvalidData, StoreLocationError
from graph.namespaces import GRAPH, ONTOLOGY_GRAPH, SEEDS_GRAPH
from graph.remote_store import REMOTE_SCHEMES, SparqlHttpStore, location_scheme
from graph.store import OxigraphStore, Store, default_store_path

if TYPE_CHECKING:
    from graph.validation import ValidationReport

__all__ = ["ONTOLOGY_DIR", "SEEDS_DIR", "LoadReport", "load_files", "ontology_files",
           "open_store", "parse_bytes", "parse_file", "parse_stream", "seed_files"]

#: Above this many triples a load is syntax-checked and all-or-nothing but SHACL runs only
#: with ``validate="full"`` (the compiled shapes take ~1 s per 50k triples, so a bulk load
#: would pay about as much again; run ``survkg validate`` as a separate step), and the
#: syntax pass stops here: the bulk loader parses the rest itself.
SHACL_AUTO_LIMIT = 50_000

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

#: Called while parsing with the number of bytes read so far (of all the files).
Progress = Callable[[int], None]


@dataclass
class LoadReport:
    """What a load did."""

    files: list[str]
    triples: int
    graph: str
    validation: ValidationReport | None = None
    shacl_skipped: bool = False
    notes: list[str] = field(default_factory=list)


def parse_file(path: Path, fmt: ox.RdfFormat | None = None,
               graph: ox.NamedNode | ox.DefaultGraph | None = None) -> list[ox.Quad]:
    """Parse a whole file into quads, or raise :class:`InvalidData` with its location.

    RDF/XML with a DOCTYPE or ENTITY declaration is refused before parsing: entity
    expansion ("billion laughs") aborts or hangs the parsers.
    """
    fmt = fmt or formats.for_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidData(f"cannot read file: {exc.strerror}", file=str(path)) from exc
    return parse_bytes(data, fmt, name=str(path), graph=graph)


def parse_bytes(data: bytes, fmt: ox.RdfFormat, *, name: str = "<input>",
                graph: ox.NamedNode | ox.DefaultGraph | None = None,
                base_iri: str | None = None) -> list[ox.Quad]:
    """Parse RDF bytes into quads (in ``graph`` when the format has no graphs)."""
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_entities(data, name)
    return list(parse_stream(data, fmt, name, graph, base_iri))


def refuse_entities(data: bytes, name: str) -> None:
    """Refuse RDF/XML that declares a DOCTYPE or entities (entity expansion), naming the
    line and column of the declaration (loads and imports both call this)."""
    if (m := _DOCTYPE.search(data)) is not None:
        raise InvalidData("RDF/XML with DOCTYPE or ENTITY declarations is refused "
                          "(entity expansion)", file=name,
                          line=data.count(b"\n", 0, m.start()) + 1,
                          column=m.start() - (data.rfind(b"\n", 0, m.start()) + 1) + 1)


def parse_stream(source: bytes | IO[bytes], fmt: ox.RdfFormat, name: str,
           graph: ox.NamedNode | ox.DefaultGraph | None,
           base_iri: str | None = None) -> Iterator[ox.Quad]:
    """The one parser loop: quads of ``source`` with default-graph quads moved to ``graph``,
    and parse errors turned into :class:`InvalidData` naming ``name``, line and column."""
    move = graph is not None and not isinstance(graph, ox.DefaultGraph)
    try:
        for quad in ox.parse(source, format=fmt, base_iri=base_iri, rename_blank_nodes=True):
            if move and isinstance(quad.graph_name, ox.DefaultGraph):
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, graph)
            yield quad
    except SyntaxError as exc:
        raise InvalidData(str(exc.msg), file=name, line=exc.lineno, column=exc.offset) from exc
    except ValueError as exc:
        raise InvalidData(str(exc), file=name) from exc


def graph_for(name: str) -> ox.NamedNode:
    """The named graph user data goes to when the caller names none: one per source name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "data"
    return ox.NamedNode(GRAPH + "user/" + safe)


def _scan(paths: Sequence[Path], target: ox.NamedNode, keep: int | None,
          progress: Progress | None, *, stop: bool = False
          ) -> tuple[list[ox.Quad] | None, int | None, list[ox.RdfFormat]]:
    """Parse every file once, streaming: refuse the first syntax error with its location.

    Returns the quads (moved to ``target`` when they are in the default graph) if there are
    at most ``keep`` of them (``None``: no bound), else ``None``; the quad count (``None``
    when ``stop`` ended the scan at ``keep``: the bulk loader, which parses anyway, finds
    any later syntax error); the formats.
    """
    kept: list[ox.Quad] | None = []
    count = 0
    done = 0  # bytes of the files already parsed, for progress
    fmts = [formats.for_path(path) for path in paths]
    for path, fmt in zip(paths, fmts, strict=True):
        try:
            if fmt == ox.RdfFormat.RDF_XML:  # refuse entity declarations before parsing
                refuse_entities(path.read_bytes(), str(path))
        except OSError as exc:
            raise InvalidData(f"cannot read file: {exc.strerror or exc}", file=str(path)) from exc
    for path, fmt in zip(paths, fmts, strict=True):
        try:
            with path.open("rb") as fh:
                # Quads are moved to ``target`` only when kept: a large file's scan only
                # counts them, and building a million new quads for nothing costs seconds.
                for quad in parse_stream(fh, fmt, str(path), None):
                    count += 1
                    if kept is not None:
                        if keep is not None and count > keep:
                            kept = None
                            if stop:
                                return None, None, fmts
                        else:
                            if isinstance(quad.graph_name, ox.DefaultGraph):
                                quad = ox.Quad(quad.subject, quad.predicate, quad.object,
                                               target)
                            kept.append(quad)
                    if progress is not None and count % 50_000 == 0 and not stop:
                        progress(done + fh.tell())
        except OSError as exc:
            raise InvalidData(f"cannot read file: {exc.strerror or exc}", file=str(path)) from exc
        done += path.stat().st_size
        if progress is not None:
            progress(done)
    return kept, count, fmts


def _stream(paths: Sequence[Path], target: ox.NamedNode) -> Iterator[ox.Quad]:
    """The quads of already-checked files, one at a time (for one streaming transaction)."""
    for path in paths:
        with path.open("rb") as fh:
            yield from parse_stream(fh, formats.for_path(path), str(path), target)


def load_files(store: Store, paths: Sequence[Path], *, graph: ox.NamedNode | None = None,
               validate: str = "auto", progress: Progress | None = None) -> LoadReport:
    """Parse, validate and commit ``paths`` into ``graph``: all of them or nothing.

    ``validate``: ``"auto"`` runs SHACL up to :data:`SHACL_AUTO_LIMIT` triples, ``"full"``
    always, ``"syntax"`` never. Raises :class:`InvalidData` (store untouched) on any problem.

    Every file is parsed first (streaming), so a syntax error anywhere is refused before
    anything is written; on the bulk path the scan stops once the files are known to be
    too large for SHACL, and the bulk loader's own parse refuses a later syntax error
    (with its location) after undoing what it had written. Up to
    :data:`SHACL_AUTO_LIMIT` quads (or with ``"full"``) the quads are kept, validated and
    added in one transaction. Above it, triple files going into an empty graph of an
    on-disk store are bulk-loaded under a journal (:meth:`OxigraphStore.bulk_load_files`:
    all or nothing, also across a crash); anything else is streamed into one transaction
    (slower, and RocksDB holds it in memory).
    """
    if validate not in {"auto", "full", "syntax"}:
        raise ValueError(f"validate must be auto, full or syntax, not {validate!r}")
    target = graph if graph is not None else graph_for(paths[0].stem if paths else "data")
    keep = None if validate == "full" else SHACL_AUTO_LIMIT
    bulk = (isinstance(store, OxigraphStore) and store.persistent
            and not any(formats.for_path(p).supports_datasets for p in paths)
            and next(iter(store.quads(None, None, None, target)), None) is None)
    quads, count, fmts = _scan(paths, target, keep, progress, stop=bulk)
    report = LoadReport(files=[str(p) for p in paths], triples=count or 0, graph=target.value)
    if quads is not None and validate != "syntax":
        # Imported here: SHACL (rdflib, pySHACL) costs half a second that a command
        # which only opens the store should not pay.
        from graph.validation import validate_quads
        report.validation = validate_quads(quads, context=store)
        if not report.validation.conforms:
            raise InvalidData(
                f"{len(report.validation.violations)} SHACL violation(s)",
                file=", ".join(report.files), problems=report.validation.violations)
    elif validate != "syntax":
        report.shacl_skipped = True
        report.notes.append(f"SHACL skipped above {SHACL_AUTO_LIMIT} triples; "
                            "run `survkg validate` on the files")
    if quads is not None:
        store.extend(quads)
    elif bulk:
        assert isinstance(store, OxigraphStore)
        try:
            store.bulk_load_files(list(zip(paths, fmts, strict=True)), target, progress)
        except SyntaxError as exc:  # the graph was emptied again
            raise InvalidData(str(exc.msg), file=exc.filename or ", ".join(report.files),
                              line=exc.lineno, column=exc.offset) from exc
        if count is None:
            report.triples = _count(store, target)
        if progress is not None:
            progress(sum(p.stat().st_size for p in paths))
    else:
        store.extend(_stream(paths, target))
    return report


def _count(store: Store, graph: ox.NamedNode) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
    assert isinstance(rows, ox.QuerySolutions)
    n = next(iter(rows))["n"]
    return int(n.value) if n is not None else 0


def load_bundled(store: Store) -> None:
    """Load the ontology and the seeds into their named graphs, in one transaction.

    One transaction, so a store killed while seeding has either both or neither, and the
    next :func:`open_store` seeds it again.
    """
    quads = [q for p in ontology_files() for q in parse_file(p, graph=ONTOLOGY_GRAPH)]
    quads += [q for p in seed_files() for q in parse_file(p, graph=SEEDS_GRAPH)]
    store.extend(quads)


def open_store(path: Path | str | None = None, *, seed: bool = True,
               memory: bool = False) -> OxigraphStore:
    """Open (or create) the embedded store; on first use, load the ontology and the seeds.

    The one function every entry point uses. ``path=None`` means ``$SURVKG_STORE`` or the
    per-user default; ``memory=True`` gives a throw-away in-memory store (tests, benchmarks).
    A location with a URL scheme is never taken for a folder: ``http(s)://`` is a remote
    store (:func:`open_remote_store`), anything else is refused.
    """
    if memory:
        store = OxigraphStore(None)
    else:
        raw = str(path) if path is not None else os.environ.get("SURVKG_STORE", "")
        if location_scheme(raw) is not None:
            raise StoreLocationError(raw, remote=location_scheme(raw) in REMOTE_SCHEMES)
        store = OxigraphStore(Path(path) if path is not None else default_store_path())
    if seed and ONTOLOGY_GRAPH not in store.named_graphs():
        load_bundled(store)
    return store


def open_remote_store(url: str, *, seed: bool = True,
                      timeout: float | None = None) -> SparqlHttpStore:
    """Open a remote SPARQL 1.1 store; on first use, load the ontology and the seeds into it.

    The endpoints and credentials come from the environment where they differ from the
    URL's defaults (``SURVKG_STORE_UPDATE_URL``, ``SURVKG_STORE_GSP_URL``,
    ``SURVKG_STORE_CREDENTIALS`` as ``user:password``); see ``docs/remote-store.md``.
    ``timeout``: seconds any one request may take (the SPARQL endpoint's query limit).
    """
    scheme = location_scheme(url)
    if scheme not in REMOTE_SCHEMES:
        raise StoreLocationError(url, remote=False)
    store = SparqlHttpStore(url, update_url=os.environ.get("SURVKG_STORE_UPDATE_URL"),
                            graph_store_url=os.environ.get("SURVKG_STORE_GSP_URL"),
                            credentials=os.environ.get("SURVKG_STORE_CREDENTIALS"),
                            **({} if timeout is None else {"timeout": timeout}))
    if seed and ONTOLOGY_GRAPH not in store.named_graphs():
        load_bundled(store)
    return store
