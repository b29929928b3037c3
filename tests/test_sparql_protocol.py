"""The /sparql endpoint speaks the SPARQL 1.1 Protocol: methods, media types, formats.

One real server over the seed graph for the module; queried with plain HTTP (httpx) in
every format and with SPARQLWrapper, the client a Python user would pick.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, SPARQLWrapper

from api.sparql.inspect import inspect
from graph.namespaces import ID, SEEDS_GRAPH
from tests.conftest import STORE_KINDS
from tests.sparql_support import Server, free_port, seeded_store, serve
from tests.web_server import wait_until_up

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SELECT = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s LIMIT 5"
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l } LIMIT 5"
G = "http://example.org/protocol-test/g"


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """survkg serving the seeds plus one quad in graph G: over the embedded store, then
    over ``oxigraph serve`` (queries forwarded by the workers: api/sparql/forward.py)."""
    extra = [ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
                     ox.Literal("in g"), ox.NamedNode(G))]
    with seeded_store(request.param, request, extra) as store, \
            serve(store, remote_store_bounds_queries=True) as srv:
        yield srv


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.mark.parametrize(("accept", "media", "parse"), [
    ("application/sparql-results+json", "application/sparql-results+json",
     ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml",
     ox.QueryResultsFormat.XML),
    ("text/csv", "text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_select_in_every_results_format(http: httpx.Client, accept: str, media: str,
                                        parse: ox.QueryResultsFormat) -> None:
    r = http.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    if parse == ox.QueryResultsFormat.CSV:  # lossy: oxigraph does not parse it back
        rows: list[object] = list(csv.reader(io.StringIO(r.text)))[1:]
    else:
        rows = list(ox.parse_query_results(r.content, format=parse))  # type: ignore[arg-type]
    assert len(rows) == 5


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_construct_in_every_rdf_format(http: httpx.Client, accept: str,
                                       fmt: ox.RdfFormat) -> None:
    r = http.post("/sparql", content=CONSTRUCT.encode(),
                  headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    assert len(list(ox.parse(r.content, format=fmt))) == 5
    assert b"http://127.0.0.1" not in r.content or fmt != ox.RdfFormat.JSON_LD


def test_ask_json_and_xml(http: httpx.Client) -> None:
    r = http.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert r.json() == {"head": {}, "boolean": True}
    r = http.get("/sparql", params={"query": "ASK {}"},
                 headers={"Accept": "application/sparql-results+xml"})
    assert b"<boolean>true</boolean>" in r.content
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert r.status_code == 406


def test_three_ways_to_send_a_query_agree(http: httpx.Client) -> None:
    by_get = http.get("/sparql", params={"query": COUNT}).json()
    by_form = http.post("/sparql", data={"query": COUNT}).json()
    by_body = http.post("/sparql", content=COUNT,
                        headers={"Content-Type": "application/sparql-query"}).json()
    assert by_get == by_form == by_body
    assert int(by_get["results"]["bindings"][0]["n"]["value"]) > 1000


def test_default_dataset_is_the_union_and_protocol_graphs_narrow_it(http: httpx.Client) -> None:
    q = "SELECT ?o WHERE { <http://example.org/a> ?p ?o }"
    assert len(http.get("/sparql", params={"query": q}).json()["results"]["bindings"]) == 1
    narrowed = http.get("/sparql", params={"query": q, "default-graph-uri": SEEDS_GRAPH.value})
    assert narrowed.json()["results"]["bindings"] == []
    named = http.get("/sparql", params={"query": "SELECT ?g { GRAPH ?g { ?s ?p ?o } }",
                                        "named-graph-uri": G})
    assert {b["g"]["value"] for b in named.json()["results"]["bindings"]} == {G}
    from_local = http.get("/sparql", params={"query": f"SELECT ?o FROM <{G}> {{ ?s ?p ?o }}"})
    assert from_local.json()["results"]["bindings"] == [
        {"o": {"type": "literal", "value": "in g"}}]


@pytest.mark.parametrize(("method", "kwargs", "status"), [
    ("GET", {"params": {"query": "SELECT * {"}}, 400),
    ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("GET", {"params": {"update": "CLEAR ALL"}}, 405),
    ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", {"content": b"ASK {}"}, 415),
    ("POST", {"content": "ASK {}".encode("utf-16"),
              "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415),
    ("PUT", {"params": {"query": "ASK {}"}}, 405),
    ("DELETE", {}, 405),
])
def test_protocol_errors(http: httpx.Client, method: str, kwargs: dict[str, object],
                         status: int) -> None:
    r = http.request(method, "/sparql", **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status, r.text


def test_syntax_error_says_where(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "syntax" in r.json()["detail"].lower()


def test_service_description(http: httpx.Client) -> None:
    r = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    langs = {t.object.value for t in triples if t.predicate.value == sd + "supportedLanguage"}
    assert langs == {sd + "SPARQL11Query"}  # no update on the public endpoint
    names = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert SEEDS_GRAPH.value in names
    r = http.get("/sparql", headers={"Accept": "application/ld+json"})
    assert json.loads(r.content)


def test_sparqlwrapper_select_and_ask(server: Server) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + SELECT)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert len(rows) == 5
    client.setMethod("POST")
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(XML)
    assert client.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_sparqlwrapper_tabular_formats(server: Server, fmt: str) -> None:
    client = SPARQLWrapper(server.url + "/sparql", returnFormat=fmt)
    client.setQuery(SELECT)
    text = client.queryAndConvert().decode()
    assert len(text.strip().splitlines()) == 6  # header + 5 rows


@pytest.mark.parametrize("fmt", [JSONLD, XML])
def test_sparqlwrapper_graph_formats(server: Server, fmt: str) -> None:
    client = SPARQLWrapper(server.url + "/sparql", returnFormat=fmt)
    client.setQuery(CONSTRUCT)
    graph = client.queryAndConvert()  # an rdflib Graph, parsed from our answer
    assert len(graph) == 5


def test_sparqlwrapper_turtle(server: Server) -> None:
    client = SPARQLWrapper(server.url + "/sparql", returnFormat=TURTLE)
    client.setQuery(CONSTRUCT)
    turtle = client.queryAndConvert()  # SPARQLWrapper hands Turtle back as bytes
    assert len(list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))) == 5


def test_csv_download_from_the_editor_form(http: httpx.Client) -> None:
    r = http.post("/sparql", data={"query": SELECT, "format": "csv", "download": "1"})
    assert r.headers["content-disposition"] == 'attachment; filename="results.csv"'
    assert next(csv.reader(io.StringIO(r.text))) == ["s", "label"]


def test_browser_gets_the_editor(http: httpx.Client) -> None:
    r = http.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<script>" not in r.text  # no inline script: the CSP forbids it
    assert 'id="sparql-config"' in r.text and ID in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_editor_assets_are_served_locally_and_nothing_else(http: httpx.Client) -> None:
    assert http.get("/static/sparql.js").status_code == 200
    assert http.get("/assets/../../pyproject.toml").status_code == 404
    assert http.get("/assets/codemirror/package.json").status_code == 404


def test_inspector_ignores_keywords_in_strings_iris_and_comments() -> None:
    q = ('# SERVICE in a comment\nSELECT * WHERE { ?s ?p "SERVICE <http://x>" . '
         '?s <http://example.org/SERVICE> ?o ; rdfs:label "x"@service }')
    assert inspect(q, update=False, base=None, max_length=10_000, max_depth=10).form == "SELECT"


def test_survkg_serve_runs_one_server_on_an_on_disk_store(tmp_path: Path) -> None:
    port = free_port()
    survkg = Path(sys.executable).parent / "survkg"
    proc = subprocess.Popen([str(survkg), "serve", "--port", str(port), "--store",
                             str(tmp_path / "store")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, tries=1200, proc=proc)
        r = httpx.post(base + "/sparql", data={"query": COUNT}, headers={"Accept": "text/csv"})
        assert r.status_code == 200 and int(r.text.split()[1]) > 1000
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_editor_escapes_example_titles_and_queries(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from api.settings import Settings
    from api.sparql import editor

    (tmp_path / "x.rq").write_text('# title: </script><script>alert(1)</script>\n'
                                   'SELECT * { ?s ?p "</script><img src=x onerror=alert(2)>" }')
    monkeypatch.setattr(editor, "QUERIES_DIR", tmp_path)
    page = editor.render(Settings())
    assert "<script>alert" not in page and "<img src=x" not in page
    data = page.split('id="sparql-config">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["examples"][0]["title"] == "</script><script>alert(1)</script>"
