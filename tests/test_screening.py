"""Portfolio screening: a mixed list gives the right matches and scores, identically from
the CLI and from the HTTP API (a real server), and from the /screen page in Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from web_server import live_server

from graph import screening
from graph.cli import cli
from graph.entities import resolve
from graph.exposure import exposure
from graph.loading import open_store, parse_file
from graph.namespaces import GRAPH
from graph.projection import build_projection
from graph.store import OxigraphStore

PORTFOLIO = """name,country,identifier
Canon Inc.,,
Axis AB,Sweden,
Cannon,,
Axis Comunications,,
上海市公安局,,
Acme Widgets Ltd,,
Noldus Information Technology B.V.,NL,
Some holding,,ORG-ADVENT
Idemia,Japan,
"""
#: line -> (how it matches, entity id or None)
EXPECTED = {
    2: ("exact name", "org/canon"),
    3: ("alias", "org/axis-communications"),
    4: ("fuzzy", "org/canon"),
    5: ("fuzzy", "org/axis-communications"),
    6: ("Chinese name", "org/shanghai-psb"),
    7: ("none", None),
    8: ("alias", "org/noldus"),
    9: ("identifier", "org/advent-international"),
    10: ("none", None),
}


@pytest.fixture(scope="module")
def base(seed_store: OxigraphStore) -> Iterator[str]:
    with live_server(seed_store) as url:
        yield url


def _essential(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["line"], r["match"], r["entity"]["id"] if r["entity"] else None,
             r["similarity"], r["score"], r["targets"], r["paths"],
             [t["id"] for t in r["top_targets"]], r["dossier"]) for r in rows]


def test_mixed_list_same_through_cli_and_api(tmp_path: Path, base: str,
                                             seed_store: OxigraphStore) -> None:
    src = tmp_path / "portfolio.csv"
    src.write_text(PORTFOLIO, encoding="utf-8")
    done = CliRunner().invoke(cli, ["screen", str(src), "--format", "json", "--store",
                                    str(tmp_path / "store")])
    assert done.exit_code == 0, done.output
    by_cli = json.loads(done.output)
    got = httpx.post(base + "/api/screen", content=PORTFOLIO.encode(),
                     headers={"content-type": "text/csv"}, timeout=60)
    assert got.status_code == 200, got.text
    by_api = got.json()
    assert _essential(by_cli["rows"]) == _essential(by_api["rows"])
    proj = build_projection(seed_store)
    for row in by_api["rows"]:
        how, ident = EXPECTED[row["line"]]
        assert (row["match"], row["entity"]["id"] if row["entity"] else None) == (how, ident)
        if ident:
            x = exposure(proj, resolve(seed_store, ident).iri)
            assert row["score"] == x.score and row["paths"] == x.total_paths
            assert [t["id"] for t in row["top_targets"]] == [t.target.id
                                                             for t in x.targets[:3]]
            assert row["dossier"] == f"/dossier/{ident}"
    fuzzy = next(r for r in by_api["rows"] if r["input"]["name"] == "Cannon")
    assert 86 <= fuzzy["similarity"] < 100 and fuzzy["score"] > 3
    japan = next(r for r in by_api["rows"] if r["line"] == 10)
    assert japan["note"] == "same name, different country"
    assert [c["id"] for c in japan["candidates"]] == ["org/idemia"]
    # The same list as JSON objects, and the CSV download.
    objs = [{"name": "Cannon"}, "上海市公安局", {"name": "x", "identifier": "ORG-ADVENT"}]
    as_json = httpx.post(base + "/api/screen", json=objs).json()
    assert [r["match"] for r in as_json["rows"]] == ["fuzzy", "Chinese name", "identifier"]
    csv_out = httpx.post(base + "/api/screen", params={"format": "csv"},
                         content=PORTFOLIO.encode(), headers={"content-type": "text/csv"})
    lines = csv_out.text.splitlines()
    assert lines[0].startswith("line,name,country") and len(lines) == 10
    assert "Cannon" in lines[3] and "fuzzy" in lines[3] and "/dossier/org/canon" in lines[3]


def test_bad_and_oversized_lists_are_refused(base: str) -> None:
    too_many = "name\n" + "x\n" * (screening.MAX_ROWS + 1)
    big = httpx.post(base + "/api/screen", content=too_many.encode(),
                     headers={"content-type": "text/csv"})
    assert big.status_code == 413 and str(screening.MAX_ROWS) in big.text
    empty = httpx.post(base + "/api/screen", content=b"name,country\nCanon,\n,Sweden\n",
                       headers={"content-type": "text/csv"})
    assert empty.status_code == 400 and empty.json()["line"] == 3
    bad = httpx.post(base + "/api/screen", content=b"[{\"nom\": 1}]",
                     headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "item 1" in bad.json()["detail"]


def test_same_name_in_two_countries_is_ambiguous_until_a_country_is_given(
        tmp_path: Path) -> None:
    extra = tmp_path / "twin.ttl"
    extra.write_text("""
@prefix skg: <https://w3id.org/survkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/survkg/id/org/axis-communications-jp> a skg:Company ;
    rdfs:label "Axis Communications"@en ;
    skg:country <https://w3id.org/survkg/id/place/japan> .
""", encoding="utf-8")
    store = open_store(memory=True)
    store.extend(parse_file(extra, graph=ox.NamedNode(GRAPH + "user/twin")))
    proj = build_projection(store)
    rows = [screening.Row(1, "Axis Communications"),
            screening.Row(2, "Axis Communications", country="SE"),
            screening.Row(3, "Axis Communications", country="Japan")]
    got = screening.screen(store, proj, rows).rows
    assert got[0].match == "ambiguous" and got[0].entity is None
    assert {c["id"] for c in got[0].candidates} == {"org/axis-communications",
                                                    "org/axis-communications-jp"}
    assert (got[1].match, got[1].entity.id if got[1].entity else None) == \
        ("exact name", "org/axis-communications")
    assert got[1].score and got[1].score > 3
    assert got[2].entity is not None and got[2].entity.id == "org/axis-communications-jp"
    assert got[2].score == 0


@pytest.mark.slow
@pytest.mark.browser
def test_screen_page_paste_and_download(browser: Any, base: str) -> None:
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    pg.goto(base + "/screen")
    pg.fill("#text", "Cannon\nAxis AB\nAcme Widgets Ltd\n")
    pg.click("#screen-form button[type=submit]")
    pg.wait_for_selector("#screen-results")
    matches = pg.eval_on_selector_all("#screen-results tbody tr",
                                      "rows => rows.map(r => r.dataset.match)")
    assert matches == ["fuzzy", "alias", "none"]
    assert "Canon Inc." in pg.locator("#screen-results").inner_text()
    with pg.expect_download() as dl:
        pg.click("#download-csv")
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("line,name") and "fuzzy" in text
    context.close()
