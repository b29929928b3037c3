"""The code that runs inside a query worker process.

A worker opens one read-only snapshot of the store, says it is ready, then answers tasks
from its pipe one at a time: run the query, cut the result at the row limit, serialise it
and send back the bytes. The parent kills it when a query runs past its time limit, so
nothing here needs to be interruptible. Each text is checked on its parse tree
(:mod:`api.sparql.parsed`) before the engine sees it, in this process, under the same time
limit; importing that parser is most of a fresh worker's start-up (about 0.5 s).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import pickle
import re
import resource
import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import pyoxigraph as ox

from api.sparql.inspect import SERVICE_REFUSED
from api.sparql.parsed import ParsedSyntaxError, check_query, check_update
from graph.errors import QueryRefused
from graph.namespaces import PREFIXES

RESULT_FORMATS = {
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
_PR_SET_PDEATHSIG, _SIGKILL = 1, 9
#: An engine error that tells of a network attempt is never shown as such (it would make
#: the endpoint a port scanner): the parse check should have refused it already.
_NETWORK_ERROR = re.compile(r"os error \d+|connection|network|unreachable|\bdns\b|service",
                            re.IGNORECASE)


@dataclass(frozen=True)
class Snapshot:
    """A read-only copy of the store at one version: a RocksDB checkpoint or an N-Quads dump."""

    version: int
    kind: str  # "rocksdb" | "nquads" | "remote" (``path`` is then the store's URL)
    path: str
    #: Seconds one request to a remote store may take (the endpoint's time limit).
    timeout: float | None = None


@dataclass(frozen=True)
class Task:
    text: str
    base: str | None
    fmt: str
    max_rows: int
    #: None: the union of all graphs (or the query's own FROM when ``from_query``).
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    from_query: bool = False


def isolate_network() -> bool:
    """Move this process into an empty network namespace, where possible (Linux).

    Defence in depth behind the parse-tree check of ``api.sparql.parsed``: if a query
    ever reached the engine's HTTP client, there would be no network to reach. Needs root
    or unprivileged user namespaces; without them :func:`forbid_inet_sockets` and the
    check are the protection.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        flags = _CLONE_NEWNET if os.geteuid() == 0 else _CLONE_NEWUSER | _CLONE_NEWNET
        return bool(libc.unshare(flags) == 0)
    except (OSError, AttributeError):
        return False


#: seccomp: (audit arch, number of socket(2)) per architecture this filter knows.
_SOCKET_SYSCALL = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
_AF_INET, _AF_INET6, _EACCES = 2, 10, 13


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def forbid_inet_sockets() -> bool:
    """Make ``socket(AF_INET | AF_INET6, ...)`` fail with EACCES in this process (Linux).

    A seccomp filter needs no privilege (only ``no_new_privs``), so this holds where a
    network namespace cannot be had (no root, no CAP_SYS_ADMIN): the engine's HTTP client
    cannot even open a socket. Other system calls are untouched.
    """
    known = _SOCKET_SYSCALL.get(os.uname().machine)
    if known is None:
        return False
    arch, nr = known
    ld, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_RET|K
    allow, deny = 0x7FFF0000, 0x00050000 | _EACCES  # SECCOMP_RET_ALLOW / RET_ERRNO
    program = [
        (ld, 0, 0, 4), (jeq, 0, 5, arch),          # another ABI: allow
        (ld, 0, 0, 0), (jeq, 0, 3, nr),            # not socket(2): allow
        (ld, 0, 0, 16), (jeq, 2, 0, _AF_INET),     # args[0], the address family
        (jeq, 1, 0, _AF_INET6),
        (ret, 0, 0, allow), (ret, 0, 0, deny),
    ]
    filters = (_SockFilter * len(program))(*(_SockFilter(*i) for i in program))
    prog = _SockFprog(len(program), filters)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        return bool(libc.prctl(22, 2, ctypes.byref(prog), 0, 0) == 0)  # SECCOMP_MODE_FILTER
    except (OSError, AttributeError):
        return False


def die_with_parent() -> None:
    """Ask Linux to kill this worker when the server dies, even by SIGKILL mid-query."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, _SIGKILL)


def open_snapshot(snap: Snapshot, *, writable: bool = False) -> ox.Store:
    """The store in ``snap``: read-only for queries, writable for an update's rehearsal
    (a private copy that nothing else opens)."""
    if snap.kind == "rocksdb":
        return ox.Store(snap.path) if writable else ox.Store.read_only(snap.path)
    store = ox.Store()
    store.bulk_load(path=snap.path, format=ox.RdfFormat.N_QUADS)
    return store


def _take(items: Iterator[Any], limit: int) -> tuple[list[Any], bool]:
    out: list[Any] = []
    for item in items:
        if len(out) == limit:
            return out, True
        out.append(item)
    return out, False


def serialize(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str,
              max_rows: int) -> tuple[bytes, bool]:
    """The result in format ``fmt``, cut after ``max_rows`` rows or triples; and whether cut."""
    if isinstance(result, ox.QueryBoolean):
        return result.serialize(format=RESULT_FORMATS[fmt]) or b"", False
    if isinstance(result, ox.QueryTriples):
        return serialize_triples(iter(result), fmt, max_rows)
    return _solutions(result, fmt, max_rows)


def serialize_triples(triples: Iterator[ox.Triple], fmt: str, max_rows: int
                      ) -> tuple[bytes, bool]:
    """CONSTRUCT / DESCRIBE triples in format ``fmt``, cut after ``max_rows``; whether cut
    (the rest of ``triples`` is never read)."""
    kept, cut = _take(triples, max_rows)
    prefixes = PREFIXES if fmt in ("turtle", "jsonld", "rdfxml") else None
    return ox.serialize(kept, format=RDF_FORMATS[fmt], prefixes=prefixes) or b"", cut


class _Enough(Exception):
    """Raised from inside the engine's serialiser once the row limit is passed."""


class _RowCounter:
    """A file for the engine's TSV writer that counts rows (lines) and stops it at the limit.

    TSV escapes line breaks inside terms, so lines are rows; the TSV then converts to the
    asked format inside the engine, losslessly (TSV carries whole RDF terms). All of it
    runs in Rust: measured faster than building SPARQL JSON in Python.
    """

    def __init__(self, max_rows: int) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self.limit = max_rows + 1  # the header line, then the rows

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise _Enough
        return len(data)

    def flush(self) -> None:
        return None


def _solutions(result: ox.QuerySolutions, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    sink = _RowCounter(max_rows)
    try:
        result.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
        cut = False
    except _Enough:
        cut = True
    tsv = b"".join(sink.parts)
    if cut:
        tsv = b"\n".join(tsv.split(b"\n", sink.limit)[: sink.limit]) + b"\n"
    if fmt == "tsv":
        return tsv, cut
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=RESULT_FORMATS[fmt]) or b"", cut


def _graph_names(store: ox.Store) -> set[str]:
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def execute(store: ox.Store, task: Task) -> tuple[bytes, bool]:
    checked = check_query(task.text, base=task.base, local=lambda: _graph_names(store))
    kwargs: dict[str, Any] = {"base_iri": task.base, "prefixes": PREFIXES}
    if task.default_graph is not None or task.named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in task.default_graph or []]
        if task.named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in task.named_graphs]
    elif not (task.from_query or checked.has_from):
        kwargs["use_default_graph_as_union"] = True
    return serialize(store.query(task.text, **kwargs), task.fmt, task.max_rows)


def read_frame(stream: BinaryIO) -> Any:
    header = stream.read(4)
    if len(header) < 4:
        raise EOFError
    (size,) = struct.unpack("!I", header)
    return pickle.loads(stream.read(size))


def write_frame(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("!I", len(data)) + data)
    stream.flush()


def engine_error(exc: BaseException) -> str:
    """The engine's message, unless it tells of a network attempt."""
    text = f"{type(exc).__name__}: {exc}"
    return SERVICE_REFUSED if _NETWORK_ERROR.search(text) else text


def answer(store: ox.Store, task: Task) -> tuple[Any, ...]:
    try:
        body, cut = execute(store, task)
        return ("ok", body, cut)
    except QueryRefused as exc:
        return ("refused", str(exc))
    except (SyntaxError, ParsedSyntaxError) as exc:
        return ("syntax", str(exc))
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        return ("error", engine_error(exc))


def rehearse_update(text: str, copy: Snapshot, started: Callable[[], None],
                    base: str | None = None) -> tuple[Any, ...]:
    """Check an update on its parse tree, then run it on ``copy``, a private writable
    copy of the store: the server runs it on the store only if this finishes within its
    time limit (the server kills this process at the limit). What fails here on the
    store's own data (a non-SILENT ``DROP GRAPH`` of a missing graph) fails the same way
    on the store, with the engine's message."""
    store = open_snapshot(copy, writable=True)
    started()
    try:
        check_update(text, base=base)
        store.update(text)
    except QueryRefused as exc:
        return ("refused", str(exc))
    except (SyntaxError, ParsedSyntaxError) as exc:
        return ("syntax", str(exc))
    except (OSError, ValueError, RuntimeError):
        pass  # the real run reports it, with the real message
    return ("ok",)


def limit_memory(megabytes: int) -> None:
    """Cap this worker's data segment (heap and anonymous maps): past it, it dies alone."""
    if megabytes > 0:
        cap = megabytes * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))


def main() -> None:
    """``python -m api.sparql.worker``: frames in on stdin, frames out on stdout.

    The first frame names the job: a :class:`Snapshot` to serve queries from (answered
    ``("ready", version)``, then one answer per :class:`Task`; a remote store's snapshot is
    its URL, and its tasks are forwarded), or an update to check and
    rehearse once on a private copy of the store (``("rehearse", text, copy)``).
    """
    args = argparse.ArgumentParser(prog="api.sparql.worker")
    args.add_argument("--no-isolation", action="store_true",
                      help="keep the server's network (tests of the parse check)")
    args.add_argument("--memory-mb", type=int, default=0)
    opts = args.parse_args()
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the frames
    inp = sys.stdin.buffer
    die_with_parent()
    if not opts.no_isolation:
        isolate_network()
        forbid_inet_sockets()
    limit_memory(opts.memory_mb)
    job = read_frame(inp)
    if isinstance(job, tuple) and job[0] == "rehearse":
        _, text, copy = job
        write_frame(out, rehearse_update(text, copy, started=lambda: write_frame(
            out, ("started",))))
        return
    respond = _remote(job) if job.kind == "remote" else _local(job)
    write_frame(out, ("ready", job.version))
    while True:
        try:
            task = read_frame(inp)
        except EOFError:
            return
        write_frame(out, respond(task))


def _local(snap: Snapshot) -> Callable[[Task], tuple[Any, ...]]:
    store = open_snapshot(snap)
    return lambda task: answer(store, task)


def _remote(snap: Snapshot) -> Callable[[Task], tuple[Any, ...]]:
    """Tasks forwarded to the remote store at ``snap.path`` (api/sparql/forward.py)."""
    from api.sparql.forward import answer_remote
    from graph.loading import open_remote_store
    store = open_remote_store(snap.path, seed=False, timeout=snap.timeout)
    return lambda task: answer_remote(store, task)


if __name__ == "__main__":
    main()
