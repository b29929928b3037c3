"""The HTTP edges of issue 10, each against a real server with a real client.

Impossible dates, security headers on a 500, slow headers and bodies, invalid UTF-8 in
a GET, ``X-Forwarded-For`` from an untrusted address, stale snapshot folders, and a
non-SILENT DROP GRAPH of a graph the store has.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from api.sparql.pool import clean_stale_snapshots
from graph.loading import open_store
from graph.store import OxigraphStore
from tests.sparql_support import Server, serve

EX = "http://example.org/"


@pytest.fixture(scope="module")
def server(seed_store: OxigraphStore) -> Iterator[Server]:
    with serve(seed_store, max_concurrent_queries=1, header_timeout=1.0,
               body_timeout=1.0) as srv:
        yield srv


@pytest.mark.parametrize("as_of", ["2019-02-29", "2019-13", "2019-13-01", "2019-00-10"])
@pytest.mark.parametrize("path", [
    "/api/exposure/org/axis-communications", "/api/ranking", "/api/chokepoints", "/api/paths"])
def test_impossible_dates_are_422(server: Server, path: str, as_of: str) -> None:
    params = {"as_of": as_of}
    if path == "/api/paths":
        params.update(source="org/axis-communications", target="org/shanghai-psb")
    r = httpx.get(server.url + path, params=params, timeout=30)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "as_of" and as_of in r.json()["detail"]


def test_a_500_carries_the_security_headers(server: Server) -> None:
    def boom() -> None:
        raise RuntimeError("secret internals")

    server.app.add_api_route("/api/test-boom", boom)
    r = httpx.get(server.url + "/api/test-boom")
    assert r.status_code == 500
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "secret" not in r.text


def _closed_while_dribbling(sock: socket.socket, dribble: bytes, within: float) -> bool:
    """Send ``dribble`` a byte at a time; True once the server has closed the socket."""
    sock.settimeout(0.25)
    deadline = time.monotonic() + within
    for byte in dribble:
        if time.monotonic() > deadline:
            return False
        try:
            sock.sendall(bytes([byte]))
            if sock.recv(4096) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def test_slow_headers_are_cut_off(server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200
        assert _closed_while_dribbling(sock, head, within=10)


def test_slow_body_gets_408(server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\n"
                     b"ASK {")
        sock.settimeout(10)
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 408"), reply
    assert b"content-security-policy" in reply.lower()


@pytest.mark.parametrize("raw", ["query=ASK%20%7B%7D%FF", "query=ASK%20%7B%7D%C3"])
def test_invalid_utf8_in_a_get_is_refused(server: Server, raw: str) -> None:
    r = httpx.get(f"{server.url}/sparql?{raw}")
    assert r.status_code == 400 and "UTF-8" in r.json()["detail"]


def test_forwarded_for_is_ignored_unless_from_a_trusted_proxy() -> None:
    store = open_store(memory=True)

    def statuses(srv: Server) -> list[int]:
        with httpx.Client(base_url=srv.url) as c:
            return [c.get("/sparql", params={"query": "ASK {}"},
                          headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
                    for i in range(4)]

    # Untrusted (the default): every request is the loopback client's; the 3rd is 429.
    with serve(store, rate_limit_per_minute=2, max_concurrent_queries=1) as srv:
        assert statuses(srv) == [200, 200, 429, 429]
    # From a configured proxy, each forwarded address is its own client.
    with serve(store, rate_limit_per_minute=2, trusted_proxies="127.0.0.1",
               max_concurrent_queries=1, max_queries_per_client=0) as srv:
        assert statuses(srv) == [200, 200, 200, 200]


def test_stale_snapshot_folders_are_cleaned_at_start(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f"survkg-snapshots-{gone}-abc"
    alive = tmp_path / f"survkg-snapshots-{os.getpid()}-def"
    other = tmp_path / "survkg-snapshots-unrelated"
    for folder in (stale, alive, other):
        (folder / "v1").mkdir(parents=True)
    assert clean_stale_snapshots(tmp_path) == [stale]
    assert not stale.exists() and alive.exists() and other.exists()


def test_drop_graph_of_an_existing_graph_runs_and_a_missing_one_says_so() -> None:
    store = open_store(memory=True)
    g = ox.NamedNode(EX + "g")
    store.extend([ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"), g)])
    auth = {"Authorization": "Bearer t0k"}
    with serve(store, updates_enabled=True, write_token="t0k", max_concurrent_queries=1) as srv:
        r = httpx.post(srv.url + "/sparql", data={"update": f"DROP GRAPH <{EX}g>"},
                       headers=auth)
        assert r.status_code == 204, r.text
        assert g not in store.named_graphs()
        r = httpx.post(srv.url + "/sparql", data={"update": f"CLEAR GRAPH <{EX}nope>"},
                       headers=auth)
        assert r.status_code == 400 and "nothing was changed" in r.json()["detail"]
        assert f"{EX}nope" in r.json()["detail"]


def test_one_busy_client_cannot_hold_every_worker() -> None:
    # Two workers; client A sends three hostile queries at once, then client B one
    # small one. A holds one worker at a time, so B is answered while A's first query
    # still runs (before the cap, A held both workers and B queued behind A's third).
    store = open_store(memory=True)
    store.extend([ox.Quad(ox.NamedNode(f"{EX}n{i}"), ox.NamedNode(EX + "p"),
                          ox.NamedNode(f"{EX}n{i + 1}"), ox.NamedNode(EX + "g"))
                  for i in range(300)])
    cartesian = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with serve(store, query_timeout=3.0, max_concurrent_queries=2,
               trusted_proxies="127.0.0.1") as srv, cf.ThreadPoolExecutor(4) as pool:
        def ask(query: str, client: str) -> httpx.Response:
            return httpx.get(srv.url + "/sparql", params={"query": query}, timeout=30,
                             headers={"X-Forwarded-For": client})

        a = [pool.submit(ask, cartesian, "10.0.0.1") for _ in range(3)]
        time.sleep(0.5)
        b = ask("ASK { ?s ?p ?o }", "10.0.0.2")
        assert b.status_code == 200 and b.json()["boolean"] is True
        assert not any(f.done() for f in a), "B was answered while A's queries ran"
        statuses = sorted(f.result().status_code for f in a)
    assert statuses[0] == 408 and statuses[-1] == 503  # A's own queue, not everyone's
