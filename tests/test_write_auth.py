"""No write succeeds without a valid token, on any route, now or added later.

The walk takes its routes from the app's own OpenAPI schema (``app.openapi()``): every
operation whose method is not a read (GET, HEAD, OPTIONS, TRACE) and every operation that
declares the bearer scheme, except the documented reads listed in ``READ_POSTS``. A
route added later (imports, findings, retractions) is walked without editing this file,
and a write route hidden from the schema fails ``test_no_write_route_hides_from_the_schema``.

Each one is called over real HTTP (uvicorn) against a real on-disk store with no token,
a malformed header, an unknown token, and a revoked one, each with a body that would be
a valid write if authentication were skipped. It must answer 401 with
``WWW-Authenticate: Bearer``; the store's N-Quads dump must be byte-identical before and
after; and every attempt must be in the audit log as refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from api.auth import walk_routes
from graph.loading import open_store
from graph.store import OxigraphStore
from tests.sparql_support import Server, serve

READS = {"get", "head", "options", "trace"}
METHODS = READS | {"post", "put", "patch", "delete"}

#: POST operations that are reads. Each needs a reason, and its write form its own test.
READ_POSTS = {
    # The SPARQL 1.1 Protocol sends long *queries* by POST; the same operation carries
    # SPARQL Update, whose authentication test_sparql_update_needs_a_valid_token walks.
    ("post", "/sparql"),
    # Portfolio screening posts a list of names (too long for a URL); it only reads.
    ("post", "/api/screen"),
    ("post", "/screen"),  # the /screen page's form: the same read, as a page
}

TURTLE = b"<urn:auth-test:s> <urn:auth-test:p> <urn:auth-test:o> .\n"
BODIES: dict[str, bytes] = {
    "text/turtle": TURTLE,
    "application/n-triples": TURTLE,
    "application/n-quads": TURTLE,
    "application/trig": TURTLE,
    "application/ld+json": b'{"@id": "urn:auth-test:s", "urn:auth-test:p": "o"}',
    "application/json": b"{}",
    "text/csv": b"supplier,recipient\norg/axis-communications,org/canon\n",
}


def protected_operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every write or token-protected operation."""
    found = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in METHODS or (method, path) in READ_POSTS:
                continue
            if method not in READS or any("bearerToken" in s for s in op.get("security", [])):
                found.append((method, path, op))
    return found


def concrete(path: str) -> str:
    """A URL for a path template: every ``{param}`` filled with a plausible id."""
    # A ``{x:path}`` parameter takes an entity id with a slash; others one segment.
    return re.sub(r"\{[^}]+\}", lambda m: "org/axis-communications" if ":path" in m.group()
                  else "20261128T000000Z-00000000-0000", path)


def bodies(op: dict[str, Any]) -> list[tuple[str | None, bytes | None]]:
    """No body, and one per declared media type (a real write if it were let through)."""
    declared = list(op.get("requestBody", {}).get("content", {}))
    found: list[tuple[str | None, bytes | None]] = [(None, None)]
    for media in declared:
        found.append((media, BODIES.get(media.split(";")[0], TURTLE)))
    if not declared:
        found.append(("text/turtle", TURTLE))
    return found


def dump(store: OxigraphStore) -> bytes:
    data = store.export(None, ox.RdfFormat.N_QUADS)
    assert data
    return data


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, OxigraphStore]]:
    store = open_store(tmp_path_factory.mktemp("auth") / "store")
    # The walk makes hundreds of refusals from one address within a minute, each
    # checked in the log: the audit log's per-client rate limit is off here.
    with serve(store, updates_enabled=True, audit_refusals_per_minute=0) as srv:
        yield srv, store


@pytest.fixture(scope="module")
def secrets(server: tuple[Server, OxigraphStore]) -> dict[str, str]:
    tokens = server[0].app.state.tokens
    good, revoked = tokens.create("alice"), tokens.create("revoked-bot")
    tokens.revoke("revoked-bot")
    return {"good": good, "revoked": revoked}


def bad_credentials(secrets: dict[str, str]) -> list[tuple[dict[str, str], str, str]]:
    """Headers, the actor the audit log must name, and a word of its detail."""
    return [
        ({}, "anonymous", "no bearer token"),
        ({"Authorization": f"Basic {secrets['good']}"}, "anonymous", "no bearer token"),
        ({"Authorization": "Bearer skg_" + "A" * 43}, "invalid token", "unknown token"),
        ({"Authorization": f"Bearer {secrets['good']}x"}, "invalid token", "unknown token"),
        ({"Authorization": f"Bearer {secrets['revoked']}"}, "invalid token",
         "revoked token 'revoked-bot'"),
    ]


def assert_refused(r: httpx.Response, what: str) -> None:
    assert r.status_code == 401, f"{what}: {r.status_code} {r.text[:300]}"
    assert r.headers.get("www-authenticate", "").startswith("Bearer"), what
    assert r.json()["error"] == "Unauthorized", what


def test_every_protected_route_refuses_without_a_valid_token(
        server: tuple[Server, OxigraphStore], secrets: dict[str, str]) -> None:
    srv, store = server
    schema = srv.app.openapi()
    operations = protected_operations(schema)
    walked = {f"{m.upper()} {p}" for m, p, _ in operations}
    assert "GET /api/audit" in walked  # the walk is not empty even before write routes exist
    audit = srv.app.state.audit
    before, seq = dump(store), audit.head()[0]
    expected: list[tuple[str, str, str]] = []
    with httpx.Client(base_url=srv.url, timeout=30) as client:
        for method, path, op in operations:
            name = f"{method.upper()} {path}"
            if method not in READS:
                assert {"bearerToken": []} in op.get("security", []), \
                    f"{name} is a write but its OpenAPI operation declares no bearerToken"
                assert "401" in op.get("responses", {}), f"{name} does not document its 401"
            for media, body in bodies(op):
                for headers, actor, why in bad_credentials(secrets):
                    h = dict(headers)
                    if media:
                        h["Content-Type"] = media
                    r = client.request(method.upper(), concrete(path), content=body, headers=h)
                    assert_refused(r, f"{name} with {headers or 'no token'}, body {media}")
                    expected.append((name, actor, why))
    assert dump(store) == before, "a refused request changed the store"
    entries = audit.entries(since_seq=seq)
    assert [(e["operation"], e["actor"]) for e in entries] == \
           [(name, actor) for name, actor, _ in expected]
    for entry, (_, _, why) in zip(entries, expected, strict=True):
        assert entry["outcome"] == "refused: 401" and why in entry["detail"]
    assert secrets["good"] not in json.dumps(entries)
    audit.verify()


def test_sparql_update_needs_a_valid_token(server: tuple[Server, OxigraphStore],
                                           secrets: dict[str, str]) -> None:
    srv, store = server
    audit = srv.app.state.audit
    insert = "INSERT DATA { GRAPH <urn:auth-test:g> { <urn:auth-test:s> <urn:p> 'x' } }"
    before, seq = dump(store), audit.head()[0]
    attempts = bad_credentials(secrets)
    with httpx.Client(base_url=srv.url, timeout=30) as client:
        for headers, _, _ in attempts:
            assert_refused(client.post("/sparql", data={"update": insert}, headers=headers),
                           f"update form with {headers}")
            assert_refused(client.post("/sparql", content=insert, headers={
                **headers, "Content-Type": "application/sparql-update"}),
                f"update body with {headers}")
        assert dump(store) == before
        entries = audit.entries(since_seq=seq)
        assert [e["actor"] for e in entries] == [a for _, a, _ in attempts for _ in (1, 2)]
        assert all(e["operation"] == "sparql-update" and e["outcome"] == "refused: 401"
                   for e in entries)
        # the positive control: the same request with the good token writes
        ok = client.post("/sparql", data={"update": insert},
                         headers={"Authorization": f"Bearer {secrets['good']}"})
        assert ok.status_code == 204
    assert dump(store) != before
    last = audit.entries(limit=1)[0]
    assert (last["actor"], last["outcome"]) == ("alice", "committed")


def test_the_audit_route_serves_token_holders(server: tuple[Server, OxigraphStore],
                                              secrets: dict[str, str]) -> None:
    srv, _ = server
    with httpx.Client(base_url=srv.url, timeout=30) as client:
        client.post("/sparql", data={"update": "CLEAR GRAPH <urn:nothing>"})  # refused, logged
        r = client.get("/api/audit", params={"limit": 1},
                       headers={"Authorization": f"Bearer {secrets['good']}"})
    assert r.status_code == 200
    page = r.json()
    assert len(page["entries"]) == 1 and page["entries"][0]["seq"] == page["head_seq"]
    assert page["entries"][0]["actor"] == "anonymous"
    assert page["head_hash"] == srv.app.state.audit.head()[1]


def test_no_write_route_hides_from_the_schema(server: tuple[Server, OxigraphStore]) -> None:
    """A write route left out of OpenAPI would escape the walk above: there is none."""
    srv, _ = server
    in_schema = {(m, p) for p, item in srv.app.openapi()["paths"].items() for m in item}
    routes = list(walk_routes(srv.app.routes))
    assert any(p == "/api/audit" for p, _ in routes)  # the walk sees included routers
    for path, route in routes:
        for method in route.methods - {m.upper() for m in READS}:
            assert (method.lower(), path) in in_schema, \
                f"{method} {path} is not in the OpenAPI schema"


def test_the_sparql_allowlist_is_still_a_read(tmp_path: Path) -> None:
    """POST /sparql stays allowlisted only while updates on it are off by default."""
    from api.settings import Settings
    assert Settings().updates_enabled is False
    store = open_store(memory=True)
    with serve(store) as srv:
        r = httpx.post(srv.url + "/sparql", data={"update": "CLEAR ALL"},
                       headers={"Authorization": "Bearer anything"})
        assert r.status_code == 403
        q = httpx.post(srv.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"})
        assert q.status_code == 200 and q.json()["boolean"] is True
