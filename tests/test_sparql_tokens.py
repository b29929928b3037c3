"""SERVICE glued to every kind of token: refused on the parse tree, no connection made.

The server here runs its query workers *without* network isolation (as a server not
running as root, or a container without CAP_SYS_ADMIN, would), so the checks alone
stand between a query and the engine's HTTP client. A listener on 127.0.0.1 counts
connections: it must see none. A control query run straight on the engine shows that
the same listener does see the engine's SERVICE request.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from api.sparql.parsed import check_query, check_update
from graph.errors import QueryError
from graph.loading import open_store
from tests.sparql_support import Listener, Server, serve, worker_pids

ROOT = Path(__file__).resolve().parent.parent
LITERALS = [
    "true", "false", "1", "-1", "+7", "1.5", ".5", "1.5e3", "2E-1", '"s"', "'s'",
    '"""s"""', "'''s'''", '"s"@en', '"s"@en-GB', '"s"^^<http://www.w3.org/2001/XMLSchema#string>',
    '"s"^^xsd:string', "<http://example.org/o>", "ex:o", "ex:", "?o", "$o", "_:b", "[]", "()",
]
KEYWORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "\\u0053ERVICE",
            "SERVIC\\u0045"]
SEPARATORS = [".", ";", "", " #SERVICE comment\n", "\n"]


def corpus(url: str) -> Iterator[str]:
    """Queries with a SERVICE to ``url`` glued after every literal kind and separator."""
    head = "PREFIX ex: <http://example.org/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    call = f"<{url}/sparql> {{ ?a ?b ?c }}"
    for lit in LITERALS:
        for sep in SEPARATORS:
            yield f"{head}SELECT * {{ ?s ?p {lit}{sep}SERVICE {call} }}"
        yield f"{head}SELECT * {{ FILTER(?x = {lit})SERVICE {call} }}"
        yield f"{head}SELECT * {{ {{ ?s ?p {lit} }}SERVICE {call} }}"
    for kw in KEYWORDS:
        yield f"SELECT * {{ ?s ?p true.{kw} {call} }}"
        yield f"ASK {{ ?s ?p 1.{kw} {call} }}"
        yield f"SELECT * {{ ?s ?p ?o }}{kw} {call}" if kw == "SERVICE" else \
            f"SELECT * {{ ?s ?p ?o OPTIONAL {{ ?x ?y 2.{kw} {call} }} }}"
    # Nested anywhere in the tree.
    for where in ("OPTIONAL {{ {} }}", "FILTER EXISTS {{ {} }}", "FILTER NOT EXISTS {{ {} }}",
                  "MINUS {{ {} }}", "{{ ?s ?p ?o }} UNION {{ {} }}", "GRAPH ?g {{ {} }}",
                  "{{ SELECT * {{ {} }} }}", "BIND(EXISTS {{ {} }} AS ?e)"):
        yield "SELECT * { ?s ?p ?o " + where.format(f"?s ?p true.SERVICE {call}") + " }"
    yield f"SELECT * {{ SERVICE <\\u0068ttp://127.0.0.1:{url.rsplit(':', 1)[1]}/> {{}} }}"
    yield f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p 'x'@en.SERVICE {call} }}"
    yield f"DESCRIBE ?s WHERE {{ ?s ?p 1e0;SERVICE {call} }}"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def open_server() -> Iterator[Server]:
    store = open_store(memory=True)
    with serve(store, worker_network_isolation=False, updates_enabled=True,
               write_token="t0k", max_concurrent_queries=2) as srv:
        yield srv


def _worker_namespaces() -> set[str]:
    found = set()
    for pid in worker_pids():
        with contextlib.suppress(FileNotFoundError):  # exited since it was listed
            found.add(os.readlink(f"/proc/{pid}/ns/net"))
    return found


def test_the_engine_would_connect_and_the_workers_can(listener: Listener,
                                                       open_server: Server) -> None:
    # Control: the listener sees the engine's SERVICE request when nothing stops it...
    before = listener.connections
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * {{ SERVICE <{listener.url}/x> {{ ?s ?p ?o }} }}"))
    assert listener.connections > before
    # ...and the server's workers share this process's network (no isolation).
    httpx.get(open_server.url + "/sparql", params={"query": "ASK {}"})
    assert _worker_namespaces() == {os.readlink("/proc/self/ns/net")}


def test_glued_service_is_refused_and_connects_nowhere(listener: Listener,
                                                       open_server: Server) -> None:
    queries = list(corpus(listener.url))
    assert len(queries) > 150
    before = listener.connections
    with httpx.Client(base_url=open_server.url, timeout=30) as client:
        for query in queries:
            r = client.post("/sparql", data={"query": query})
            assert r.status_code == 400, (query, r.text)
            detail = r.json()["detail"]
            assert "os error" not in detail and "onnection" not in detail, (query, detail)
    time.sleep(0.3)
    assert listener.connections == before


def test_glued_service_in_an_update_is_refused(listener: Listener,
                                               open_server: Server) -> None:
    before = listener.connections
    call = f"<{listener.url}/> {{ ?a ?b ?c }}"
    for where in (f"?s ?p true.SERVICE {call}", f"?s ?p 1;SERVICE {call}",
                  f"{{ ?s ?p 'x' }}SERVICE {call}", f"OPTIONAL {{ ?s ?p _:b.SERVICE {call} }}"):
        update = f"INSERT {{ <http://e/s> <http://e/p> 1 }} WHERE {{ {where} }}"
        r = httpx.post(open_server.url + "/sparql", data={"update": update},
                       headers={"Authorization": "Bearer t0k"})
        assert r.status_code == 400, (update, r.text)
    time.sleep(0.3)
    assert listener.connections == before


def test_the_parse_check_alone_refuses_the_whole_corpus() -> None:
    # The tokeniser in front of it is only a first filter: the parse tree decides.
    for query in list(corpus("http://127.0.0.1:9"))[::3]:  # a third: parsing is slow
        with pytest.raises(QueryError):
            check_query(query, base=None, local=set)
    for update in ("INSERT { ?s ?p 1 } WHERE { ?s ?p 1.SERVICE <http://x/> {} }",
                   "DELETE WHERE { ?s ?p true.service <http://x/> {} }", "LOAD <http://x/>",
                   "lOaD SILENT <http://x/> INTO GRAPH <http://g/>",
                   "PREFIX f: <file:///> DELETE { ?s ?p ?o } USING f:etc WHERE { ?s ?p ?o }"):
        with pytest.raises(QueryError):
            check_update(update, base=None)


def test_without_a_namespace_the_socket_filter_still_stops_the_engine(
        listener: Listener) -> None:
    # Defence in depth that needs no privilege: the seccomp filter the isolated workers
    # install. In a child process (the filter cannot be removed once set).
    child = f"""
import socket, pyoxigraph as ox
from api.sparql.worker import forbid_inet_sockets
assert forbid_inet_sockets()
try:
    list(ox.Store().query("SELECT * {{ SERVICE <{listener.url}/x> {{ ?s ?p ?o }} }}"))
except OSError as exc:
    print("engine:", exc)
a, b = socket.socketpair()  # local sockets and files still work
print("ok")
"""
    before = listener.connections
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert "engine: Permission denied" in out.stdout and out.stdout.endswith("ok\n")
    time.sleep(0.3)
    assert listener.connections == before
