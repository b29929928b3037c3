"""What the query workers cost: snapshot, worker start, and the per-query hop.

For an in-memory and an on-disk store of N synthetic triples: time to take a snapshot
(N-Quads dump / RocksDB checkpoint), time until a fresh worker has opened it, and the
median of a one-entity lookup through a worker vs in-process (no HTTP in either).
Results go to bench/results/endpoint-snapshots.md.

    .venv/bin/python -m bench.bench_snapshots --triples 100000 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from api.sparql.pool import WorkerPool
from api.sparql.worker import Task
from bench import generate
from graph.loading import open_store
from graph.store import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "endpoint-snapshots.md"
QUERY = "SELECT ?p ?o WHERE { <https://w3id.org/survkg/id/org/syn-exporter-0> ?p ?o }"


async def measure(store: OxigraphStore) -> dict[str, float]:
    pool = WorkerPool(store, size=1, timeout=120)
    t0 = time.perf_counter()
    await pool.start()  # the first snapshot, and one worker spawned
    snap_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    await pool.run(Task(QUERY, None, "json", 10_000))  # waits for the worker to be ready
    ready_s = time.perf_counter() - t0
    task = Task(QUERY, None, "json", 10_000)
    hop = []
    for _ in range(300):
        t0 = time.perf_counter()
        await pool.run(task)
        hop.append(time.perf_counter() - t0)
    await pool.aclose()
    direct = []
    for _ in range(300):
        t0 = time.perf_counter()
        store.raw.query(QUERY, use_default_graph_as_union=True).serialize(
            format=ox.QueryResultsFormat.JSON)
        direct.append(time.perf_counter() - t0)
    return {"snapshot": snap_s * 1000, "ready": ready_s * 1000,
            "worker": statistics.median(hop) * 1000, "direct": statistics.median(direct) * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="survkg-bench-") as tmp:
        for n in args.triples:
            data = Path(tmp) / f"synthetic-{n}.nt"
            generate.write(data, n)
            for kind in ("in memory", "on disk"):
                store = open_store(memory=True) if kind == "in memory" else \
                    open_store(Path(tmp) / f"store-{n}")
                store.load_file(data, ox.RdfFormat.N_TRIPLES, ox.NamedNode("urn:x-bench:data"))
                r = asyncio.run(measure(store))
                rows.append((n, kind, r))
                print(n, kind, r, flush=True)
                del store
    cmd = ".venv/bin/python -m bench.bench_snapshots --triples " + " ".join(map(str, args.triples))
    lines = [
        "# Query workers: snapshot, start and per-query cost", "",
        f"Command: `{cmd}`", "",
        "Snapshot: N-Quads dump (in memory) or RocksDB checkpoint (on disk), taken on the first "
        "query and after every write. Worker ready: until a fresh worker has opened it (an "
        "in-memory snapshot is loaded into the worker's memory). Lookup: median of 300 "
        "one-entity queries (SPARQL JSON), through a worker vs in-process; no HTTP.", "",
        "| triples (+ seeds) | store | snapshot ms | worker ready ms | lookup via worker ms "
        "| lookup in-process ms |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for n, kind, r in rows:
        lines.append(f"| {n:,} | {kind} | {r['snapshot']:.0f} | {r['ready']:.0f} | "
                     f"{r['worker']:.3f} | {r['direct']:.3f} |")
    lines += ["", f"Recorded {time.strftime('%Y-%m-%d')}."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
