"""The persistent store and its loader, on real on-disk stores.

Bad input is refused with its location and leaves the store as it was (also when only the
second of two files is bad, and on the bulk path above the SHACL limit); a dump in N-Quads
or TriG rebuilds an identical dataset; the CLI's load / info / export / query work end to
end on a store folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bench.generate import write as generate_file
from graph import loading
from graph.cli import cli
from graph.errors import InvalidData
from graph.loading import load_files, open_store
from graph.store import BULK_JOURNAL, Store

EX = "https://w3id.org/survkg/id/test/"
GOOD_TTL = f"""@prefix ex: <{EX}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a rdfs:label "a" .
ex:b rdfs:label "b" ; rdfs:seeAlso [ rdfs:label "a blank node" ] .
"""


def _snapshot(store: Store) -> set[ox.Quad]:
    return set(store.quads())


def _canonical(quads: set[ox.Quad]) -> set[ox.Quad]:
    ds = ox.Dataset(quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)


def _bad_last_line(path: Path, lines: int) -> None:
    """A Turtle file whose last line (``lines``) has an unterminated literal."""
    body = [f'<{EX}s{i}> <{EX}p> "v{i}" .' for i in range(lines - 1)]
    body.append(f'<{EX}last> <{EX}p> "unterminated .')
    path.write_text("\n".join(body) + "\n", encoding="utf-8")


def test_syntax_error_on_the_last_line_is_refused_with_its_location(
        fresh_store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    _bad_last_line(bad, 50)
    before = _snapshot(fresh_store)
    with pytest.raises(InvalidData) as err:
        load_files(fresh_store, [bad])
    assert err.value.file == str(bad)
    assert err.value.line == 50
    assert err.value.column is not None
    assert f"{bad}:50:" in str(err.value)
    assert _snapshot(fresh_store) == before


def test_a_bad_second_file_refuses_the_whole_load(fresh_store: Store,
                                                  tmp_path: Path) -> None:
    good, bad = tmp_path / "good.ttl", tmp_path / "bad.ttl"
    good.write_text(GOOD_TTL, encoding="utf-8")
    _bad_last_line(bad, 7)
    before = _snapshot(fresh_store)
    with pytest.raises(InvalidData) as err:
        load_files(fresh_store, [good, bad])
    assert (err.value.file, err.value.line) == (str(bad), 7)
    assert _snapshot(fresh_store) == before
    # The same store then takes the good file alone.
    report = load_files(fresh_store, [good])
    assert len(_snapshot(fresh_store)) == len(before) + report.triples


def test_large_load_goes_in_whole_or_not_at_all(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the SHACL limit (lowered here to keep the test fast) the loader bulk-loads
    under a journal, or streams into one transaction when the graph already has data; a
    syntax error on the last line of the second file still leaves nothing behind."""
    monkeypatch.setattr(loading, "SHACL_AUTO_LIMIT", 1_000)
    store = open_store(tmp_path / "store", seed=False)
    big = tmp_path / "big.nt"
    lines = generate_file(big, 5_000)
    bad = tmp_path / "bad.nt"
    _bad_last_line(bad, 20)
    with pytest.raises(InvalidData) as err:
        load_files(store, [big, bad])
    assert (err.value.file, err.value.line) == (str(bad), 20)
    assert len(store) == 0
    report = load_files(store, [big])
    assert report.shacl_skipped
    assert report.triples == lines
    assert len(store) == lines
    assert not (tmp_path / "store" / BULK_JOURNAL).exists()
    # A second large load into the same, now non-empty graph takes the transactional path.
    more = tmp_path / "more.nt"
    more_lines = generate_file(more, 5_000, seed=9)
    load_files(store, [more], graph=ox.NamedNode(report.graph), validate="syntax")
    assert lines < len(store) <= lines + more_lines
    with pytest.raises(InvalidData):
        load_files(store, [more, bad], graph=ox.NamedNode(report.graph))
    assert lines < len(store) <= lines + more_lines


def test_an_interrupted_bulk_load_is_undone_on_open(tmp_path: Path) -> None:
    """A journal left by a crash mid-bulk-load makes the next open remove that graph's data."""
    path = tmp_path / "store"
    store = open_store(path, seed=False)
    data = tmp_path / "d.nt"
    generate_file(data, 3_000)
    graph = ox.NamedNode("https://w3id.org/survkg/graph/user/crashed")
    store.raw.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    keep = tmp_path / "keep.ttl"
    keep.write_text(GOOD_TTL, encoding="utf-8")
    load_files(store, [keep])
    kept = len(store) - sum(1 for _ in store.quads(graph=graph))
    (path / BULK_JOURNAL).write_text(json.dumps({"graph": graph.value}), encoding="utf-8")
    del store
    reopened = open_store(path, seed=False)
    assert len(reopened) == kept
    assert not (path / BULK_JOURNAL).exists()


def test_rdfxml_with_entity_declarations_is_refused(fresh_store: Store,
                                                    tmp_path: Path) -> None:
    xml = tmp_path / "lol.rdf"
    xml.write_text("""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://w3id.org/survkg/id/test/x">
    <rdfs:label>&lol2;</rdfs:label>
  </rdf:Description>
</rdf:RDF>
""", encoding="utf-8")
    before = _snapshot(fresh_store)
    with pytest.raises(InvalidData) as err:
        load_files(fresh_store, [xml])
    assert "DOCTYPE" in err.value.message
    assert (err.value.file, err.value.line) == (str(xml), 2)
    assert _snapshot(fresh_store) == before


@pytest.mark.parametrize("fmt,ext", [(ox.RdfFormat.N_QUADS, "nq"), (ox.RdfFormat.TRIG, "trig")])
def test_dump_rebuilds_an_identical_dataset(tmp_path: Path, fmt: ox.RdfFormat,
                                            ext: str) -> None:
    store = open_store(tmp_path / "a")  # ontology + seeds
    extra = tmp_path / "extra.ttl"
    extra.write_text(GOOD_TTL, encoding="utf-8")  # with a blank node
    load_files(store, [extra])
    synthetic = tmp_path / "synthetic.nt"
    generate_file(synthetic, 3_000)
    load_files(store, [synthetic])
    dump = tmp_path / f"dump.{ext}"
    store.export(str(dump), fmt)

    rebuilt = open_store(tmp_path / "b", seed=False)
    load_files(rebuilt, [dump])
    original, copy = _snapshot(store), _snapshot(rebuilt)
    assert len(copy) == len(original)
    assert _canonical(copy) == _canonical(original)
    assert {q.graph_name for q in copy} == {q.graph_name for q in original}


def test_cli_load_info_export_query(tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(tmp_path / "store")]
    data = tmp_path / "synthetic.nt"
    lines = generate_file(data, 2_000)

    result = runner.invoke(cli, ["load", str(data), *store])
    assert result.exit_code == 0, result.output
    assert f"loaded {lines} triples" in result.output
    assert "graph/user/synthetic" in result.output

    result = runner.invoke(cli, ["info", *store])
    assert result.exit_code == 0, result.output
    assert "skg:Supply" in result.output
    assert "https://w3id.org/survkg/graph/user/synthetic" in result.output

    dump = tmp_path / "dump.nq"
    result = runner.invoke(cli, ["export", "--format", "nquads", "-o", str(dump), *store])
    assert result.exit_code == 0, result.output
    assert sum(1 for _ in ox.parse(path=str(dump))) == len(open_store(tmp_path / "store"))

    result = runner.invoke(cli, ["query", "--format", "json", *store,
                                 "SELECT ?s ?label WHERE { ?s a skg:Supply ; rdfs:label ?label }"
                                 " ORDER BY ?s LIMIT 3"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["head"]["vars"] == ["s", "label"]
    rows = doc["results"]["bindings"]
    assert len(rows) == 3
    assert rows[0]["s"]["type"] == "uri"
    assert rows[0]["label"]["type"] == "literal"

    bad = tmp_path / "bad.ttl"
    _bad_last_line(bad, 3)
    result = runner.invoke(cli, ["load", str(bad), *store])
    assert result.exit_code == 1
    assert f"{bad}:3:" in result.output


def test_load_reports_progress_in_bytes_read(tmp_path: Path) -> None:
    """The progress callback (the CLI's bar on a terminal) counts bytes of the files."""
    data = tmp_path / "big.nt"
    data.write_text("".join(f"<urn:x:s{i}> <urn:x:p> \"{i}\" .\n" for i in range(120_000)),
                    encoding="utf-8")
    seen: list[int] = []
    store = open_store(tmp_path / "store", seed=False)
    load_files(store, [data], validate="syntax", progress=seen.append)
    assert seen == sorted(seen) and len(seen) >= 3
    assert seen[-1] == data.stat().st_size and 0 < seen[0] < data.stat().st_size
