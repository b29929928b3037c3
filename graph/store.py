"""The store: a small interface over a SPARQL 1.1 dataset, and its embedded implementation.

Everything above this module (loading, the exposure projection, the CLI, the web layer)
talks to :class:`Store` only, so that a remote SPARQL 1.1 store (Virtuoso, GraphDB,
Neptune) can take the embedded one's place later. Results and terms are pyoxigraph's
types: a remote implementation can produce them with ``pyoxigraph.parse_query_results``.

The embedded default is Oxigraph on disk (RocksDB): transactional, persistent and, as
measured in ``bench/``, one to two orders of magnitude faster than rdflib's in-memory
graph on loading and on analytical queries.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Protocol, cast

import pyoxigraph as ox
from platformdirs import user_data_dir

from graph.errors import QueryError
from graph.namespaces import PREFIXES

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class Store(Protocol):
    """What survkg needs of an RDF store."""

    location: str

    @property
    def version(self) -> int:
        """Increases on every write made through this object (used to refresh caches)."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[GraphName] | None = None,
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult: ...

    def update(self, sparql: str) -> None: ...

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction: all of them or none."""

    def bulk_add(self, quads: Iterable[ox.Quad], graph: ox.NamedNode,
                 commit: Sequence[ox.Quad]) -> None:
        """``quads`` into the empty ``graph`` then ``commit``, all or nothing (imports)."""

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph: GraphName) -> None:
        """Load a file in one transaction (the engine parses it)."""

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]: ...

    def named_graphs(self) -> list[ox.NamedNode | ox.BlankNode]: ...

    def clear_graph(self, graph: GraphName) -> None: ...

    def export(self, output: IO[bytes] | str | None, fmt: ox.RdfFormat) -> bytes | None: ...

    def __len__(self) -> int: ...

    def flush(self) -> None: ...

    def close(self) -> None:
        """Release the store; the object must not be used afterwards."""


def default_store_path() -> Path:
    """``$SURVKG_STORE`` if set, else a folder in the per-user data directory."""
    env = os.environ.get("SURVKG_STORE")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("survkg", appauthor=False)) / "store"


#: Marker file of a bulk load in progress, in the store folder (see ``bulk_load_files``).
BULK_JOURNAL = "survkg-bulk-load.json"


class OxigraphStore:
    """The embedded store: Oxigraph on disk, or in memory when ``path`` is None.

    Writes are serialised by a lock (RocksDB transactions are optimistic; one writer at a
    time keeps conflicts impossible) and flushed to disk before the call returns, so a
    write that has been acknowledged survives a crash.

    Large files go through :meth:`bulk_load_files` (Oxigraph's bulk loader, several times
    faster and leaner than one huge transaction) under a journal: opening the store
    read-write after a crash mid-load removes what that load had written.
    """

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.location = str(path) if path is not None else ":memory:"
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))
        self._persistent = path is not None and not read_only
        self._path = path
        self._write_lock = threading.Lock()
        self._version = 0
        if self._persistent:
            self._recover()

    @property
    def persistent(self) -> bool:
        """True for a read-write store on disk (the one that can bulk-load)."""
        return self._persistent

    @property
    def version(self) -> int:
        return self._version

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for code that must stream results in the engine's formats."""
        return self._store

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[GraphName] | None = None,
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        try:
            if default_graph is not None or named_graphs is not None:
                return self._store.query(
                    sparql, default_graph=default_graph, named_graphs=named_graphs
                )
            return self._store.query(sparql, use_default_graph_as_union=union_default_graph)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc

    def update(self, sparql: str) -> None:
        with self._write_lock:
            try:
                self._store.update(sparql)
            except SyntaxError as exc:
                raise QueryError(f"SPARQL syntax error: {exc}") from exc
            self._after_write()

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        with self._write_lock:
            self._store.extend(quads)
            self._after_write()

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph: GraphName) -> None:
        with self._write_lock:
            self._store.load(path=str(path), format=fmt, to_graph=graph)
            self._after_write()

    def bulk_load_files(self, files: Sequence[tuple[Path, ox.RdfFormat]],
                        graph: ox.NamedNode,
                        progress: Callable[[int], None] | None = None) -> None:
        """Bulk-load triple files into ``graph``, which must be empty: all of them or none.

        Oxigraph's bulk loader writes sorted files and ingests them batch by batch (each
        batch atomically across the indexes), so a crash can leave part of a load behind.
        A journal naming ``graph`` is made durable first and removed only once every file
        is in: a store opened with a journal present had its load interrupted, and
        :meth:`_recover` empties ``graph`` again. Any error empties it before re-raising.
        A syntax error found here costs a rollback. ``progress`` is called with the bytes
        of the files read so far (the loader reads through a metered file object).
        """
        if any(fmt.supports_datasets for _, fmt in files):
            raise ValueError("bulk loading takes triple formats only")
        with self._journaled(graph, {"files": [str(p) for p, _ in files]}):
            done = 0
            for path, fmt in files:
                if progress is None:
                    self._store.bulk_load(path=str(path), format=fmt, to_graph=graph)
                else:
                    with path.open("rb") as fh:
                        metered = cast(IO[bytes], _Metered(fh, done, progress))
                        self._store.bulk_load(metered, format=fmt, to_graph=graph)
                    done += path.stat().st_size
            self._store.flush()

    def bulk_add(self, quads: Iterable[ox.Quad], graph: ox.NamedNode,
                 commit: Sequence[ox.Quad]) -> None:
        """Bulk-load ``quads`` (all in ``graph``, which must be empty), then add ``commit``
        in one transaction: all of it or none, also across a crash.

        For imports: the data goes in through the bulk loader (several times faster than
        one transaction, and without holding the transaction in memory) under the same
        journal as :meth:`bulk_load_files`; ``commit`` (the catalogue entry) is the
        transaction that makes it count. The journal names ``commit[0]``: after a crash,
        :meth:`_recover` keeps ``graph`` if that quad is in the store (the commit was
        durable) and empties it otherwise. Readers may see part of ``graph`` during the
        load, as with any bulk load, but not its catalogue entry.
        """
        if not self._persistent or self._path is None:
            self.extend(itertools.chain(quads, commit))
            return
        self._bulk_then_commit(graph, commit,
                               lambda: self._store.bulk_extend(_only_in(quads, graph)))

    def bulk_add_files(self, paths: Sequence[Path], graph: ox.NamedNode,
                       commit: Sequence[ox.Quad]) -> None:
        """:meth:`bulk_add` for triples already written to N-Triples files (an import
        prepared by its worker process, :mod:`graph.imports.worker`): the engine parses
        and loads each file itself, without holding the GIL (measured: a thread of the
        same process keeps running at its idle rate), so the server answers meanwhile;
        its bulk loader holds about one file in memory at a time. Every triple goes into
        ``graph`` (the files have no graph names to honour). The loader renames blank
        nodes per file, so a blank node must not span two files. The files were written
        by survkg from parsed, checked terms: they are loaded ``lenient`` (no second
        IRI validation)."""
        if not self._persistent or self._path is None:
            raise ValueError("bulk loading needs a read-write store on disk")

        def load() -> None:
            for path in paths:
                self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES,
                                      to_graph=graph, lenient=True)

        self._bulk_then_commit(graph, commit, load)

    def _bulk_then_commit(self, graph: ox.NamedNode, commit: Sequence[ox.Quad],
                          load: Callable[[], None]) -> None:
        """``load`` into the empty ``graph``, then ``commit`` in one transaction, under a
        journal naming ``commit[0]`` (the quad that marks the load done)."""
        if not commit:
            raise ValueError("bulk_add needs a commit transaction (the quad that marks it done)")
        marker = bytes(ox.serialize([commit[0]], format=ox.RdfFormat.N_QUADS) or b"").decode()
        with self._journaled(graph, {"marker": marker}):
            load()
            self._store.flush()
            self._store.extend(commit)
            self._store.flush()

    @contextlib.contextmanager
    def _journaled(self, graph: ox.NamedNode, entry: dict[str, Any]) -> Iterator[None]:
        """The write lock and a durable journal naming the empty ``graph`` around a bulk
        write: an error empties ``graph`` again; the journal goes once the write is done."""
        if not self._persistent or self._path is None:
            raise ValueError("bulk loading needs a read-write store on disk")
        journal = self._path / BULK_JOURNAL
        with self._write_lock:
            if next(iter(self._store.quads_for_pattern(None, None, None, graph)), None):
                raise ValueError(f"graph <{graph.value}> is not empty")
            _write_durably(journal, json.dumps({"graph": graph.value, **entry}))
            try:
                yield
            except BaseException:
                self._empty_graph(graph)
                _remove_durably(journal)
                raise
            _remove_durably(journal)
            self._version += 1

    def _recover(self) -> None:
        """Undo a bulk load that a crash interrupted (its journal is still there), unless
        its commit transaction is in the store (:meth:`bulk_add`)."""
        assert self._path is not None
        journal = self._path / BULK_JOURNAL
        if not journal.exists():
            return
        try:
            entry = json.loads(journal.read_text(encoding="utf-8"))
            graph = ox.NamedNode(entry["graph"])
            marker = list(ox.parse(entry["marker"].encode(), format=ox.RdfFormat.N_QUADS)
                          ) if entry.get("marker") else []
        except (ValueError, KeyError, TypeError, SyntaxError):
            # The journal itself was cut short: it is written before any data, so the
            # load never started.
            _remove_durably(journal)
            return
        if not (marker and marker[0] in self._store):
            self._empty_graph(graph)
        _remove_durably(journal)

    def _empty_graph(self, graph: ox.NamedNode, chunk: int = 100_000) -> None:
        """Delete every quad of ``graph`` in bounded transactions (idempotent, so a crash
        during recovery is recovered by the next open)."""
        update = (f"DELETE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?s ?p ?o "
                  f"WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }} LIMIT {chunk} }} }}")
        while next(iter(self._store.quads_for_pattern(None, None, None, graph)), None):
            self._store.update(update)
        self._store.flush()

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        return self._store.quads_for_pattern(subject, predicate, obj, graph)

    def named_graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        return list(self._store.named_graphs())

    def clear_graph(self, graph: GraphName) -> None:
        with self._write_lock:
            self._store.clear_graph(graph)
            self._after_write()

    def export(self, output: IO[bytes] | str | None, fmt: ox.RdfFormat) -> bytes | None:
        if fmt.supports_datasets:
            return self._store.dump(output, format=fmt, prefixes=PREFIXES)
        return serialize_union(self._store, output, fmt)

    def __len__(self) -> int:
        return len(self._store)

    def flush(self) -> None:
        if self._persistent:
            self._store.flush()

    def close(self) -> None:
        """Flush and drop the engine, releasing the folder's lock now rather than whenever
        the garbage collector gets to it (a second open in the same process needs it)."""
        if hasattr(self, "_store"):
            self.flush()
            del self._store

    def _after_write(self) -> None:
        self._version += 1
        self.flush()


class _Metered(io.RawIOBase):
    """A file read through, reporting the bytes read (plus ``start``) as it goes."""

    def __init__(self, fh: IO[bytes], start: int, progress: Callable[[int], None]) -> None:
        super().__init__()
        self._fh, self._read, self._progress, self._next = fh, start, progress, start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._fh.readinto(buffer)  # type: ignore[attr-defined]
        self._read += n or 0
        if self._read >= self._next:
            self._progress(self._read)
            self._next = self._read + (1 << 20)
        return n or 0


def _only_in(quads: Iterable[ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    for q in quads:
        if q.graph_name != graph:
            raise ValueError(f"a bulk-added quad is outside <{graph.value}>: {q}")
        yield q


def serialize_union(quads: Iterable[ox.Quad], output: IO[bytes] | str | None,
                    fmt: ox.RdfFormat) -> bytes | None:
    """Quads in a triples-only format: the union of all graphs (duplicates collapse)."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return ox.serialize(triples, output, format=fmt, prefixes=PREFIXES)


def fsync_path(path: Path) -> None:
    """Flush a file or a folder to disk (a folder: so that a new or renamed entry in it
    survives a crash). The one fsync helper of the store, audit log and backups."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, text: str) -> None:
    """Write ``path`` so that it exists, complete, after a crash (write, fsync, rename)."""
    write_durably_bytes(path, text.encode("utf-8"))


def write_durably_bytes(path: Path, data: bytes) -> None:
    """Write ``path`` so that it exists, complete, after a crash (write, fsync, rename)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_path(path.parent)


def _remove_durably(path: Path) -> None:
    path.unlink(missing_ok=True)
    fsync_path(path.parent)
