"""survkg serving a remote store: /sparql keeps its safety or refuses, writes are refused.

The store is a real ``oxigraph serve`` (tests/conftest.py), the server a real uvicorn,
the client plain HTTP. Each protection of the embedded endpoint is checked again over
the remote store, where the query engine is another process on another (here: the same)
machine: the parse check keeps the *remote server* off the network (the control shows
that the server would connect otherwise), the time limit answers 408 and kills the
worker, results are cut at the row limit, and what survkg cannot guarantee there
(stopping the remote server's work, rehearsing an update, keeping an audit log and
tokens beside the store) is refused with a message that says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.errors import QueryError
from graph.exposure import Filters, exposure
from graph.namespaces import ID, SEEDS_GRAPH
from graph.projection import build_projection
from graph.remote_store import RemoteStoreError, SparqlHttpStore
from graph.store import OxigraphStore
from tests import test_sparql_safety
from tests.conftest import oxigraph_server
from tests.sparql_support import Listener, Server, free_port, seeded_store, serve
from tests.sparql_support import worker_pids as _worker_pids
from tests.web_server import wait_until_up

LIMIT = 2.0
CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
EX = "http://example.org/remote-test/"


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """survkg over the seeded ``oxigraph serve``, with small limits, forwarding queries."""
    with seeded_store("oxigraph-serve", request) as store, \
            serve(store, max_result_rows=5, max_query_length=5_000, max_query_depth=40,
                  remote_store_bounds_queries=True, updates_enabled=True,
                  write_token="t0k", max_concurrent_queries=2) as srv:
        yield srv


def _get(server: Server, query: str, **params: str) -> httpx.Response:
    return httpx.get(server.url + "/sparql", params={"query": query, **params}, timeout=30)


def test_the_remote_server_is_kept_off_the_network_by_the_parse_check(
        server: Server, remote_seed_store: SparqlHttpStore) -> None:
    listener = Listener()
    try:
        refused = {
            "SERVICE": f"SELECT * {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}",
            "nested SERVICE": f"ASK {{ FILTER EXISTS {{ SERVICE SILENT <{listener.url}/> "
                              "{ ?s ?p ?o } } }",
            "FROM": f"SELECT * FROM <{listener.url}/data.ttl> {{ ?s ?p ?o }}",
            "FROM NAMED": f"SELECT * FROM NAMED <{listener.url}/d> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            "file FROM": "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }",
        }
        for what, query in refused.items():
            r = _get(server, query)
            assert r.status_code == 400, (what, r.text)
            assert "never fetches" in r.json()["detail"] or "file" in r.json()["detail"], what
        time.sleep(0.3)
        assert listener.connections == 0
        # The control: the same SERVICE sent to the store directly makes *it* connect.
        direct = SparqlHttpStore(remote_seed_store.location, timeout=5)
        with contextlib.suppress(QueryError, RemoteStoreError):  # the listener says nothing
            direct.query(refused["SERVICE"])
        deadline = time.monotonic() + 5
        while listener.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert listener.connections >= 1
    finally:
        listener.close()


def test_the_dataset_is_named_explicitly(server: Server) -> None:
    """The union of the store's graphs by default (oxigraph serve's own default graph is
    empty here); a FROM of a local graph narrows it, as on the embedded store."""
    count = "SELECT (COUNT(*) AS ?n) { ?s a skg:Supply }"
    union = int(_get(server, count).json()["results"]["bindings"][0]["n"]["value"])
    assert union > 10
    narrowed = _get(server, count.replace("{", f"FROM <{SEEDS_GRAPH.value}> {{", 1))
    assert narrowed.status_code == 200, narrowed.text
    assert int(narrowed.json()["results"]["bindings"][0]["n"]["value"]) == union


# The embedded endpoint's row-limit test, collected here with this module's ``server``
# (survkg serving oxigraph serve, the same limit of 5 rows).
test_results_are_cut_at_the_row_limit_and_flagged = \
    test_sparql_safety.test_results_are_cut_at_the_row_limit_and_flagged


def test_long_and_deep_texts_are_refused_before_forwarding(server: Server) -> None:
    r = httpx.post(server.url + "/sparql", data={"query": "ASK {}" + " " * 6_000})
    assert r.status_code == 413
    r = httpx.post(server.url + "/sparql", data={"query": "SELECT * WHERE " + "{" * 45 +
                                                 "}" * 45})
    assert r.status_code == 400 and "levels deep" in r.json()["detail"]


def test_updates_are_refused_and_audited_even_with_a_token(
        server: Server, remote_seed_store: SparqlHttpStore) -> None:
    before = len(remote_seed_store)
    r = httpx.post(server.url + "/sparql", headers={"Authorization": "Bearer t0k"},
                   data={"update": f"INSERT DATA {{ <{EX}s> <{EX}p> 1 }}"})
    assert r.status_code == 403
    assert "neither rehearse" in r.json()["detail"]
    assert len(remote_seed_store) == before
    assert server.app.state.audit.entries()[-1]["outcome"] == "refused: 403 remote store"


def test_write_routes_are_refused_with_the_reason(server: Server,
                                                  remote_seed_store: SparqlHttpStore) -> None:
    before = len(remote_seed_store)
    ttl = f"<{EX}a> <http://www.w3.org/2000/01/rdf-schema#label> \"a\" .\n".encode()
    r = httpx.post(server.url + "/api/import", params={"filename": "a.ttl"}, content=ttl,
                   headers={"Authorization": "Bearer t0k", "Content-Type": "text/turtle"})
    assert r.status_code == 403, r.text
    assert "takes no writes" in r.json()["detail"] and "survkg load --store" in r.text
    assert len(remote_seed_store) == before


def test_public_queries_wait_for_the_operator_to_confirm_the_store_bounds_them(
        request: pytest.FixtureRequest) -> None:
    with seeded_store("oxigraph-serve", request) as store, \
            serve(store, max_concurrent_queries=1) as srv:
        r = _get(srv, "ASK { ?s ?p ?o }")
        assert r.status_code == 403
        assert "SURVKG_REMOTE_STORE_BOUNDS_QUERIES" in r.json()["detail"]
        # The pages and the JSON API read the store all the same.
        assert httpx.get(srv.url + "/api/entities/org/canon").status_code == 200


def test_the_time_limit_answers_408_and_a_lost_store_503(seed_store: OxigraphStore) -> None:
    # A server of its own: oxigraph serve 0.5 goes on computing a query whose client
    # went away (its --timeout-s does not stop it either), so it is killed afterwards;
    # then survkg answers 503 without the store's address.
    with contextlib.ExitStack() as remote:
        url = remote.enter_context(oxigraph_server())
        store = SparqlHttpStore(url)
        store.extend(seed_store.quads())
        with serve(store, query_timeout=LIMIT, remote_store_bounds_queries=True,
                   max_concurrent_queries=1) as srv:
            assert _get(srv, "ASK {}").json()["boolean"] is True
            before = _worker_pids()
            r = _get(srv, CARTESIAN)
            assert r.status_code == 408, r.text  # the limit fired: left alone it runs for hours
            assert "time limit" in r.json()["detail"]
            gone = before - _worker_pids()
            assert len(gone) == 1, "the worker that forwarded the query was killed"
            assert httpx.get(srv.url + "/healthz").text == "ok"
            assert _get(srv, "ASK { ?s ?p ?o }").json()["boolean"] is True
            remote.close()  # the store goes away under the running server
            r = _get(srv, "ASK { ?s ?p ?o }")
            assert r.status_code == 503, r.text
            assert str(urllib.parse.urlsplit(url).port) not in r.text


def test_survkg_serve_over_a_remote_store(remote_seed_store: SparqlHttpStore,
                                          seed_store: OxigraphStore, tmp_path: Path) -> None:
    """The CLI end to end: `survkg serve --store URL` serves the JSON API and the pages
    from the remote store with the embedded store's answers, and /sparql forwards."""
    port = free_port()
    survkg = Path(sys.executable).parent / "survkg"
    env = {**os.environ, "SURVKG_REMOTE_STORE_BOUNDS_QUERIES": "1",
           "SURVKG_MAX_CONCURRENT_QUERIES": "1", "SURVKG_RATE_LIMIT_PER_MINUTE": "0"}
    proc = subprocess.Popen([str(survkg), "serve", "--port", str(port), "--store",
                             remote_seed_store.location], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, tries=1200, proc=proc)
        got = httpx.get(base + "/api/exposure/org/canon", timeout=30).json()
        embedded = exposure(build_projection(seed_store), ID + "org/canon", Filters())
        assert got["score"] == embedded.score > 0
        assert [p["target"]["iri"] for p in got["paths"]] == \
            [p.target.iri for p in embedded.paths]
        for path in ("/", "/entity/org/canon", "/exposure/org/canon"):
            page = httpx.get(base + path, headers={"Accept": "text/html"}, timeout=30)
            assert page.status_code == 200 and "Canon" in page.text, path
        r = httpx.post(base + "/sparql", data={"query": "SELECT (COUNT(*) AS ?n) "
                                               "{ ?s ?p ?o }"}, timeout=30)
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == len(seed_store)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # Nothing was made beside the server: no folder named after the URL.
    assert os.listdir(tmp_path) == []
    assert json.dumps(got)  # the API answer was JSON throughout


def test_survkg_load_writes_to_a_remote_store_as_the_refusals_say(
        fresh_remote_store: SparqlHttpStore, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from graph.cli import cli
    good, bad = tmp_path / "good.ttl", tmp_path / "bad.ttl"
    good.write_text(f"<{EX}a> <http://www.w3.org/2000/01/rdf-schema#label> \"a\" .\n",
                    encoding="utf-8")
    bad.write_text(f"<{EX}b> <{EX}p> \"unterminated .\n", encoding="utf-8")
    before = len(fresh_remote_store)
    out = CliRunner().invoke(cli, ["load", str(bad), "--store", fresh_remote_store.location])
    assert out.exit_code == 1 and f"{bad}:1:" in out.output
    assert len(fresh_remote_store) == before
    out = CliRunner().invoke(cli, ["load", str(good), "--store", fresh_remote_store.location])
    assert out.exit_code == 0, out.output
    assert len(fresh_remote_store) == before + 1
