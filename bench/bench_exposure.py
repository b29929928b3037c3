"""Exposure engine benchmark: projection build, one organisation, all organisations, and the
same reachability question asked of SPARQL (Oxigraph, property paths over the materialised
``skg:suppliesTo`` shortcut, in a sub-SELECT) and of igraph / rustworkx on the projection.

    python -m bench.bench_exposure --triples 100000 1000000 [--sparql-sample 20]
        [--data-dir /tmp] [--disk-above 5000000]

Writes bench/results/exposure.json and bench/results/exposure.md. ``--data-dir`` keeps the
generated N-Triples (``survkg-<n>.nt``) and reuses them on the next run; sizes above
``--disk-above`` are loaded into an on-disk store there (kept and reopened) instead of
memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph as ox

from bench.generate import generate
from graph.exposure import Filters, exposure, ranking
from graph.exposure.engine import exporters
from graph.exposure.filters import resolve
from graph.exposure.paths import context
from graph.exposure.rank import reachable
from graph.loading import ontology_files, open_store, parse_file
from graph.namespaces import ONTOLOGY_GRAPH, sparql_prologue
from graph.projection import build_projection
from graph.store import OxigraphStore

RESULTS = Path(__file__).resolve().parent / "results"


def timed(fn: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def rss_mb() -> float:
    return round(psutil.Process().memory_info().rss / 2**20, 1)


def peak_mb() -> float:
    import resource
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def reach_python(ctx: Any, sources: list[str], hops: int) -> dict[str, set[str]]:
    """Bounded BFS per exporter over the filtered projection, pruned by the distance map
    (the previous engine's reachability, kept for comparison)."""
    out = {}
    for s in sources:
        seen, frontier, found = {s}, [s], set()
        for d in range(hops):
            nxt = []
            for n in frontier:
                for e in ctx.out.get(n, ()):
                    v = e.dst
                    if v not in seen and ctx.dist.get(v, 99) <= hops - d - 1:
                        seen.add(v)
                        nxt.append(v)
                        if v in ctx.targets:
                            found.add(v)
            frontier = nxt
        out[s] = found
    return out


def open_data(n: int, data_dir: str | None, disk_above: int) -> Any:
    """A store holding the ontology and ``n`` generated triples (see the module doc)."""
    text: bytes | None = None
    nt = Path(data_dir) / f"survkg-{n}.nt" if data_dir else None
    if nt is not None and nt.exists():
        text = nt.read_bytes()
    if text is None:
        text = "".join(generate(n, seed=0, shortcut=True)).encode()
        if nt is not None:
            nt.write_bytes(text)
    if data_dir and n > disk_above:
        db = Path(data_dir) / f"survkg-{n}.db"
        if not db.exists():
            raw = ox.Store(str(db))
            raw.bulk_load(text, format=ox.RdfFormat.N_TRIPLES)
            raw.bulk_load(b"".join(p.read_bytes() + b"\n" for p in ontology_files()
                                   if p.suffix == ".ttl"),
                          format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
            raw.flush()
            del raw
        del text
        return OxigraphStore(db), "on disk"
    store = open_store(memory=True, seed=False)
    store.extend([q for p in ontology_files() for q in parse_file(p, graph=ONTOLOGY_GRAPH)])
    store.extend(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    return store, "in memory"


def run_size(n: int, sample: int, data_dir: str | None = None,
             disk_above: int = 5_000_000, bfs_above: int = 2_000_000) -> dict[str, Any]:
    row: dict[str, Any] = {"triples_requested": n}
    t = time.perf_counter()
    store, row["store"] = open_data(n, data_dir, disk_above)
    row["quads"] = len(store)
    row["load_s"] = round(time.perf_counter() - t, 2)
    row["rss_store_mb"] = rss_mb()
    row["projection_s"], proj = timed(lambda: build_projection(store),
                                      runs=3 if n <= bfs_above else 1)
    row["graph_nodes"] = len(set(proj.out) | set(proj.inn))
    row["graph_edges"] = sum(len(es) for es in proj.out.values())
    f = Filters(max_paths=50)
    rf = resolve(proj, f)
    t = time.perf_counter()
    ctx = context(proj, rf)
    row["filter_setup_s"] = round(time.perf_counter() - t, 3)
    row["risk_targets"] = len(ctx.targets)
    exps = exporters(proj, rf)
    row["exporters"] = len(exps)
    by_degree = sorted(exps, key=lambda x: (-len(proj.out.get(x, ())), x))
    mid = len(by_degree) // 2
    cold = []
    for org in by_degree[mid - 10: mid + 11]:  # first call for each: nothing cached for it
        t = time.perf_counter()
        exposure(proj, org, f)
        cold.append(time.perf_counter() - t)
    row["one_org_cold_21_median_s"] = round(statistics.median(cold), 4)
    row["one_org_cold_21_max_s"] = round(max(cold), 4)
    pick = {"median exporter": by_degree[mid], "top exporter": by_degree[0]}
    one = {}
    for name, org in pick.items():
        secs, e = timed(lambda org=org: exposure(proj, org, f), runs=5)
        one[name] = {"org": org.rsplit("/", 1)[-1], "s": round(secs, 4), "score": e.score,
                     "targets": len(e.targets), "paths": e.total_paths,
                     "truncated": e.truncated}
    row["one_org"] = one
    row["all_orgs_s"], rank = timed(lambda: ranking(proj, f), runs=1)
    row["ranked_orgs"] = len(rank.entries)
    hops = f.max_hops
    row["reach_shared_s"], shared = timed(lambda: reachable(ctx, exps, hops), runs=3)
    row["reach_pairs"] = sum(m.bit_count() for m in shared.values())
    if n <= bfs_above:
        row["reach_python_s"], reach = timed(lambda: reach_python(ctx, exps, hops), runs=1)
        row["reach_agrees"] = row["reach_pairs"] == sum(len(v) for v in reach.values())
    row["rss_after_mb"] = rss_mb()
    row["peak_mb"] = peak_mb()
    row.update(compiled(proj, ctx, exps, hops, row["reach_pairs"], n <= bfs_above))
    row.update(sparql(store, exps, sample, row["reach_shared_s"]))
    return row


def compiled(proj: Any, ctx: Any, exps: list[str], hops: int, pairs: int,
             python_bfs: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nodes = sorted(set(ctx.out) | set(ctx.inn))
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[e.src], index[e.dst]) for es in ctx.out.values() for e in es]
    srcs = [index[s] for s in exps if s in index]
    targets = {index[t] for t in ctx.targets if t in index}
    try:
        import igraph as ig
        t = time.perf_counter()
        g = ig.Graph(n=len(nodes), edges=edges, directed=True)
        out["igraph_build_s"] = round(time.perf_counter() - t, 4)
        def ig_reach() -> tuple[float, int]:
            # in chunks of sources, timing only igraph's calls: the neighbourhoods of
            # every exporter at once do not fit in memory at 10M triples
            spent, found = 0.0, 0
            for lo in range(0, len(srcs), 256):
                chunk = srcs[lo:lo + 256]
                t0 = time.perf_counter()
                hood = g.neighborhood(chunk, order=hops, mode="out")
                spent += time.perf_counter() - t0
                found += sum(len((targets & set(h)) - {s})
                             for s, h in zip(chunk, hood, strict=True))
            return spent, found

        runs = [ig_reach() for _ in range(3 if python_bfs else 1)]
        out["igraph_reach_s"] = round(statistics.median(r[0] for r in runs), 4)
        out["igraph_agrees"] = runs[0][1] == pairs
    except ImportError:
        pass
    try:
        import rustworkx as rx
        t = time.perf_counter()
        rg = rx.PyDiGraph(multigraph=True)
        rg.add_nodes_from(range(len(nodes)))
        rg.add_edges_from_no_data(edges)
        out["rustworkx_build_s"] = round(time.perf_counter() - t, 4)

        def rx_reach() -> int:
            total = 0
            for s in srcs:
                seen = {s}
                frontier = [s]
                for _ in range(hops):
                    nxt = []
                    for n in frontier:
                        for v in rg.successor_indices(n):
                            if v not in seen:
                                seen.add(v)
                                nxt.append(v)
                    frontier = nxt
                total += len(seen & targets)
            return total

        if python_bfs:
            secs2, _ = timed(lambda: [len(rx.descendants(rg, s) & targets) for s in srcs],
                             runs=1)
            out["rustworkx_descendants_unbounded_s"] = round(secs2, 4)
            secs3, _ = timed(rx_reach, runs=1)
            out["rustworkx_bounded_bfs_s"] = round(secs3, 4)
    except ImportError:
        pass
    return out


def sparql(store: Any, exps: list[str], sample: int, python_s: float) -> dict[str, Any]:
    """Reachable flagged targets per exporter, as SPARQL: the property path sits in a
    sub-SELECT over the materialised shortcut (the join-order trap in the notes)."""
    chosen = exps[:: max(1, len(exps) // sample)][:sample]
    query = sparql_prologue() + """
    SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {
      { SELECT DISTINCT ?t WHERE { <%s> skg:suppliesTo+ ?t } }
      { ?f skg:flagged ?t } UNION
      { SELECT ?t WHERE { ?t skg:locatedIn ?p1 . ?p1 skg:locatedIn* ?p . ?f skg:flagged ?p } }
    }"""
    t = time.perf_counter()
    deadline = t + 120
    done = 0
    for org in chosen:
        list(store.query(query % org))
        done += 1
        if time.perf_counter() > deadline:
            break
    secs = time.perf_counter() - t
    per = secs / max(done, 1)
    est = per * len(exps)
    return {"sparql_sampled": done, "sparql_per_exporter_s": round(per, 4),
            "sparql_all_est_s": round(est, 2),
            "sparql_vs_shared_reach": round(est / python_s, 1) if python_s else None}


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = ["# Exposure engine benchmark", "",
             f"Command: `{meta['command']}`", "",
             f"Machine: {meta['machine']}; load average at start {meta['load_start']}, "
             f"at end {meta['load_end']} (shared machine: other engineers were running jobs).",
             "", "| | " + " | ".join(f"{r['triples_requested']:,} triples" for r in rows) + " |",
             "|---|" + "---|" * len(rows)]

    def add(label: str, fn: Callable[[dict[str, Any]], Any]) -> None:
        lines.append(f"| {label} | " + " | ".join(str(fn(r)) for r in rows) + " |")

    def ms(x: float | None) -> str:
        return "" if x is None else f"{x * 1000:.1f}"

    add("store", lambda r: r.get("store", "in memory"))
    add("quads in store", lambda r: f"{r['quads']:,}")
    add("projection nodes / edges", lambda r: f"{r['graph_nodes']:,} / {r['graph_edges']:,}")
    add("exporters / risk targets", lambda r: f"{r['exporters']:,} / {r['risk_targets']:,}")
    add("build projection from store (s, median of 3; 1 run above 2M)",
        lambda r: f"{r['projection_s']:.2f}")
    add("filter set-up, first query (s)", lambda r: r["filter_setup_s"])
    add("exposure of one org, first call, median (max) of the 21 median-degree exporters (ms)",
        lambda r: f"{ms(r['one_org_cold_21_median_s'])} ({ms(r['one_org_cold_21_max_s'])})")
    for k in ("median exporter", "top exporter"):
        add(f"exposure of one org, {k}, median of 5 calls (ms, 50 paths listed)",
            lambda r, k=k: f"{r['one_org'][k]['s'] * 1000:.1f} ({r['one_org'][k]['paths']} paths)")
    add("exposure of all organisations, ranking (s)", lambda r: f"{r['all_orgs_s']:.2f}")
    add("bounded reachability, all exporters, engine (shared DP) (s)",
        lambda r: f"{r['reach_shared_s']:.3f}")
    add("same, Python BFS per exporter (previous engine) (s)",
        lambda r: f"{r['reach_python_s']:.3f}" if "reach_python_s" in r else "not run")
    add("same, igraph neighborhood (s)", lambda r: r.get("igraph_reach_s"))
    add("same, rustworkx + Python bounded BFS (s)",
        lambda r: r.get("rustworkx_bounded_bfs_s", "not run"))
    add("engine / igraph ratio (reachability)",
        lambda r: round(r["reach_shared_s"] / r["igraph_reach_s"], 2)
        if r.get("igraph_reach_s") else "")
    add("ranking / igraph reachability ratio",
        lambda r: round(r["all_orgs_s"] / r["igraph_reach_s"], 2)
        if r.get("igraph_reach_s") else "")
    add("results agree (engine = BFS = igraph)",
        lambda r: f"{r.get('reach_agrees', '-')} / {r.get('igraph_agrees', '-')}")
    add("SPARQL suppliesTo+ per exporter (s)", lambda r: r["sparql_per_exporter_s"])
    add("SPARQL all exporters, extrapolated (s)", lambda r: r["sparql_all_est_s"])
    add("SPARQL / engine reachability ratio", lambda r: r["sparql_vs_shared_reach"])
    add("SPARQL / ranking ratio", lambda r: round(r["sparql_all_est_s"] / r["all_orgs_s"], 1))
    add("load average (1 min) at start / end of this size",
        lambda r: " / ".join(str(x) for x in r["loadavg_1m_start_end"]))
    add("RSS with store loaded / after the runs / process peak (MB)",
        lambda r: f"{r['rss_store_mb']:,.0f} / {r['rss_after_mb']:,.0f} / {r['peak_mb']:,.0f}")
    lines += ["", "Raw figures: `exposure.json`. SPARQL is sampled over "
              "exporters spread across the list and extrapolated; it is unbounded "
              "(property paths have no hop limit) and follows the shortcut edges only, so it "
              "answers a slightly wider question than the bounded engine."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--sparql-sample", type=int, default=20)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--disk-above", type=int, default=5_000_000)
    ap.add_argument("--out", default=str(RESULTS / "exposure"),
                    help="results path without extension")
    args = ap.parse_args(argv)
    meta = {"command": "python -m bench.bench_exposure " + " ".join(sys.argv[1:] or []),
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpu, "
                       f"Python {platform.python_version()}",
            "load_start": os.getloadavg()[0]}
    rows = []
    out = Path(args.out)
    out.parent.mkdir(exist_ok=True)
    for n in args.triples:
        print(f"running {n:,} triples...", file=sys.stderr)
        load = os.getloadavg()
        rows.append(run_size(n, args.sparql_sample, args.data_dir, args.disk_above))
        rows[-1]["loadavg_1m_start_end"] = [round(load[0], 2), round(os.getloadavg()[0], 2)]
        print(json.dumps(rows[-1]), file=sys.stderr)
        meta["load_end"] = os.getloadavg()[0]
        out.with_suffix(".json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
        out.with_suffix(".md").write_text(markdown(rows, meta))
    print(markdown(rows, meta))


if __name__ == "__main__":
    main()
