"""The JSON API in-process (fastapi TestClient) on the seed graph and on a hostile fixture.

Fixtures: ``client`` serves the session's seed store (read-only); ``hostile_client`` serves
a separate store holding tests/data/web_hostile.ttl, whose labels, statements and URLs
are script injections and javascript: links.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_server import hostile_store

from api.app import create_app
from api.settings import Settings
from graph.cli import cli
from graph.loading import open_store
from graph.namespaces import ID
from graph.store import OxigraphStore

SETTINGS = Settings(rate_limit_per_minute=0)


@pytest.fixture(scope="module")
def client(seed_store: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(seed_store, SETTINGS)) as c:
        yield c


@pytest.fixture(scope="module")
def hostile_client() -> Iterator[TestClient]:
    with TestClient(create_app(hostile_store(), SETTINGS)) as c:
        yield c


# ------------------------------------------------------------------ search


def test_search_matches_labels_aliases_and_chinese_names(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "axis"}).json()
    assert body["results"][0]["id"] == "org/axis-communications"
    assert body["results"][0]["iri"] == ID + "org/axis-communications"
    assert set(body["results"][0]) >= {"id", "label", "types", "snippet", "iri"}
    zh = client.get("/api/search", params={"q": "公安部"}).json()
    assert [r["id"] for r in zh["results"]][:1] == ["org/ministry-of-public-security"]
    assert "公安部" in zh["results"][0]["snippet"]


def test_search_type_filter_and_pagination(client: TestClient) -> None:
    everything = client.get("/api/search", params={"q": "a", "limit": 200}).json()
    page = client.get("/api/search", params={"q": "a", "limit": 3, "offset": 3}).json()
    assert page["total"] == everything["total"] > 6
    assert [r["id"] for r in page["results"]] == [r["id"] for r in everything["results"][3:6]]
    orgs = client.get("/api/search", params={"q": "a", "type": "Organisation", "limit": 200})
    assert orgs.json()["total"] < everything["total"]


def test_bad_parameter_is_422_naming_the_field(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "x", "limit": 0})
    assert r.status_code == 422
    assert r.json()["field"] == "limit" and r.json()["error"] == "InvalidParameter"
    r = client.get("/api/exposure/org/axis-communications", params={"as_of": "last year"})
    assert r.status_code == 422 and r.json()["field"] == "as_of"
    r = client.get("/api/exposure/org/axis-communications", params={"min_confidence": "huge"})
    assert r.status_code == 422 and r.json()["field"] == "min_confidence"


# ------------------------------------------------------------------ entities


def test_entity_has_relations_with_supply_records_and_evidence(client: TestClient) -> None:
    e = client.get("/api/entities/org/axis-communications").json()
    assert e["iri"] == ID + "org/axis-communications" and e["label"] == "Axis Communications"
    assert {"Axis", "Axis AB"} <= {a["value"] for a in e["aliases"]}
    assert any(t["label"] == "company" for t in e["types"])
    supplies = [c for c in e["claims"] if c["kind"] == "Supply"]
    assert supplies and all(c["direction"] == "out" for c in supplies if c["role_name"] ==
                            "supplier")
    t05 = next(c for c in supplies if c["id"] == "supply/t-03")
    assert t05["sources"] and all(s["iri"].startswith(ID + "source/") for s in t05["sources"])
    assert t05["confidence"]["label"] and t05["status"]["label"]
    assert any(p["entity"]["id"] == "org/shanghai-psb" for p in t05["parties"])
    ownership = next(c for c in e["claims"] if c["kind"] == "Ownership")
    assert ownership["direction"] == "in"
    assert e["responses"] and e["sources"]
    assert e["claims_total"] == len(e["claims"])


def test_entity_responses_sit_next_to_the_claims_they_answer(client: TestClient) -> None:
    e = client.get("/api/entities/org/morpho").json()
    answered = [c for c in e["claims"] if c["responses"]]
    assert answered, "Idemia's reply to the Morpho sale should be attached to the supply"
    assert all(r["statement"] for c in answered for r in c["responses"])


def test_entity_pagination(client: TestClient) -> None:
    full = client.get("/api/entities/org/axis-communications").json()
    page = client.get("/api/entities/org/axis-communications",
                      params={"limit": 2, "offset": 1}).json()
    assert [c["id"] for c in page["claims"]] == [c["id"] for c in full["claims"][1:3]]
    assert page["claims_total"] == full["claims_total"]


def test_unknown_id_is_404_with_close_matches(client: TestClient) -> None:
    r = client.get("/api/entities/org/axis-comunications")
    assert r.status_code == 404
    assert "org/axis-communications" in r.json()["candidates"]
    r = client.get("/api/exposure/org/axis")
    assert r.status_code == 404 and "org/axis-communications" in r.json()["candidates"]


def test_claims_and_sources_are_entities_too(client: TestClient) -> None:
    t01 = client.get("/api/entities/supply/t-01").json()
    assert t01["is_claim"] and t01["claims"][0]["id"] == "supply/t-01"
    src = client.get("/api/entities/source/s10").json()
    assert any(r["id"] == "supply/t-01" for r in src["cited_by"])


# ------------------------------------------------------------------ exposure


def test_exposure_is_the_cli_json(client: TestClient, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    open_store(store_dir).flush()
    out = CliRunner().invoke(cli, ["exposure", "org/axis-communications", "--format", "json",
                                   "--store", str(store_dir)])
    assert out.exit_code == 0, out.output
    api = client.get("/api/exposure/org/axis-communications").json()
    api.pop("offset")
    assert api == json.loads(out.output)
    assert api["paths"][0]["hops"][0]["evidence"]


def test_exposure_filters_change_the_result(client: TestClient) -> None:
    base = client.get("/api/exposure/org/axis-communications").json()
    with_unverified = client.get("/api/exposure/org/axis-communications",
                                 params={"include_unverified": True}).json()
    assert with_unverified["total_paths"] > base["total_paths"]
    old = client.get("/api/exposure/org/safran", params={"as_of": "2016"}).json()
    later = client.get("/api/exposure/org/safran", params={"as_of": "2019"}).json()
    assert old["total_paths"] > 0 and later["total_paths"] == 0
    one = client.get("/api/exposure/org/axis-communications", params={"max_hops": 1}).json()
    assert all(len(p["hops"]) <= 1 for p in one["paths"])


def test_exposure_paths_paginate(client: TestClient) -> None:
    full = client.get("/api/exposure/org/axis-communications").json()
    page = client.get("/api/exposure/org/axis-communications",
                      params={"limit": 2, "offset": 1}).json()
    assert page["paths"] == full["paths"][1:3] and page["offset"] == 1


def test_suppliers_paths_chokepoints_ranking(client: TestClient) -> None:
    s = client.get("/api/suppliers/org/shanghai-psb").json()
    assert {x["supplier"]["id"] for x in s["suppliers"]} >= {"org/axis-communications",
                                                            "org/morpho"}
    p = client.get("/api/paths", params={"source": "org/axis-communications",
                                         "target": "org/shanghai-psb"}).json()
    assert p["total_paths"] >= 1 and p["source"]["iri"] == ID + "org/axis-communications"
    assert client.get("/api/paths", params={"source": "org/nope",
                                            "target": "org/shanghai-psb"}).status_code == 404
    c = client.get("/api/chokepoints", params={"top": 3}).json()
    assert c["total_paths"] > 0 and len(c["nodes"]) <= 3
    c2 = client.get("/api/chokepoints", params={"exporter": "org/noldus"}).json()
    assert [e["id"] for e in c2["exporters"]] == ["org/noldus"]
    r = client.get("/api/ranking", params={"limit": 2}).json()
    assert len(r["entries"]) == 2 and r["total"] >= 2
    assert r["entries"][0]["score"] >= r["entries"][1]["score"]


# ------------------------------------------------------------------ graph export


def test_graph_subgraph_in_every_graph_format(client: TestClient) -> None:
    j = client.get("/api/graph", params={"focus": "org/axis-communications", "depth": 1}).json()
    ids = {n["id"] for n in j["nodes"]}
    assert {"org/axis-communications", "org/canon", "org/shanghai-psb"} <= ids
    assert all(n["iri"] == ID + n["id"] for n in j["nodes"])
    assert any(e["claim"] == "supply/t-03" for e in j["edges"])
    g = nx.parse_graphml(client.get("/api/graph", params={
        "format": "graphml", "focus": "org/axis-communications"}).text)
    assert "org/canon" in g
    gexf = client.get("/api/graph", params={"format": "gexf", "focus": "org/axis-communications"})
    assert "org/canon" in nx.read_gexf(io.BytesIO(gexf.content))
    cy = client.get("/api/graph", params={"format": "cytoscape"}).json()
    assert len(cy["elements"]["nodes"]) > 40
    whole = client.get("/api/graph").json()
    assert whole["total_nodes"] == len(whole["nodes"]) > len(j["nodes"])
    capped = client.get("/api/graph", params={"max_nodes": 5}).json()
    assert capped["truncated"] and len(capped["nodes"]) == 5


@pytest.mark.parametrize("fmt", ["turtle", "nquads", "trig", "jsonld"])
def test_graph_rdf_dumps_parse(client: TestClient, fmt: str) -> None:
    formats = {"turtle": ox.RdfFormat.TURTLE, "nquads": ox.RdfFormat.N_QUADS,
               "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
    r = client.get("/api/graph", params={"format": fmt, "focus": "org/canon", "depth": 1})
    quads = list(ox.parse(r.content, format=formats[fmt]))
    assert any(q.subject == ox.NamedNode(ID + "org/canon") for q in quads)


def test_graph_unknown_focus_and_bad_format(client: TestClient) -> None:
    assert client.get("/api/graph", params={"focus": "org/nothing"}).status_code == 404
    r = client.get("/api/graph", params={"format": "pdf"})
    assert r.status_code == 422 and "format" in json.dumps(r.json())


def test_view_and_shortest_path(client: TestClient) -> None:
    v = client.get("/api/view", params={"focus": "org/canon", "depth": 1}).json()
    node = next(n for n in v["nodes"] if n["id"] == "org/canon")
    assert node["kind"] == "Company" and isinstance(node["title"], str)
    sp = client.get("/api/shortest-path", params={"source": "org/canon",
                                                  "target": "org/shanghai-psb"}).json()
    assert sp["found"] and sp["nodes"][0] == "org/canon" and sp["nodes"][-1] == "org/shanghai-psb"
    assert len(sp["edges"]) == len(sp["nodes"]) - 1


# ------------------------------------------------------------------ ontology, hostile data


def test_ontology_answers_turtle_to_rdf_clients(client: TestClient) -> None:
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    assert any(t.object == ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
               for t in triples)
    html = client.get("/ontology", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html") and "skg:Supply" in html.text


def test_hostile_text_is_returned_as_data_and_urls_are_not_links(
        hostile_client: TestClient) -> None:
    e = hostile_client.get("/api/entities/org/fx-exporter").json()
    assert e["label"].startswith("<img src=x")
    supply = next(c for c in e["claims"] if c["id"] == "supply/fx-1")
    by_id = {s["id"]: s for s in supply["sources"]}
    assert by_id["source/fx-1"]["url"] is None
    assert by_id["source/fx-1"]["raw_url"].startswith("javascript:")
    assert by_id["source/fx-2"]["url"] == "https://example.org/report?a=1&b=2"


def test_hostile_pages_escape_everything(hostile_client: TestClient) -> None:
    for path in ("/entity/org/fx-exporter", "/entity/supply/fx-1", "/entity/source/fx-1",
                 "/explore", "/exposure/org/fx-exporter", "/search?q=fx", "/"):
        r = hostile_client.get(path)
        assert r.status_code == 200, path
        html = r.text
        assert "<img src=x" not in html and "<script>window" not in html, path
        assert "<svg onload" not in html and "<b onmouseover" not in html, path
        assert 'href="javascript:' not in html.lower(), path
        assert "<script>" not in html.replace('<script src="', ""), path
    page = hostile_client.get("/entity/org/fx-exporter").text
    assert "&lt;img src=x" in page
    assert 'href="https://example.org/report?a=1&amp;b=2"' in page


def test_box_nodes_carry_a_light_label(client: TestClient) -> None:
    # vis draws a box's label inside it: the default near-black text was unreadable on
    # the risk indicators' dark red.
    nodes = client.get("/api/view", params={"max_nodes": 300}).json()["nodes"]
    boxes = [n for n in nodes if n.get("shape") == "box"]
    assert boxes and all(n.get("font", {}).get("color") == "#ffffff" for n in boxes)
