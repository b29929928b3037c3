"""Large imports go in through the journaled bulk loader (``Store.bulk_add``): complete,
catalogued, and all-or-nothing across a crash (the catalogue entry is the commit marker).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.bench_import import turtle
from graph.imports import kinds
from graph.imports.catalogue import graph_iri, list_imports
from graph.imports.pipeline import BULK_MIN, import_data
from graph.loading import open_store
from graph.namespaces import IMPORTS_GRAPH
from graph.store import BULK_JOURNAL, OxigraphStore

ROOT = Path(__file__).resolve().parent.parent


def _import(store: OxigraphStore, n: int) -> str:
    data = turtle(n).encode()
    result = import_data(store, data, kind=kinds.KINDS["turtle"], filename="big.ttl",
                         actor="test", max_bytes=1 << 30)
    assert result.committed
    return result.id


def test_a_large_import_is_bulk_loaded_complete_and_catalogued(disk_store: OxigraphStore
                                                                ) -> None:
    import_id = _import(disk_store, 600)
    (record,) = list_imports(disk_store)
    assert record.id == import_id
    in_graph = sum(1 for _ in disk_store.quads(None, None, None, graph_iri(import_id)))
    assert in_graph == record.triples >= BULK_MIN
    assert not (Path(disk_store.location) / BULK_JOURNAL).exists()


def test_a_crash_before_the_commit_empties_the_graph_after_it_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = open_store(path, seed=False)
    graph = ox.NamedNode("https://w3id.org/survkg/graph/import/crashed")
    marker = ox.Quad(graph, ox.NamedNode("urn:x:done"), ox.Literal("yes"), IMPORTS_GRAPH)
    data = [ox.Quad(ox.NamedNode(f"urn:x:s{i}"), ox.NamedNode("urn:x:p"), ox.Literal(str(i)),
                    graph) for i in range(2000)]
    store.raw.bulk_extend(data)  # the data went in, the commit did not
    journal = {"graph": graph.value,
               "marker": ox.serialize([marker], format=ox.RdfFormat.N_QUADS).decode()}
    (path / BULK_JOURNAL).write_text(json.dumps(journal), encoding="utf-8")
    store.close()
    store = open_store(path, seed=False)
    assert next(iter(store.quads(None, None, None, graph)), None) is None
    store.bulk_add(data, graph, [marker])  # complete, then a crash before the journal went
    (path / BULK_JOURNAL).write_text(json.dumps(journal), encoding="utf-8")
    store.close()
    store = open_store(path, seed=False)
    assert sum(1 for _ in store.quads(None, None, None, graph)) == 2000
    assert marker in store.raw
    assert not (path / BULK_JOURNAL).exists()


CHILD = """
import sys
from bench.bench_import import turtle
from graph.imports import kinds
from graph.imports.pipeline import import_data
from graph.loading import open_store
store = open_store(sys.argv[1])
data = turtle(int(sys.argv[2])).encode()
print("go", flush=True)
import_data(store, data, kind=kinds.KINDS["turtle"], filename="big.ttl", actor="t",
            max_bytes=1 << 30)
print("done", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05])
def test_killed_large_import_is_all_or_nothing(tmp_path: Path, delay: float) -> None:
    """Killed (SIGKILL) while its journal is there, i.e. inside the bulk load or its commit."""
    path = tmp_path / "store"
    open_store(path).close()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), "1500"],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while not (path / BULK_JOURNAL).exists() and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = open_store(path)
    records = list_imports(store)
    import_graphs = [g for g in store.named_graphs() if "/import/" in g.value]
    if records:
        (record,) = records
        assert sum(1 for _ in store.quads(None, None, None, graph_iri(record.id))) \
            == record.triples
    else:
        assert all(next(iter(store.quads(None, None, None, g)), None) is None
                   for g in import_graphs)
    assert not (path / BULK_JOURNAL).exists()


def test_a_syntax_error_past_the_scan_is_located_and_undone(tmp_path: Path) -> None:
    """A large load's first pass stops at the SHACL limit; the bulk loader's own parse then
    refuses a syntax error further on, with its line, and leaves the store as it was."""
    from graph.errors import InvalidData
    from graph.loading import SHACL_AUTO_LIMIT, load_files

    n = SHACL_AUTO_LIMIT + 5_000
    data = tmp_path / "big.nt"
    data.write_text("".join(f'<urn:x:s{i}> <urn:x:p> "{i}" .\n' for i in range(n))
                    + "<urn:x:bad> <urn:x:p> oops .\n", encoding="utf-8")
    store = open_store(tmp_path / "store")
    before = len(store)
    with pytest.raises(InvalidData) as info:
        load_files(store, [data])
    assert info.value.line == n + 1 and info.value.file == str(data)
    assert len(store) == before
    good = tmp_path / "good.nt"
    good.write_text("".join(f'<urn:x:s{i}> <urn:x:p> "{i}" .\n' for i in range(n)),
                    encoding="utf-8")
    report = load_files(store, [good])
    assert report.triples == n and report.shacl_skipped
    assert len(store) == before + n
