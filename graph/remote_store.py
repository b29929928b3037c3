"""A remote SPARQL 1.1 store behind the :class:`graph.store.Store` interface.

For users who outgrow one embedded store: the data lives in a SPARQL server (Oxigraph's
``oxigraph serve``, Virtuoso, Jena Fuseki, GraphDB...) and survkg speaks only the W3C
protocols to it:

- queries and updates: the SPARQL 1.1 Protocol, always as form-encoded POST
  (``application/x-www-form-urlencoded``; never the direct ``application/sparql-query``
  POST, which hangs Virtuoso 7.2, its issue 842);
- whole-graph loads: the SPARQL 1.1 Graph Store HTTP Protocol, when the server has one;
- results: parsed by ``pyoxigraph.parse_query_results`` (SELECT, ASK) or
  ``pyoxigraph.parse`` (CONSTRUCT, DESCRIBE), so callers get pyoxigraph's types as from
  the embedded store.

What the protocols leave open, and the choice made here (``docs/remote-store.md``):

- **The union default graph.** Servers differ (Oxigraph: the default graph is its own
  graph unless asked; Virtuoso: the union of everything). survkg names its dataset
  explicitly in every query: every named graph as ``default-graph-uri`` *and*
  ``named-graph-uri``, which the protocol defines the same way everywhere. The list is
  cached per generation (below).
- **The version used to refresh caches.** A generation counter kept in a store-side
  graph of its own (:data:`META_GRAPH`, never part of the dataset above, of exports or
  of counts) is incremented *in the same update request* as every write made through
  survkg, so a write and its generation bump are one transaction. ``version`` polls the
  counter (at most every ``poll_seconds``), so writes by other survkg processes are seen
  too.
- **All-or-nothing writes.** Each write is one update request, which SPARQL servers run
  as one transaction (Oxigraph does; the Update spec asks implementations to). Blank
  nodes stay one graph's because the quads travel in one request.
- **Bulk loads.** Large files belong in the server's own offline loader (``oxigraph
  load``, Virtuoso's ``ld_dir``); over HTTP a file is one Graph Store Protocol POST
  (the server parses it) or, for a dataset format, parsed here and sent as one update.
- **Counting.** ``len()`` is a ``COUNT(*)``: slow on large stores on some servers;
  survkg calls it only for ``info``.
- **Virtuoso** (recognised by its ``Server`` header): its default graph is the union of
  every graph, its own system graphs included, so survkg reads only the named graphs
  that are not Virtuoso's and refuses writes to the default graph; its other departures
  are handled in :mod:`graph.remote_virtuoso`.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from graph import remote_virtuoso as virtuoso
from graph.errors import QueryError, SurvkgError
from graph.namespaces import PREFIXES
from graph.store import GraphName, QueryResult, serialize_union

#: The graph holding survkg's generation counter on a remote store (not data).
META_GRAPH = ox.NamedNode("urn:survkg:store-meta")
_GENERATION = ox.NamedNode("https://w3id.org/survkg/ontology#storeGeneration")
_SUBJECT = ox.NamedNode("urn:survkg:store")

#: The schemes a store location may carry; anything else is refused (never a folder).
REMOTE_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")

_SELECT_ACCEPT = virtuoso.RESULTS_ACCEPT
_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": ox.QueryResultsFormat.CSV,
}


class RemoteStoreError(SurvkgError):
    """The remote store could not be reached or answered with an error (message says which)."""


def location_scheme(location: str) -> str | None:
    """The URL scheme of a store location, or None for a folder path.

    A Windows drive letter (``C:``) is a path, not a scheme.
    """
    match = _SCHEME.match(location)
    if match is None or len(match.group(1)) == 1:
        return None
    return match.group(1).lower()


@dataclass(frozen=True)
class Endpoints:
    """Where the server answers queries, updates and Graph Store Protocol requests."""

    query: str
    update: str
    graph_store: str | None

    @classmethod
    def from_url(cls, url: str, *, update: str | None = None,
                 graph_store: str | None = None) -> Endpoints:
        """Endpoints for a store URL.

        A bare server URL (``http://host:7878/``) means Oxigraph's layout (``/query``,
        ``/update``, ``/store``); any other path is the one SPARQL endpoint for queries and
        updates, with no Graph Store Protocol unless ``graph_store`` names one.
        """
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in REMOTE_SCHEMES or not parts.netloc:
            raise RemoteStoreError(f"not a SPARQL endpoint URL: {url!r} (http or https)")
        if parts.path in ("", "/"):
            base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", "", ""))
            return cls(base + "/query", update or base + "/update",
                       graph_store or base + "/store")
        return cls(url, update or url, graph_store)


class SparqlHttpStore:
    """A store that lives in a SPARQL 1.1 server, spoken to over HTTP only."""

    def __init__(self, url: str, *, update_url: str | None = None,
                 graph_store_url: str | None = None, credentials: str | None = None,
                 timeout: float = 300.0, poll_seconds: float = 0.5) -> None:
        self.location = url
        self.endpoints = Endpoints.from_url(url, update=update_url, graph_store=graph_store_url)
        self._opener = _opener(url, credentials)
        self.server: str | None = None   # the Server header of the last answer
        self._timeout = timeout
        self._poll = poll_seconds
        self._lock = threading.Lock()
        self._generation = -1
        self._checked = 0.0
        self._graphs: tuple[int, list[ox.NamedNode | ox.BlankNode]] | None = None
        #: HTTP requests sent so far (the frontier benchmark and tests count them).
        self.requests = 0

    # -- the version -------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The store's generation: bumped with every write made through survkg."""
        now = time.monotonic()
        if now - self._checked >= self._poll:
            self._refresh_generation()
        return self._generation

    def _refresh_generation(self) -> None:
        sparql = (f"SELECT ?n WHERE {{ GRAPH {META_GRAPH} {{ {_SUBJECT} {_GENERATION} ?n }} }}")
        rows = list(self._select(sparql, dataset=False))
        value = rows[0]["n"] if rows else None
        with self._lock:
            self._generation = int(value.value) if isinstance(value, ox.Literal) else 0
            self._checked = time.monotonic()

    def _bump(self) -> str:
        """An update operation that increments the generation (sent with every write).

        The old value comes from an aggregate sub-select: Virtuoso 7.2 inserts nothing
        for ``OPTIONAL {...} BIND(COALESCE(?old, 0) + 1 AS ?new)`` on a first write.
        """
        g, s, p = META_GRAPH, _SUBJECT, _GENERATION
        return (f"DELETE {{ GRAPH {g} {{ {s} {p} ?old }} }} "
                f"INSERT {{ GRAPH {g} {{ {s} {p} ?new }} }} "
                f"WHERE {{ {{ SELECT (MAX(?n) AS ?old) WHERE {{ GRAPH {g} {{ {s} {p} ?n }} }} }} "
                f"BIND(COALESCE(?old, 0) + 1 AS ?new) }}")

    @property
    def is_virtuoso(self) -> bool:
        """Whether the server is Virtuoso (its default graph is the union of all)."""
        if self.server is None:
            self._refresh_generation()
        return virtuoso.is_virtuoso(self.server)

    def _refuse_default_graph(self, graphs: Iterable[GraphName]) -> None:
        if self.is_virtuoso and any(isinstance(g, ox.DefaultGraph) for g in graphs):
            raise RemoteStoreError("Virtuoso has no default graph of its own (its default "
                                   "graph is the union of all graphs): write to a named graph")

    # -- queries -------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[GraphName] | None = None,
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        params: list[tuple[str, str]] = [("query", sparql)]
        if default_graph is not None or named_graphs is not None:
            for g in default_graph or []:
                if not isinstance(g, ox.NamedNode):
                    raise QueryError("a remote store names its default graphs by IRI only")
                params.append(("default-graph-uri", g.value))
            for g in named_graphs or []:
                if isinstance(g, ox.NamedNode):
                    params.append(("named-graph-uri", g.value))
        elif union_default_graph:
            for g in self.named_graphs():
                if isinstance(g, ox.NamedNode):
                    params += [("default-graph-uri", g.value), ("named-graph-uri", g.value)]
        body, media = self._post(self.endpoints.query, params,
                                 accept=virtuoso.accept_for(sparql))
        return _parse_results(body, media)

    def _select(self, sparql: str, *, dataset: bool = True) -> ox.QuerySolutions:
        """A SELECT over survkg's dataset, or (``dataset=False``) as the server sees it
        (survkg's own reads of named graphs and of the generation graph)."""
        result = (self.query(sparql) if dataset else _parse_results(
            *self._post(self.endpoints.query, [("query", sparql)], accept=_SELECT_ACCEPT)))
        if not isinstance(result, ox.QuerySolutions):
            raise RemoteStoreError("the server answered a SELECT with something else")
        return result

    # -- writes --------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        self._write(sparql.rstrip().rstrip(";"))

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """One ``INSERT DATA`` request: all of the quads or none of them."""
        by_graph: dict[GraphName, list[str]] = {}
        blank = False
        for q in quads:
            by_graph.setdefault(q.graph_name, []).append(
                f"{q.subject} {q.predicate} {q.object} .")
            blank = blank or isinstance(q.subject, ox.BlankNode) or isinstance(q.object,
                                                                               ox.BlankNode)
        if not by_graph:
            return
        self._refuse_default_graph(by_graph)
        blocks = []
        for graph, triples in by_graph.items():
            body = "\n".join(triples)
            blocks.append(body if isinstance(graph, ox.DefaultGraph)
                          else f"GRAPH {graph} {{\n{body}\n}}")
        body = "\n".join(blocks)
        # Blank nodes go in a template (a fresh node per label for the whole request, as
        # in INSERT DATA): Virtuoso 7.2 refuses them in INSERT DATA, which the standard allows.
        self._write(f"INSERT {{\n{body}\n}} WHERE {{}}" if blank
                    else f"INSERT DATA {{\n{body}\n}}")

    def bulk_add(self, quads: Iterable[ox.Quad], graph: ox.NamedNode,
                 commit: Sequence[ox.Quad]) -> None:
        """An import's data and its catalogue entry: one request, all or nothing (a remote
        store has no bulk loader of ours)."""
        self.extend([*quads, *commit])

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph: GraphName) -> None:
        """One Graph Store Protocol POST (the server parses), or one update."""
        self._refuse_default_graph([graph])
        if (self.endpoints.graph_store is None or fmt.supports_datasets
                or not isinstance(graph, ox.NamedNode)):
            parsed = ox.parse(path=str(path), format=fmt)
            self.extend(parsed if fmt.supports_datasets else
                        (ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed))
            return
        # The GSP has no way to bump the generation in the same request: the load goes into
        # a staging graph first, then one update moves it into place with the bump.
        staging = ox.NamedNode(f"urn:survkg:staging:{time.time_ns()}")
        url = self.endpoints.graph_store + "?" + urllib.parse.urlencode({"graph": staging.value})
        self._request(url, path.read_bytes(), content_type=fmt.media_type, accept="*/*")
        try:
            self._write(f"ADD SILENT {staging} TO {graph} ;\nDROP SILENT GRAPH {staging}")
        except BaseException:
            self._request(self.endpoints.update, _form([("update",
                          f"DROP SILENT GRAPH {staging}")]), accept="*/*")
            raise

    def clear_graph(self, graph: GraphName) -> None:
        self._refuse_default_graph([graph])
        target = "DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph}"
        self._write(f"CLEAR SILENT {target}")

    def _write(self, sparql: str) -> None:
        """One update request: the generation bump, then the write.

        The bump goes first: where a server keeps the operations before a failing one
        (Virtuoso 7.2 does), the version still moves, so no cache keeps stale data.
        """
        try:
            self._post(self.endpoints.update, [("update", self._bump() + " ;\n" + sparql)],
                       accept="*/*")
        finally:
            self._checked = 0.0   # the next version read asks the server again

    # -- reading quads ---------------------------------------------------------------------

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        s = str(subject) if subject is not None else "?s"
        p = str(predicate) if predicate is not None else "?p"
        o = str(obj) if obj is not None else "?o"
        pattern = f"{s} {p} {o}"
        if graph is None and self.is_virtuoso:
            yield from self._virtuoso_quads(pattern, subject, predicate, obj)
            return
        if isinstance(graph, ox.DefaultGraph) and self.is_virtuoso:
            return   # nothing is ever written there (refused above)
        if isinstance(graph, ox.DefaultGraph):
            sparql = f"SELECT * WHERE {{ {pattern} }}"
        elif graph is not None:
            sparql = f"SELECT * WHERE {{ GRAPH {graph} {{ {pattern} }} }}"
        else:
            sparql = (f"SELECT * WHERE {{ {{ {pattern} }} UNION "
                      f"{{ GRAPH ?g {{ {pattern} }} FILTER(?g != {META_GRAPH}) }} }}")
        for row in self._select(sparql, dataset=False):
            g = row["g"] if graph is None else graph
            yield ox.Quad(subject or row["s"], predicate or row["p"],
                          obj or row["o"], g if g is not None else ox.DefaultGraph())

    def _virtuoso_quads(self, pattern: str, subject: ox.NamedNode | ox.BlankNode | None,
                        predicate: ox.NamedNode | None,
                        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Iterator[ox.Quad]:
        """Every quad of survkg's named graphs: Virtuoso's default graph is their union."""
        graphs = [g for g in self.named_graphs() if isinstance(g, ox.NamedNode)]
        if not graphs:
            return
        result = self.query(f"SELECT * WHERE {{ GRAPH ?g {{ {pattern} }} }}",
                            default_graph=[], named_graphs=list(graphs))
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            yield ox.Quad(subject or row["s"], predicate or row["p"], obj or row["o"], row["g"])

    def named_graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        version = self.version
        cached = self._graphs
        if cached is not None and cached[0] == version:
            return list(cached[1])
        rows = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                            f"FILTER(?g != {META_GRAPH}) }}", dataset=False)
        graphs = [r["g"] for r in rows if isinstance(r["g"], ox.NamedNode | ox.BlankNode)]
        if self.is_virtuoso:
            graphs = [g for g in graphs if not g.value.startswith(virtuoso.SYSTEM_GRAPHS)]
        self._graphs = (version, graphs)
        return list(graphs)

    def export(self, output: IO[bytes] | str | None, fmt: ox.RdfFormat) -> bytes | None:
        if fmt.supports_datasets:
            return ox.serialize(list(self.quads()), output, format=fmt, prefixes=PREFIXES)
        return serialize_union(self.quads(), output, fmt)

    def __len__(self) -> int:
        if self.is_virtuoso:
            graphs = [g for g in self.named_graphs() if isinstance(g, ox.NamedNode)]
            result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                default_graph=[], named_graphs=list(graphs))
            assert isinstance(result, ox.QuerySolutions)
            return sum(int(r["n"].value) for r in result if isinstance(r["n"], ox.Literal))
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ ?s ?p ?o }} UNION "
                            f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {META_GRAPH}) }} }}",
                            dataset=False)
        for row in rows:
            n = row["n"]
            return int(n.value) if isinstance(n, ox.Literal) else 0
        return 0

    def flush(self) -> None:
        """Nothing to do: the server acknowledges a write once it is durable."""

    def close(self) -> None:
        """Nothing to release: every request is its own connection."""

    # -- HTTP ----------------------------------------------------------------------------

    def _post(self, url: str, params: list[tuple[str, str]], *, accept: str) -> tuple[bytes, str]:
        return self._request(url, _form(params), accept=accept,
                             content_type="application/x-www-form-urlencoded")

    def _request(self, url: str, body: bytes, *, accept: str,
                 content_type: str = "application/x-www-form-urlencoded") -> tuple[bytes, str]:
        headers = {"Content-Type": content_type, "Accept": accept,
                   "User-Agent": "survkg-remote-store"}
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")
        self.requests += 1
        try:
            with self._opener.open(req, timeout=self._timeout) as resp:
                self.server = resp.headers.get("Server", "")
                media = resp.headers.get_content_type()
                if not virtuoso.is_virtuoso(self.server):
                    return resp.read(), media
                virtuoso.refuse_partial(resp.headers)
                return virtuoso.normalise_results(resp.read()), media
        except urllib.error.HTTPError as exc:
            self.server = exc.headers.get("Server", "")
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            if exc.code == 400 or virtuoso.QUERY_ERRORS.search(detail):
                raise QueryError(f"the remote store refused the request: {detail}") from None
            if "SR186" in detail:   # Virtuoso: no update permission on this endpoint
                raise RemoteStoreError(
                    f"the remote store at {self.location} refused the write: Virtuoso takes "
                    "updates only on /sparql-auth with credentials (SURVKG_STORE_UPDATE_URL, "
                    f"SURVKG_STORE_CREDENTIALS): {detail}") from None
            raise RemoteStoreError(f"the remote store at {self.location} answered "
                                   f"{exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteStoreError(f"cannot reach the remote store at {self.location}: "
                                   f"{reason}") from None


def _opener(url: str, credentials: str | None) -> urllib.request.OpenerDirector:
    """An HTTP opener that answers the server's Basic or Digest challenge (Virtuoso's
    ``/sparql-auth`` asks for Digest), never sending the password unasked."""
    if not credentials:
        return urllib.request.build_opener()
    user, _, password = credentials.partition(":")
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    parts = urllib.parse.urlsplit(url)
    manager.add_password(None, f"{parts.scheme}://{parts.netloc}/", user, password)
    return urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager),
                                       urllib.request.HTTPDigestAuthHandler(manager))


def _form(params: list[tuple[str, str]]) -> bytes:
    return urllib.parse.urlencode(params).encode("utf-8")


def _parse_results(body: bytes, media: str) -> QueryResult:
    """pyoxigraph's result types from a protocol response."""
    results_format = _RESULTS_FORMATS.get(media)
    if results_format is not None:
        return ox.parse_query_results(body, results_format)
    rdf_format = ox.RdfFormat.from_media_type(media)
    if rdf_format is None:
        raise RemoteStoreError(f"the remote store answered in an unknown format: {media}")
    # CONSTRUCT / DESCRIBE: the triples, handed over as the engine's own triple results.
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                   for t in ox.parse(body, format=rdf_format))
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
