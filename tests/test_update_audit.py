"""SPARQL updates are audited like imports: ``started``, then an outcome, settled after a crash.

A child process runs a large update through :func:`graph.updates.run_audited` on an
on-disk store and is killed with SIGKILL mid-way; reopening settles the log, and the
log's verdict agrees with the store (all of the update's quads, or none).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.audit import open_audit
from graph.loading import open_store
from graph.updates import MARKERS_GRAPH, run_audited, settle

EX = "http://example.org/"
G = f"{EX}g"
#: 40 x 40 x 20 = 32,000 new quads from a 100-quad seed, in one transaction.
SEED = [ox.Quad(ox.NamedNode(f"{EX}{kind}{i}"), ox.NamedNode(f"{EX}{kind}"), ox.Literal(i),
                ox.DefaultGraph())
        for kind, n in (("a", 40), ("b", 40), ("c", 20)) for i in range(n)]
BIG = (f"INSERT {{ GRAPH <{G}> {{ ?x ?y ?z }} }} WHERE {{ ?x <{EX}a> ?i . "
       f"?y <{EX}b> ?j . ?z <{EX}c> ?k }}")
CHILD = """
import sys
from pathlib import Path
from graph.audit import open_audit
from graph.loading import open_store
from graph.updates import run_audited
store = open_store(Path(sys.argv[1]), seed=False)
audit = open_audit(store)
print("updating", flush=True)
run_audited(store, audit, sys.argv[2], actor="alice", update=sys.argv[2])
print("done", flush=True)
"""


def _count(store_path: Path) -> int:
    store = open_store(store_path, seed=False)
    n = sum(1 for _ in store.quads(graph=ox.NamedNode(G)))
    store.close()
    return n


def test_an_update_is_recorded_started_then_committed(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store", seed=False)
    store.extend(SEED)
    audit = open_audit(store)
    run_audited(store, audit, BIG, actor="alice", update=BIG)
    with pytest.raises(Exception, match="nothing was changed"):
        run_audited(store, audit, f"CREATE GRAPH <{G}>", actor="bob")
    outcomes = [(e["actor"], e["outcome"].split(":")[0]) for e in audit.entries()]
    assert outcomes == [("alice", "started"), ("alice", "committed"), ("bob", "started"),
                        ("bob", "refused")]
    assert sum(1 for _ in store.quads(graph=ox.NamedNode(G))) == 32_000
    assert MARKERS_GRAPH not in store.named_graphs()
    assert settle(store, audit) == []  # nothing left open


def test_settle_asks_the_store(tmp_path: Path) -> None:
    # Two updates left "started" by a crash: one committed (its marker is in the store),
    # one not. Settling records which, and removes the marker.
    store = open_store(tmp_path / "store", seed=False)
    audit = open_audit(store)
    for uid in ("aa", "bb"):
        audit.record(actor="alice", operation="sparql-update", outcome="started",
                     update_id=uid)
    store.extend([ox.Quad(ox.NamedNode("https://w3id.org/survkg/id/sparql-update/aa"),
                          ox.NamedNode("http://www.w3.org/ns/prov#endedAtTime"),
                          ox.Literal("now"), MARKERS_GRAPH)])
    settled = {e["update_id"]: e["outcome"] for e in settle(store, audit)}
    assert settled["aa"].startswith("committed (recovered")
    assert settled["bb"].startswith("failed: interrupted")
    assert MARKERS_GRAPH not in store.named_graphs()
    audit.verify()


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.2, 0.5, None])
def test_a_killed_update_is_settled_as_the_store_says(tmp_path: Path,
                                                      delay: float | None) -> None:
    path = tmp_path / "store"
    store = open_store(path, seed=False)
    store.extend(SEED)
    store.close()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), BIG],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "updating"
    if delay is None:
        assert proc.wait(timeout=120) == 0
    else:
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    store = open_store(path, seed=False)
    audit = open_audit(store)
    settle(store, audit)
    entries = [e for e in audit.entries() if e["operation"] == "sparql-update"]
    n = sum(1 for _ in store.quads(graph=ox.NamedNode(G)))
    store.close()
    if not entries:  # killed before it was recorded: then it never ran
        assert n == 0
        return
    assert entries[0]["outcome"] == "started"
    if n:
        assert n == 32_000 and entries[-1]["outcome"].startswith("committed")
    else:
        assert len(entries) == 2 and entries[-1]["outcome"].startswith("failed: interrupted")


def test_an_update_past_the_time_limit_is_stopped_on_a_copy_and_changes_nothing(
        tmp_path: Path) -> None:
    """The engine cannot stop an update: it is rehearsed on a private copy of the store in a
    process killed at the limit, and only run on the store if that finished in time.
    Meanwhile the store takes other writes."""
    import threading

    import httpx

    from tests.sparql_support import serve

    store = open_store(tmp_path / "store", seed=False)
    # 200 x 200 x 200 = 8M quads to insert: far past a 1 s limit.
    store.extend([ox.Quad(ox.NamedNode(f"{EX}{kind}{i}"), ox.NamedNode(f"{EX}{kind}"),
                          ox.Literal(i), ox.DefaultGraph())
                  for kind in ("a", "b", "c") for i in range(200)])
    before = set(store.quads())
    auth = {"Authorization": "Bearer t0k"}
    with serve(store, updates_enabled=True, write_token="t0k", query_timeout=1.0) as srv:
        answers: dict[str, httpx.Response] = {}

        def slow() -> None:
            answers["slow"] = httpx.post(srv.url + "/sparql", data={"update": BIG},
                                         headers=auth, timeout=60)

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.3)
        # Another write while the slow one is being rehearsed: not blocked by it.
        quick = httpx.post(srv.url + "/sparql", timeout=60, headers=auth, data={
            "update": f"INSERT DATA {{ GRAPH <{EX}quick> {{ <{EX}s> <{EX}p> 1 }} }}"})
        thread.join(60)
        assert quick.status_code == 204, quick.text
        assert answers["slow"].status_code == 408, answers["slow"].text
        assert "nothing was changed" in answers["slow"].json()["detail"]
        audit = open_audit(store)
        outcomes = [e["outcome"] for e in audit.entries()]
    assert set(store.quads()) - before == {
        ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal(1),
                ox.NamedNode(f"{EX}quick"))}
    assert not list(store.quads(graph=ox.NamedNode(G)))
    assert any(o.startswith("refused") and "limit" in o for o in outcomes), outcomes
