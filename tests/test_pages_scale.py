"""Pages that hold up on a big graph (issue 14), over HTTP in-process on a generated graph.

The entity page of the busiest exporter pages its claims by kind and says how many there
are; search answers from the full-text index and suggests close names with their types;
the exposure page groups its paths by target and pages them; sources and places get no
score page; browsers get HTML error pages; the SPARQL endpoint shares read-only results
across origins and opens shared links in the editor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from generated import BUSIEST, generated_store

from api.app import create_app
from api.pages.entity import PAGE, PER_KIND
from graph import entities
from graph.describe import describe
from graph.store import OxigraphStore

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def big() -> OxigraphStore:
    return generated_store()


@pytest.fixture(scope="module")
def client(big: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(big)) as c:
        yield c


@pytest.fixture(scope="module")
def seed_client(seed_store: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(seed_store)) as c:
        yield c


def test_describe_pages_claims_and_counts_every_kind(big: OxigraphStore) -> None:
    full = describe(big, BUSIEST)
    supplies = [c for c in full.claims if c.kind == "Supply"]
    assert len(supplies) > 2 * PAGE  # the graph is big enough to need pages
    page = describe(big, BUSIEST, kind="Supply", offset=PAGE, limit=PAGE)
    assert page.claims_total == len(supplies)
    assert [c.id for c in page.claims] == [c.id for c in supplies[PAGE: 2 * PAGE]]
    counts = {k.kind: k.count for k in page.claim_kinds}
    assert counts["Supply"] == len(supplies)
    assert counts == {k.kind: k.count for k in full.claim_kinds}
    overview = describe(big, BUSIEST, per_kind=3)
    assert {c.kind for c in overview.claims} == set(counts)
    assert all(sum(c.kind == k for c in overview.claims) == min(3, n) for k, n in counts.items())
    # The paged claim is the same record as in the full description.
    assert page.claims[0] == supplies[PAGE]


def test_busiest_exporter_entity_page_is_paged(client: TestClient, big: OxigraphStore) -> None:
    total = describe(big, BUSIEST, per_kind=1).claim_kinds[0].count
    r = client.get(f"/entity/{BUSIEST}")
    assert r.status_code == 200
    html = r.text
    assert html.count('class="claim"') <= PER_KIND * 3
    assert f"all {total:,}" in html and 'href="?kind=Supply"' in html
    assert 'id="summary-h"' in html and "Exposure" in html
    assert '<span class="k">status</span>' in html and '<span class="k">confidence</span>' in html
    r2 = client.get(f"/entity/{BUSIEST}", params={"kind": "Supply", "offset": PAGE})
    assert r2.status_code == 200
    assert r2.text.count('class="claim"') == PAGE
    assert f"{PAGE + 1}–{2 * PAGE} of {total:,}" in r2.text
    assert 'rel="next"' in r2.text and 'rel="prev"' in r2.text
    api = client.get(f"/api/entities/{BUSIEST}", params={"kind": "Supply", "limit": 5}).json()
    assert api["claims_total"] == total and len(api["claims"]) == 5
    assert {k["kind"] for k in api["claim_kinds"]} >= {"Supply"}


def test_entity_summary_shows_suppliers_and_risk(seed_client: TestClient) -> None:
    html = seed_client.get("/entity/org/shanghai-psb").text
    assert "Supplied by" in html and "Axis Communications" in html.split("Supplied by")[1]
    html = seed_client.get("/entity/place/xinjiang").text
    assert 'class="badge risk"' in html
    canon = seed_client.get("/entity/org/canon").text
    assert "Group" in canon and "Axis Communications" in canon.split("<dt>Group</dt>")[1]


def test_search_index_ranks_and_suggests(seed_store: OxigraphStore, big: OxigraphStore,
                                          seed_client: TestClient) -> None:
    rows, total = entities.search(seed_store, "axis", limit=3)
    assert rows[0]["id"] == "org/axis-communications" and total > 3
    # A substring inside a word, and a two-letter query, still match.
    assert any(r["id"] == "org/axis-communications" for r in
               entities.search(seed_store, "xis comm", limit=5)[0])
    assert entities.search(seed_store, "zz-no-such-name", limit=5) == ([], 0)
    close = entities.suggest(seed_store, "Cannon")
    assert close[0]["id"] == "org/canon" and "Company" in close[0]["types"]
    api = seed_client.get("/api/search", params={"q": "Cannon"}).json()
    assert api["total"] == 0 and api["suggestions"][0]["id"] == "org/canon"
    page = seed_client.get("/search", params={"q": "Cannon"}).text
    assert "Did you mean" in page and "Canon Inc." in page and "Company" in page
    rows, total = entities.search(big, "syn-exporter-0", type="Organisation", limit=5)
    assert rows[0]["id"] == BUSIEST


def test_exposure_page_groups_paths_by_target(client: TestClient, big: OxigraphStore) -> None:
    r = client.get(f"/exposure/{BUSIEST}")
    assert r.status_code == 200
    html = r.text
    assert 'id="by-target"' in html and 'id="drawing-note"' in html
    targets = re.findall(r'<section class="target" id="target-(\d+)">', html)
    assert 1 <= len(targets) <= 6
    # Every listed path carries its evidence table on the page (no click per path).
    assert html.count('class="xpath"') == html.count('class="evidence-table"') > 0
    if 'rel="next"' in html:
        r2 = client.get(f"/exposure/{BUSIEST}", params={"page": 2})
        assert 'id="target-1"' in r2.text and "targets page 2" in r2.text


def test_no_exposure_page_for_sources_and_places(seed_client: TestClient) -> None:
    for ident, kind in (("source/s03", "a source"), ("place/xinjiang", "a place")):
        r = seed_client.get(f"/exposure/{ident}")
        assert r.status_code == 200 and f"is {kind}" in r.text
        assert "No exposure score" in r.text and 'nav aria-label="Main"' in r.text


def test_html_errors_for_browsers_json_for_clients(seed_client: TestClient) -> None:
    r = seed_client.get("/no/such/page", headers=HTML)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert 'nav aria-label="Main"' in r.text and "/search?q=page" in r.text
    r = seed_client.get("/exposure/org/canon", params={"max_hops": 99}, headers=HTML)
    assert r.status_code == 422 and "max_hops" in r.text and 'nav aria-label="Main"' in r.text
    assert seed_client.get("/no/such/page").json() == {"detail": "Not Found"}
    r = seed_client.get("/api/entities/org/nope", headers=HTML)
    assert r.status_code == 404 and r.json()["error"] == "UnknownEntity"


def test_sparql_cors_and_shared_links(seed_client: TestClient) -> None:
    q = "ASK { ?s ?p ?o }"
    r = seed_client.get("/sparql", params={"query": q},
                        headers={"accept": "application/sparql-results+json",
                                 "origin": "https://elsewhere.example"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    pre = seed_client.options("/sparql", headers={"origin": "https://elsewhere.example",
                                                  "access-control-request-method": "POST"})
    assert pre.status_code == 204 and "POST" in pre.headers["access-control-allow-methods"]
    assert "authorization" not in pre.headers["access-control-allow-headers"].lower()
    up = seed_client.post("/sparql", data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"})
    assert up.status_code == 403 and "access-control-allow-origin" not in up.headers
    page = seed_client.get("/sparql", params={"query": q}, headers=HTML)
    assert page.headers["content-type"].startswith("text/html")
    assert "ASK { ?s ?p ?o }" in page.text and '"run": true' in page.text


def test_overview_api_counts_every_node(client: TestClient) -> None:
    for by in ("country", "type", "country-type"):
        o = client.get("/api/overview", params={"by": by}).json()
        assert sum(g["count"] for g in o["groups"]) == o["nodes"] > 1000
        assert len(o["groups"]) <= 61
        assert all(isinstance(g["x"], float) for g in o["groups"])
    biggest = client.get("/api/overview").json()["groups"][0]
    members = client.get("/api/overview/members",
                         params={"key": biggest["id"], "max_nodes": 40}).json()
    assert len(members["nodes"]) == 40 and members["total_nodes"] == biggest["count"]
    assert client.get("/api/overview", params={"by": "colour"}).status_code == 422
