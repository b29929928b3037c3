"""The W3C SPARQL 1.1 suites through the running endpoint (slow).

- **Protocol** (``protocol/manifest.ttl``): every request of every test, in order,
  against a server with updates enabled (the token is sent with every request); each
  test's datasets are loaded from the local files into graphs of the names it uses.
- **Query evaluation** (the ``sparql11/*/manifest.ttl`` of query features): every
  ``mf:QueryEvaluationTest`` and ``mf:CSVResultFormatTest`` is sent over HTTP with its
  dataset given by ``default-graph-uri`` / ``named-graph-uri`` (all test data is loaded
  once, each file into a graph named by its canonical IRI), and the answer is compared
  with the expected result up to blank-node names. Not run: ``entailment`` (an
  entailment regime pyoxigraph does not implement) and ``service`` (federation, which
  the endpoint refuses by design). Known failures are listed with their reasons.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest

from api.sparql.inspect import inspect
from graph.store import OxigraphStore
from tests.sparql_support import Server, serve
from tests.w3c.compare import comparable, from_rdf, from_solutions, rdf_graph
from tests.w3c.manifest import CNT, HT, HTS, MF, QT, RDFS, SPARQL11, UT, Manifest, local_path

pytestmark = pytest.mark.slow

TOKEN = "w3c-test-token"
QUERY_DIRS = ["aggregates", "bind", "bindings", "cast", "construct", "csv-tsv-res", "exists",
              "functions", "grouping", "json-res", "negation", "project-expression",
              "property-path", "subquery"]
EMPTY = "urn:x-survkg-test:empty"

#: Query evaluation tests that fail, and why. Each is an xfail(strict): fixing one fails
#: the suite until it is removed from here.
_CONCAT = ("pyoxigraph 0.5 keeps the common language tag on GROUP_CONCAT results "
           '("1 2"@en); the test compares with a simple literal')
_CSV = ("pyoxigraph lists SELECT * variables in alphabetical order and CSV columns follow "
        "it; the test expects their order of appearance (s, p, o)")
_ZERO = ("pyoxigraph returns no solution for a zero-length path with a constant end on an "
         "empty graph; the test expects the constant itself")
EXPECTED_FAILURES: dict[str, str] = {
    "aggregates/agg-groupconcat-04": _CONCAT,
    "aggregates/agg-groupconcat-06": _CONCAT,
    "aggregates/agg-empty-group-count-graph": "pyoxigraph returns no row for an aggregate "
    "sub-SELECT inside GRAPH ?g; the test expects one count per named graph",
    "bindings/graph": "pyoxigraph returns no solution when VALUES binds the GRAPH ?g "
    "variable inside the GRAPH pattern",
    "csv-tsv-res/csv01": _CSV,
    "csv-tsv-res/csv02": _CSV,
    "csv-tsv-res/csv03": _CSV,
    "csv-tsv-res/tsv03": "pyoxigraph returns xsd:negativeInteger data as xsd:integer",
    "functions/bnode01": "pyoxigraph's BNODE(str) returns the same blank node for the same "
    "string in every solution; the spec asks for a new one per solution",
    "negation/graph-minus": "pyoxigraph lets the outer GRAPH ?g variable take part in the "
    "MINUS disjointness check and removes the solution the test expects",
    "property-path/zero_or_more_set_start": _ZERO,
    "property-path/zero_or_more_set_end": _ZERO,
    "property-path/zero_or_one_set_start": _ZERO,
    "property-path/zero_or_one_set_end": _ZERO,
}

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
            ".rdf": ox.RdfFormat.RDF_XML, ".trig": ox.RdfFormat.TRIG}
_RESULTS = {".srx": ox.QueryResultsFormat.XML, ".srj": ox.QueryResultsFormat.JSON,
            ".tsv": ox.QueryResultsFormat.TSV}


def _rdf_format(iri: str) -> ox.RdfFormat:
    return _FORMATS["." + iri.rsplit(".", 1)[-1]]


# -- query evaluation -----------------------------------------------------------------------

@dataclass(frozen=True)
class QueryCase:
    id: str
    query: str
    data: tuple[str, ...]
    named: tuple[tuple[str, str], ...]  # (graph name, file IRI)
    result: str
    #: Graphs the query names with FROM / FROM NAMED (loaded from the files of that name).
    from_files: tuple[str, ...] = ()


def _from_files(query_iri: str) -> tuple[str, ...]:
    text = local_path(query_iri).read_text(encoding="utf-8")
    found = inspect(text, update=False, base=query_iri, max_length=10**6, max_depth=10**4)
    return tuple(found.from_graphs + found.from_named)


def _query_cases() -> list[QueryCase]:
    cases = []
    for folder in QUERY_DIRS:
        m = Manifest(SPARQL11 / folder / "manifest.ttl")
        for entry in m.entries():
            if not m.types(entry) & {MF + "QueryEvaluationTest", MF + "CSVResultFormatTest"}:
                continue
            action = m.one(entry, MF + "action")
            result = m.one(entry, MF + "result")
            assert isinstance(action, ox.NamedNode | ox.BlankNode) and result is not None
            query = m.one(action, QT + "query")
            assert query is not None
            named = []
            for g in m.objects(action, QT + "graphData"):
                if isinstance(g, ox.BlankNode):
                    file, label = m.one(g, QT + "graph"), m.one(g, RDFS + "label")
                    assert file is not None and label is not None
                    named.append((label.value, file.value))
                else:
                    named.append((g.value, g.value))
            cases.append(QueryCase(
                f"{folder}/{entry.value.rsplit('#', 1)[-1]}", query.value,
                tuple(d.value for d in m.objects(action, QT + "data")), tuple(named),
                result.value, _from_files(query.value)))
    return cases


QUERY_CASES = _query_cases()


@pytest.fixture(scope="module")
def query_server() -> Iterator[Server]:
    store = OxigraphStore(None)
    loaded: set[tuple[str, str]] = set()
    for case in QUERY_CASES:
        files = [(d, d) for d in case.data + case.from_files] + list(case.named)
        for name, file in files:
            if (name, file) not in loaded:
                loaded.add((name, file))
                store.raw.load(path=str(local_path(file)), format=_rdf_format(file),
                               base_iri=file, to_graph=ox.NamedNode(name))
    store.raw.add_graph(ox.NamedNode(EMPTY))
    with serve(store, query_timeout=20.0, max_result_rows=100_000,
               max_concurrent_queries=2) as srv:
        yield srv


def _params(case: QueryCase, text: str) -> list[tuple[str, str]]:
    found = inspect(text, update=False, base=None, max_length=10**6, max_depth=10**4)
    if found.from_graphs or found.from_named:
        return []  # the query's own dataset description (FROM) wins
    params = [("default-graph-uri", d) for d in case.data]
    params += [("named-graph-uri", name) for name, _ in case.named]
    return params or [("default-graph-uri", EMPTY)]


def _check(case: QueryCase, server: Server) -> None:
    text = f"BASE <{case.query}>\n" + local_path(case.query).read_text(encoding="utf-8")
    form = inspect(text, update=False, base=None, max_length=10**6, max_depth=10**4).form
    suffix = "." + case.result.rsplit(".", 1)[-1]
    graph = form in ("CONSTRUCT", "DESCRIBE")
    accept = ("application/n-triples" if graph else
              "text/csv" if suffix == ".csv" else "application/sparql-results+json")
    url = server.url + "/sparql?" + "&".join(f"{k}={quote(v, safe='')}"
                                              for k, v in _params(case, text))
    r = httpx.post(url, content=text.encode(), timeout=60,
                   headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200, r.text
    expected_path = local_path(case.result)
    if suffix == ".csv":
        assert r.text.replace("\r\n", "\n").strip() == \
            expected_path.read_text().replace("\r\n", "\n").strip()
    elif suffix == ".ttl" and not graph:
        expected_rs = from_rdf(list(ox.parse(
            path=str(expected_path), format=ox.RdfFormat.TURTLE, base_iri=case.result)))
        # pyoxigraph results must be dropped in the thread that made them: convert at once
        actual_rs = from_solutions(ox.parse_query_results(  # type: ignore[arg-type]
            io.BytesIO(r.content), format=ox.QueryResultsFormat.JSON))
        assert comparable(actual_rs) == comparable(expected_rs)
    elif graph:
        expected = list(ox.parse(path=str(expected_path), format=_rdf_format(case.result),
                                 base_iri=case.result))
        actual = list(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))
        assert rdf_graph(actual) == rdf_graph(expected)
    else:
        expected_result = from_solutions(ox.parse_query_results(  # type: ignore[arg-type]
            path=str(expected_path), format=_RESULTS[suffix]))
        actual_result = from_solutions(ox.parse_query_results(  # type: ignore[arg-type]
            io.BytesIO(r.content), format=ox.QueryResultsFormat.JSON))
        assert comparable(actual_result) == comparable(expected_result)


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=EXPECTED_FAILURES[c.id])]
                 if c.id in EXPECTED_FAILURES else []) for c in QUERY_CASES])
def test_query_evaluation(query_server: Server, case: QueryCase) -> None:
    _check(case, query_server)


def test_the_query_suite_is_large() -> None:
    assert len(QUERY_CASES) >= 230


# -- protocol ---------------------------------------------------------------------------------

PROTOCOL = Manifest(SPARQL11 / "protocol" / "manifest.ttl")
_STATUS = {HTS + "StatusCode2xx": range(200, 300), HTS + "StatusCode3xx": range(300, 400),
           HTS + "StatusCode4xx": range(400, 500), HTS + "StatusCode5xx": range(500, 600)}


@pytest.fixture(scope="module")
def protocol_server() -> Iterator[tuple[Server, OxigraphStore]]:
    store = OxigraphStore(None)
    with serve(store, updates_enabled=True, write_token=TOKEN) as srv:
        yield srv, store


def _load_graph_data(store: OxigraphStore, entry: ox.NamedNode | ox.BlankNode) -> None:
    store.update("DROP SILENT ALL")
    for data in PROTOCOL.objects(entry, UT + "graphData"):
        assert isinstance(data, ox.BlankNode)
        file, label = PROTOCOL.one(data, UT + "graph"), PROTOCOL.one(data, RDFS + "label")
        assert file is not None and label is not None
        store.load_file(local_path(file.value), ox.RdfFormat.N_TRIPLES, ox.NamedNode(label.value))


def _send(server: Server, request: ox.NamedNode | ox.BlankNode) -> httpx.Response:
    m = PROTOCOL
    method = m.one(request, HT + "methodName")
    path = m.one(request, HT + "absolutePath")
    assert method is not None and path is not None
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for h in m.items(m.one(request, HT + "headers")):
        name, value = m.one(h, HT + "fieldName"), m.one(h, HT + "fieldValue")
        assert name is not None and value is not None
        headers[name.value] = value.value
    body = m.one(request, HT + "body")
    content = None
    if body is not None:
        chars = m.one(body, CNT + "chars")  # type: ignore[arg-type]
        assert chars is not None
        charset = "utf-16" if "utf-16" in headers.get("content-type", "").lower() else "utf-8"
        content = chars.value.encode(charset)
    url = server.url + "/sparql" + path.value[len("/sparql/"):]
    return httpx.request(method.value, url, content=content, headers=headers, timeout=30)


def _check_response(response: httpx.Response, expect: ox.NamedNode | ox.BlankNode) -> None:
    m = PROTOCOL
    allowed = [_STATUS[s.value] for s in m.objects(expect, MF + "expectedStatus")]
    assert any(response.status_code in r for r in allowed), (response.status_code,
                                                             response.text)
    fmt = m.one(expect, MF + "expectedFormat")
    media = response.headers.get("content-type", "").split(";")[0]
    if fmt is not None and fmt.value in ("boolean", "tabular"):
        kind = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                "text/tab-separated-values": ox.QueryResultsFormat.TSV}[media]
        parsed = ox.parse_query_results(io.BytesIO(response.content), format=kind)
        is_boolean, value = isinstance(parsed, ox.QueryBoolean), bool(parsed)
        del parsed  # pyoxigraph results must be dropped in the thread that made them
        expected = m.one(expect, MF + "expectedBoolean")
        assert is_boolean == (fmt.value == "boolean")
        if expected is not None:
            assert value == (expected.value == "true")
    elif fmt is not None and fmt.value == "RDF":
        rdf = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
               "application/rdf+xml": ox.RdfFormat.RDF_XML}[media]
        list(ox.parse(response.content, format=rdf))


@pytest.mark.parametrize("entry", PROTOCOL.entries(),
                         ids=lambda e: e.value.rsplit("#", 1)[-1])
def test_protocol(protocol_server: tuple[Server, OxigraphStore],
                  entry: ox.NamedNode | ox.BlankNode) -> None:
    server, store = protocol_server
    _load_graph_data(store, entry)
    action = PROTOCOL.one(entry, MF + "action")
    assert isinstance(action, ox.NamedNode | ox.BlankNode)
    for request in PROTOCOL.items(PROTOCOL.one(action, HT + "requests")):
        expect = PROTOCOL.one(request, HT + "resp")
        assert isinstance(expect, ox.NamedNode | ox.BlankNode)
        _check_response(_send(server, request), expect)
