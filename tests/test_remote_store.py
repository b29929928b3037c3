"""The remote store: survkg over a real ``oxigraph serve`` spoken to by the W3C protocols.

The server is the Oxigraph binary that the PyPI package ``oxigraph`` installs beside the
venv's Python; each test module gets its own server on a free loopback port. The seeded
remote store must answer every exposure question exactly as the embedded store does (the
competency questions run on both stores in tests/test_competency.py), writes must be
all-or-nothing and bump the version, and a store location with an unknown scheme is
refused instead of becoming a folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.servers import free_port
from graph.errors import QueryError, StoreLocationError
from graph.exposure import Filters, exposure, ranking
from graph.loading import load_files, open_remote_store, open_store
from graph.namespaces import ID
from graph.projection import Projection, build_projection
from graph.remote_store import META_GRAPH, RemoteStoreError, SparqlHttpStore
from graph.store import OxigraphStore
from tests.conftest import oxigraph_server

EX = "https://w3id.org/survkg/id/test/remote/"
G1 = ox.NamedNode(EX + "g1")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on disk, on loopback; yields its base URL."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-server") / "db") as url:
        yield url


@pytest.fixture(scope="module")
def remote(server: str) -> SparqlHttpStore:
    """The seeded remote store (seeded by survkg itself on first open)."""
    return open_remote_store(server)


@pytest.fixture(scope="module")
def projections(remote: SparqlHttpStore,
                seed_store: OxigraphStore) -> tuple[Projection, Projection]:
    """The exposure projection built over each store (embedded, remote), once."""
    return build_projection(seed_store), build_projection(remote)


@pytest.fixture
def scratch(server: str) -> Iterator[SparqlHttpStore]:
    """A remote store for write tests; the test graph is emptied afterwards."""
    store = SparqlHttpStore(server)
    yield store
    store.clear_graph(G1)


def _dataset(store: OxigraphStore | SparqlHttpStore) -> set[ox.Quad]:
    ds = ox.Dataset(store.quads())
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)


def test_the_seeded_remote_store_holds_the_same_dataset_as_the_embedded_one(
        remote: SparqlHttpStore, seed_store: OxigraphStore) -> None:
    assert len(remote) == len(seed_store)
    assert set(remote.named_graphs()) == set(seed_store.named_graphs())
    assert META_GRAPH not in remote.named_graphs()
    assert _dataset(remote) == _dataset(seed_store)


@pytest.mark.parametrize("org", ["org/canon", "org/axis-communications", "org/idemia",
                                 "org/noldus", "org/advent-international"])
@pytest.mark.parametrize("filters", [Filters(), Filters(include_unverified=True),
                                     Filters(as_of="2014-12-31"), Filters(max_hops=2)])
def test_exposure_over_the_remote_store_equals_the_embedded_result(
        projections: tuple[Projection, Projection], org: str, filters: Filters) -> None:
    here = exposure(projections[0], ID + org, filters)
    there = exposure(projections[1], ID + org, filters)
    assert json.dumps(there.to_dict(), sort_keys=True) == \
        json.dumps(here.to_dict(), sort_keys=True)


def test_the_ranking_over_the_remote_store_equals_the_embedded_one(
        projections: tuple[Projection, Projection]) -> None:
    here, there = ranking(projections[0]), ranking(projections[1])
    assert here.entries
    assert [(r.subject.iri, r.score) for r in there.entries] == \
        [(r.subject.iri, r.score) for r in here.entries]


def test_writes_are_one_request_each_and_bump_the_version(scratch: SparqlHttpStore) -> None:
    before = scratch.version
    b = ox.BlankNode()
    quads = [ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), b, G1),
             ox.Quad(b, ox.NamedNode(EX + "q"), ox.Literal("x \"quoted\"\n", language="en"), G1)]
    scratch.extend(quads)
    assert scratch.version == before + 1
    got = list(scratch.quads(graph=G1))
    assert len(got) == 2
    # The blank node is one node on the server too: the two quads still join.
    [obj] = [q.object for q in got if q.predicate.value == EX + "p"]
    assert [q.object for q in got if q.subject == obj] == [quads[1].object]
    scratch.clear_graph(G1)
    assert scratch.version == before + 2
    assert list(scratch.quads(graph=G1)) == []


def test_a_bad_update_changes_nothing(scratch: SparqlHttpStore) -> None:
    scratch.update(f"INSERT DATA {{ GRAPH {G1} {{ <{EX}a> <{EX}p> 1 }} }}")
    before, version = _dataset(scratch), scratch.version
    with pytest.raises(QueryError):
        scratch.update(f"INSERT DATA {{ GRAPH {G1} {{ <{EX}a> <{EX}p> 2 }} }} ; "
                       "THIS IS NOT SPARQL")
    assert _dataset(scratch) == before
    assert scratch.version == version


def test_files_load_through_the_graph_store_protocol(scratch: SparqlHttpStore,
                                                     tmp_path: Path) -> None:
    ttl = tmp_path / "x.ttl"
    ttl.write_text(f"<{EX}a> <{EX}p> [ <{EX}q> \"in a blank node\" ] .\n", encoding="utf-8")
    version = scratch.version
    scratch.load_file(ttl, ox.RdfFormat.TURTLE, G1)
    assert scratch.version == version + 1
    assert len(list(scratch.quads(graph=G1))) == 2
    assert not [g for g in scratch.named_graphs() if "staging" in str(g)]
    trig = tmp_path / "x.trig"
    trig.write_text(f"<{G1.value}> {{ <{EX}b> <{EX}p> \"from TriG\" }}\n", encoding="utf-8")
    scratch.load_file(trig, ox.RdfFormat.TRIG, G1)
    assert len(list(scratch.quads(graph=G1))) == 3


def test_the_loader_validates_and_loads_into_a_remote_store(
        scratch: SparqlHttpStore, tmp_path: Path) -> None:
    ttl = tmp_path / "ok.ttl"
    ttl.write_text(f"<{EX}a> <http://www.w3.org/2000/01/rdf-schema#label> \"a\" .\n",
                   encoding="utf-8")
    load_files(scratch, [ttl], graph=G1)
    assert [q.object for q in scratch.quads(graph=G1)] == [ox.Literal("a")]


def test_construct_results_come_back_as_triples(remote: SparqlHttpStore) -> None:
    result = remote.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5")
    assert isinstance(result, ox.QueryTriples)
    assert len(list(result)) == 5
    assert remote.query("ASK { ?s a ?c }")


def test_an_unreachable_store_is_one_clear_error() -> None:
    store = SparqlHttpStore(f"http://127.0.0.1:{free_port()}/")
    with pytest.raises(RemoteStoreError, match="cannot reach the remote store"):
        store.query("ASK {}")


@pytest.mark.parametrize("location", ["ftp://example.org/store", "sqlite:///tmp/x.db",
                                      "s3://bucket/store"])
def test_a_location_with_an_unknown_scheme_is_refused_and_creates_nothing(
        location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreLocationError, match="unknown store scheme"):
        open_store(location)
    monkeypatch.setenv("SURVKG_STORE", location)
    with pytest.raises(StoreLocationError, match="unknown store scheme"):
        open_store()
    with pytest.raises(StoreLocationError):
        open_remote_store(location)
    assert os.listdir(tmp_path) == []


def test_the_cli_refuses_an_unknown_scheme_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "SURVKG_STORE": "ftp://example.org/store",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run([sys.executable, "-c", "from graph.cli import main; main()", "info"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2  # a usage error, as for any bad option value
    assert "unknown store scheme 'ftp'" in out.stderr
    assert "Traceback" not in out.stderr
    assert os.listdir(tmp_path) == []


def _cli(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from graph.cli import cli
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_reads_a_remote_store_given_by_url(remote: SparqlHttpStore, server: str,
                                                   seed_store: OxigraphStore) -> None:
    code, out, err = _cli("exposure", "Canon", "--format", "json", "--store", server)
    assert code == 0, err
    embedded = exposure(build_projection(seed_store), ID + "org/canon", Filters())
    got = json.loads(out)
    assert got["score"] == embedded.score > 0
    assert [p["target"]["iri"] for p in got["paths"]] == \
        [p.target.iri for p in embedded.paths]
    code, out, err = _cli("info", "--store", server)
    assert code == 0, err
    assert server in out and str(len(seed_store)) in out.replace(",", "")


@pytest.mark.parametrize("command", [("token", "list"), ("audit",),
                                     ("retract", "imp-1", "--reason", "test")])
def test_commands_that_need_a_store_folder_refuse_a_remote_store(server: str,
                                                                  command: tuple[str, ...]
                                                                  ) -> None:
    code, _, err = _cli(*command, "--store", server)
    assert code != 0
    assert "is a remote SPARQL store; this command needs a store folder" in err
