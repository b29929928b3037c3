"""Imports prepared in a worker process (``graph/imports/worker.py``, what the server's
``POST /api/import`` does): the same results and the same located refusals as an
import prepared in-process, a killed worker leaves the store untouched, and a large
import over HTTP completes while the server keeps answering reads."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pyoxigraph as ox
import pytest

from api.settings import Settings
from bench.bench_import import turtle
from graph.audit import open_audit
from graph.errors import SurvkgError
from graph.imports import kinds
from graph.imports.catalogue import graph_iri, list_imports
from graph.imports.pipeline import WorkerFailed, import_data
from graph.imports.worker import prepare_in_worker, write_chunks
from graph.loading import open_store
from graph.namespaces import IMPORTS_GRAPH, RDFS_LABEL
from graph.store import BULK_JOURNAL, OxigraphStore
from graph.tokens import open_tokens
from tests.test_imports import DATA, PREFIXES, dump
from tests.web_server import live_server


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "store"
    open_store(path).close()
    return path


def copy_of(template: Path, where: Path) -> OxigraphStore:
    shutil.copytree(template, where)
    return open_store(where)


def run(store: OxigraphStore, data: bytes, name: str, isolate: bool,
        **kw: Any) -> Any:
    return import_data(store, data, kind=kinds.for_filename(name), filename=name,
                       actor="test", preparer=prepare_in_worker if isolate else None, **kw)


GOOD = (DATA / "good.ttl").read_bytes()
REFUSED = {
    "syntax": ("bad.ttl", GOOD + b"\n<https://example.org/x> rdfs:label .\n"),
    "shacl": ("bad.ttl", GOOD.replace(b'dcterms:publisher "Example Press" ;', b"")),
    "boundary": ("bad.ttl", PREFIXES + b"skg:Disputed skg:countsByDefault true .\n"),
    "markup": ("bad.ttl", PREFIXES + b'\n<https://example.org/a> a skg:Company ;\n'
               b'  rdfs:label "Acme<script>alert(1)</script>" .\n'),
    "csv": ("bad.csv", (DATA / "three-findings.csv").read_bytes()
            .replace(b"2021-03", b"March 2021").replace(b"reported by press", b"rumour")),
}


def _cmdline(p: psutil.Process) -> list[str]:
    """A child's command line; nothing for one that has just exited (a zombie)."""
    try:
        return list(p.cmdline())
    except psutil.Error:
        return []


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_worker_refusal_is_the_in_process_refusal(template: Path, tmp_path: Path,
                                                    case: str) -> None:
    name, data = REFUSED[case]
    store = copy_of(template, tmp_path / "store")
    audit = open_audit(store)
    before = dump(store)
    errors = []
    for isolate in (False, True):
        with pytest.raises(SurvkgError) as info:
            run(store, data, name, isolate, audit=audit)
        errors.append(info.value)
    here, there = errors
    assert type(there) is type(here)
    assert str(there) == str(here)
    assert list(getattr(there, "problems", ())) == list(getattr(here, "problems", ()))
    assert getattr(there, "line", None) is not None or case == "csv", str(there)
    assert dump(store) == before
    outcomes = [e["outcome"] for e in audit.entries()][-2:]
    assert outcomes[0] == outcomes[1] and outcomes[0].startswith("refused: ")
    store.close()


def test_a_worker_import_equals_the_in_process_import(template: Path, tmp_path: Path) -> None:
    data = (DATA / "three-findings.csv").read_bytes()
    results, graphs = [], []
    for isolate in (False, True):
        store = copy_of(template, tmp_path / f"store-{isolate}")
        r = run(store, data, "three.csv", isolate)
        assert r.committed and list_imports(store)[0].triples == r.triples
        triples = {(q.subject.value.replace(r.id, "ID"), q.predicate.value,
                    q.object.value.replace(r.id, "ID"))
                   for q in store.quads(None, None, None, graph_iri(r.id))}
        out = r.to_dict()
        for key in ("id", "graph", "sha256"):
            out.pop(key)
        results.append(out)
        graphs.append(triples)
        store.close()
    assert results[1] == results[0]
    assert graphs[1] == graphs[0] and len(graphs[0]) == results[0]["triples"]


def test_a_killed_worker_leaves_the_store_untouched(template: Path, tmp_path: Path) -> None:
    store = copy_of(template, tmp_path / "store")
    audit = open_audit(store)
    before = dump(store)
    outcome: dict[str, BaseException] = {}

    def go() -> None:
        try:
            run(store, turtle(4000).encode(), "big.ttl", True, audit=audit,
                max_bytes=1 << 30)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=go)
    thread.start()
    worker = None
    for _ in range(600):
        worker = next((p for p in psutil.Process().children()
                       if "graph.imports.worker" in " ".join(_cmdline(p))), None)
        if worker is not None:
            break
        time.sleep(0.02)
    assert worker is not None, "no worker process was started"
    time.sleep(0.3)
    worker.kill()
    thread.join(timeout=120)
    assert isinstance(outcome.get("error"), WorkerFailed), outcome
    assert "killed by signal 9" in str(outcome["error"])
    assert dump(store) == before
    assert list_imports(store) == []
    assert not (Path(store.location) / BULK_JOURNAL).exists()
    assert audit.entries()[-1]["outcome"].startswith("failed: ")
    store.close()


@pytest.mark.slow
def test_a_large_http_import_completes_while_reads_are_answered(tmp_path: Path) -> None:
    findings = 2500  # 50,000 triples; bench/bench_import_load.py runs 1M
    store = open_store(tmp_path / "store")
    token = open_tokens(store).create("loader")
    auth = {"Authorization": f"Bearer {token}"}
    statuses: list[int] = []
    stop = threading.Event()
    with live_server(store, Settings(rate_limit_per_minute=0)) as base:

        def reads() -> None:
            with httpx.Client(base_url=base, timeout=60) as client:
                while not stop.is_set():
                    statuses.append(client.get("/healthz").status_code)
                    statuses.append(client.get("/api/search",
                                               params={"q": "Axis"}).status_code)

        r = httpx.post(f"{base}/api/import", content=turtle(findings).encode(), timeout=60,
                       params={"filename": "big.ttl"},
                       headers={**auth, "Content-Type": "text/turtle"})
        assert r.status_code == 202, r.text
        loader = threading.Thread(target=reads)
        loader.start()
        job_url = base + r.json()["url"]
        try:
            for _ in range(1200):
                job = httpx.get(job_url, headers=auth, timeout=60).json()
                if job["status"] not in ("queued", "running"):
                    break
                time.sleep(0.25)
            answered_during = len(statuses)
        finally:
            stop.set()
            loader.join(timeout=60)
        assert job["status"] == "done", job
        assert answered_during > 0 and set(statuses) == {200}, set(statuses)
        result = job["result"]
        assert result["triples"] == 20 * findings
        (record,) = httpx.get(f"{base}/api/imports").json()
        assert record["id"] == result["id"] and record["triples"] == 20 * findings
    graph = graph_iri(result["id"])
    assert sum(1 for _ in store.quads(None, None, None, graph)) == 20 * findings
    label = ox.Literal("Benchco 0001234 Optics")
    assert [q.subject.value for q in store.quads(None, RDFS_LABEL, label, graph)] == [
        "https://example.org/bench/c1234"]
    assert not (tmp_path / "store" / BULK_JOURNAL).exists()
    store.close()


def test_blank_nodes_stay_one_node_across_commit_files(tmp_path: Path) -> None:
    """The bulk loader renames blank nodes per file: the worker keeps every triple that
    mentions one in a single file, so a node described over many triples stays one."""
    store = open_store(tmp_path / "store", seed=False)
    graph = ox.NamedNode("https://w3id.org/survkg/graph/import/blank")
    p = ox.NamedNode("https://example.org/p")
    nodes = [ox.BlankNode() for _ in range(3)]
    quads = [ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), p, ox.Literal(str(i)), graph)
             for i in range(7)]
    quads += [ox.Quad(n, p, ox.Literal(f"{k}-{j}"), graph)
              for k, n in enumerate(nodes) for j in range(3)]
    quads += [ox.Quad(ox.NamedNode("https://example.org/s0"), p, n, graph) for n in nodes]
    names = write_chunks(quads, tmp_path, chunk=2)
    assert len(names) == 1 + 4  # the blank-node file, then 7 plain triples in twos
    marker = ox.Quad(graph, p, ox.Literal("done"), IMPORTS_GRAPH)
    store.bulk_add_files([tmp_path / n for n in names], graph, [marker])
    stored = list(store.quads(None, None, None, graph))
    assert len(stored) == len(quads)
    blank = {q.subject for q in stored if isinstance(q.subject, ox.BlankNode)}
    pointed = {q.object for q in stored if isinstance(q.object, ox.BlankNode)}
    assert len(blank) == 3 and blank == pointed
    store.close()


def test_every_refusal_type_survives_the_trip_back_from_the_worker() -> None:
    """The worker hands a refusal back pickled: each error type the pipeline raises comes
    back equal, with its location and problems (a type that did not would reach the
    client as a generic error)."""
    import pickle

    from graph.errors import Conflict, InvalidData, InvalidParameter, TooLarge, UnknownEntity
    from graph.interchange.model import Problem

    errors = [InvalidData("bad", file="f.ttl", line=3, column=7,
                          problems=[Problem("bad", file="f.ttl", line=3, column=7, field="p")]),
              TooLarge("too big"), Conflict("twice"), InvalidParameter("status", "unknown"),
              UnknownEntity("x", ["y"])]
    for error in errors:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
        assert back.__dict__ == error.__dict__
