"""A findings sheet naming suppliers and recipients on every inhabited continent, with
technologies from the families added for third-party datasets (issue 12), imports
through the CLI and through the HTTP API, and ``survkg suppliers`` answers for each
recipient. Before issue 12 the first row was refused: "unknown country 'Canada'"."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from api.settings import Settings
from graph.cli import cli
from graph.loading import open_store
from graph.tokens import open_tokens
from tests.web_server import live_server

SHEET = Path(__file__).parent / "data" / "imports" / "world-findings.csv"
ROWS = list(csv.DictReader(io.StringIO(SHEET.read_text(encoding="utf-8"))))
#: Where the sheet's countries are (ISO 3166-1 names); every inhabited continent.
CONTINENT = {"Canada": "North America", "United States": "North America",
             "Argentina": "South America", "Peru": "South America", "Brazil": "South America",
             "Germany": "Europe", "Estonia": "Europe", "Cyprus": "Europe",
             "Kenya": "Africa", "Nigeria": "Africa", "Egypt": "Africa", "Mali": "Africa",
             "Japan": "Asia", "Viet Nam": "Asia", "New Zealand": "Oceania",
             "Australia": "Oceania"}


def test_the_sheet_spans_every_continent_and_the_new_families() -> None:
    continents = {CONTINENT[r[f"{side} country"]] for r in ROWS for side in ("supplier",
                                                                             "recipient")}
    assert continents == {"North America", "South America", "Europe", "Africa", "Asia",
                          "Oceania"}
    assert {r["technology"] for r in ROWS} == {
        "social-media monitoring", "voice recognition", "location tracking",
        "internet filtering and censorship", "smart-city / safe-city platform",
        "data retention", "gait recognition", "spyware as a service"}


def test_cli_import_then_suppliers_for_every_recipient(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    runner = CliRunner()
    done = runner.invoke(cli, ["import", str(SHEET), "--store", store, "--output", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["new_resources"]["Supply"] == len(ROWS)
    for row in ROWS:
        got = runner.invoke(cli, ["suppliers", row["recipient"], "--store", store,
                                  "--format", "json"])
        assert got.exit_code == 0, got.output
        answer = json.loads(got.output)
        assert [s["supplier"]["label"] for s in answer["suppliers"]] == [row["supplier"]]
        (path,) = answer["paths"]
        (hop,) = path["hops"]
        assert [t["label"] for t in hop["technology"]] == [row["technology"]]
        assert hop["evidence"][0]["url"] == row["source URL"]
        assert path["control_status_at_time"]["basis"] == "at-supply-date"
    # the countries are the seed's ISO countries, not new places
    located = runner.invoke(cli, ["query", "SELECT ?c WHERE { ?o skg:country ?c }",
                                  "--store", store, "--format", "json"])
    assert located.exit_code == 0, located.output
    iris = {json.dumps(b) for b in json.loads(located.output)["results"]["bindings"]}
    for country in ("kenya", "canada", "germany", "new-zealand", "vietnam"):
        assert any(f"/id/place/{country}\"" in i for i in iris), country


@pytest.mark.slow
def test_api_import_then_suppliers(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    token = open_tokens(store).create("researcher")
    try:
        with live_server(store, Settings(rate_limit_per_minute=0)) as base:
            r = httpx.post(f"{base}/api/import", content=SHEET.read_bytes(), timeout=120,
                           params={"filename": SHEET.name, "wait": 60},
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "text/csv"})
            assert r.status_code == 201, r.text
            assert r.json()["result"]["new_resources"]["Supply"] == len(ROWS)
            for row in ROWS:
                hits = httpx.get(f"{base}/api/search", params={"q": row["recipient"]}).json()
                (hit,) = [h for h in hits["results"] if h["label"] == row["recipient"]]
                got = httpx.get(f"{base}/api/suppliers/{hit['id']}")
                assert got.status_code == 200, got.text
                assert [s["supplier"]["label"] for s in got.json()["suppliers"]] == [
                    row["supplier"]]
    finally:
        store.close()
