"""``survkg export`` in every format and ``survkg import`` of what other tools produce,
through the real command line on an on-disk store."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.interchange.exports import EXPORTERS
from graph.loading import open_store

DATA = Path(__file__).parent / "data" / "imports"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed store exported once in every format."""
    base = tmp_path_factory.mktemp("export")
    store = base / "store"
    open_store(store).close()
    out: dict[str, Path] = {}
    runner = CliRunner()
    for fmt, exporter in EXPORTERS.items():
        target = base / f"seeds.{exporter.extension}"
        result = runner.invoke(cli, ["export", "--format", fmt, "-o", str(target),
                                     "--store", str(store)])
        assert result.exit_code == 0, result.output
        out[fmt] = target
    return out


def test_every_format_is_written_and_readable(exported: dict[str, Path]) -> None:
    for fmt in ("nquads", "trig", "turtle", "ntriples", "rdfxml", "jsonld"):
        rdf = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
               "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
        assert len(list(ox.parse(path=str(exported[fmt]), format=rdf))) > 2000, fmt
    gexf = nx.read_gexf(exported["gexf"])
    graphml = nx.read_graphml(exported["graphml"])
    assert gexf.number_of_nodes() == graphml.number_of_nodes() > 50
    assert gexf.number_of_edges() == graphml.number_of_edges() > 50
    lines = exported["ftm"].read_text(encoding="utf-8").splitlines()
    assert {json.loads(line)["schema"] for line in lines} >= {"Company", "Ownership",
                                                              "Contract", "ContractAward"}
    header = exported["csv"].read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert {"supplier", "recipient", "technology", "source URL", "confidence"} <= set(header)


def test_ftm_export_imports_into_an_empty_graph(exported: dict[str, Path],
                                                tmp_path: Path) -> None:
    """FtM from survkg goes back in through ``survkg import`` (a documented subset; the
    claims come in as unverified, so they add no exposure until a person grades them)."""
    store = tmp_path / "store"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(exported["ftm"]), "--store", str(store),
                                 "--as", "tester", "--output", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["committed"] and body["triples"] > 100
    # Seed organisations are recognised by name (and country), not duplicated.
    assert len(body["links"]) >= 20
    listing = runner.invoke(cli, ["imports", "--store", str(store), "--format", "json"])
    (record,) = json.loads(listing.output)
    assert record["imported_by"] == "tester" and record["file"] == exported["ftm"].name


def test_cli_import_refusal_lists_problems_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes((DATA / "three-findings.csv").read_bytes().replace(b"2021-03", b"soon"))
    result = CliRunner().invoke(cli, ["import", str(bad), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "bad.csv:3" in result.output and "date" in result.output


def test_cli_dry_run_then_import_then_retract(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    runner = CliRunner()
    src = str(DATA / "three-findings.csv")
    dry = runner.invoke(cli, ["import", src, "--dry-run", "--store", store])
    assert dry.exit_code == 0 and dry.output.startswith("would import"), dry.output
    done = runner.invoke(cli, ["import", src, "--store", store, "--output", "json"])
    import_id = json.loads(done.output)["id"]
    # The new supplies are in the exposure results, with their sources.
    shown = runner.invoke(cli, ["exposure", "Nordvision Optics", "--store", store,
                                "--format", "json"])
    assert shown.exit_code == 0, shown.output
    paths = json.loads(shown.output)["paths"]
    assert {p["target"]["id"] for p in paths} >= {"org/shanghai-psb", "org/lingchuan-psb"}
    assert "https://example.org/news/nordvision-shanghai" in shown.output
    again = runner.invoke(cli, ["import", src, "--store", store])
    assert again.exit_code == 1 and "already imported" in again.output
    gone = runner.invoke(cli, ["retract", import_id, "--reason", "test", "--store", store])
    assert gone.exit_code == 0, gone.output
    audit = runner.invoke(cli, ["audit", "--store", store, "--format", "json"])
    outcomes = [json.loads(line)["outcome"] for line in audit.output.splitlines()]
    assert outcomes[:2] == ["dry run", "started"] and "committed" in outcomes
    assert any(o.startswith("refused") for o in outcomes)


@pytest.mark.parametrize("fmt", ["nquads", "trig", "turtle", "ntriples", "rdfxml", "jsonld"])
def test_rdf_export_imports_back_isomorphic(exported: dict[str, Path], tmp_path: Path,
                                            fmt: str) -> None:
    """Export, then import into an empty store: the import's graph is the exported
    dataset's union of triples, isomorphic (blank nodes may be renamed)."""
    from rdflib.compare import isomorphic

    from graph.imports import kinds
    from graph.imports.pipeline import import_data
    from graph.validation import to_rdflib_graph

    path = exported[fmt]
    store = open_store(tmp_path / "store", seed=False)
    result = import_data(store, path.read_bytes(), kind=kinds.for_filename(path.name),
                         filename=path.name, actor="test")
    imported = list(store.quads(None, None, None, ox.NamedNode(result.graph)))
    rdf = kinds.for_filename(path.name).rdf
    assert rdf is not None
    original = {ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(path=str(path), format=rdf)}
    assert len(imported) == len(original)
    assert isomorphic(to_rdflib_graph(imported), to_rdflib_graph(original))
    store.close()
