"""Exposure of one organisation: frontier expansion over ``oxigraph serve`` vs the
in-memory engine over the embedded store, side by side in one run.

For each store folder given (an embedded survkg store, e.g. /work/data/store-1m), a copy
is served by ``oxigraph serve`` on a loopback port; the in-memory engine opens the
original read-only. For the median and the top exporter (by number of hops out, the rule
of bench/bench_exposure.py) it records, for the frontier route, the HTTP requests, the
quads fetched and the time from nothing to the result; for the in-memory route the time
to build the projection plus the time of the first exposure call. Both results must be
the same JSON, or the run fails.

    python -m bench.bench_frontier --store /work/data/store-1m
    flock /work/data/bench.lock python -m bench.bench_frontier --store /work/data/store-10m
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.servers import OxigraphServer
from graph.exposure import Filters, exposure, frontier
from graph.exposure.engine import exporters
from graph.exposure.filters import resolve
from graph.exposure.partial_store import PartialStore
from graph.projection import build_projection
from graph.remote_store import SparqlHttpStore
from graph.store import OxigraphStore

RESULTS = Path(__file__).parent / "results"
FILTERS = Filters(max_paths=50)
#: Hop bounds measured: the default, and a short one (a smaller neighbourhood to fetch).
HOPS = (4, 2)


def _serve(folder: Path) -> tuple[OxigraphServer, str]:
    server = OxigraphServer(folder)
    return server, server.base + "/"


def run_one(store_dir: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"store": str(store_dir)}
    t = time.perf_counter()
    embedded = OxigraphStore(store_dir, read_only=True)
    proj = build_projection(embedded)
    row["projection_build_s"] = round(time.perf_counter() - t, 3)
    row["quads_in_store"] = len(embedded)
    exps = exporters(proj, resolve(proj, FILTERS))
    by_degree = sorted(exps, key=lambda x: (-len(proj.out.get(x, ())), x))
    picks = {"median exporter": by_degree[len(by_degree) // 2], "top exporter": by_degree[0]}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        copy = Path(tmp) / "db"
        shutil.copytree(store_dir, copy)
        server, url = _serve(copy)
        try:
            remote = SparqlHttpStore(url)
            for (name, org), hops in [(p, h) for p in picks.items() for h in HOPS]:
                filters = Filters(max_hops=hops, max_paths=50)
                t = time.perf_counter()
                want = exposure(proj, org, filters)
                in_memory = time.perf_counter() - t
                remote.requests = 0
                fetched: list[PartialStore] = []
                t = time.perf_counter()
                got = frontier.exposure(remote, org, filters, fetched=fetched)
                secs = time.perf_counter() - t
                same = json.dumps(got.to_dict(), sort_keys=True) == \
                    json.dumps(want.to_dict(), sort_keys=True)
                if not same:
                    raise SystemExit(f"frontier result differs from the engine's for {org}")
                row[f"{name}, {hops} hops"] = {
                    "org": org.rsplit("/", 1)[-1], "hops_out": len(proj.out.get(org, ())),
                    "max_hops": hops,
                    "score": want.score, "targets": len(want.targets),
                    "paths": want.total_paths, "same_json": same,
                    "frontier_requests": remote.requests, "frontier_quads": len(fetched[-1]),
                    "frontier_s": round(secs, 3),
                    "in_memory_exposure_s": round(in_memory, 4),
                    "in_memory_total_s": round(row["projection_build_s"] + in_memory, 3)}
                print(name, hops, row[f"{name}, {hops} hops"], flush=True)
        finally:
            server.stop()
    embedded.close()
    return row


def render(rows: list[dict[str, Any]], command: str) -> str:
    out = ["# Frontier expansion vs the in-memory engine (one organisation)", "",
           f"Command: `{command}`", "",
           f"Machine: {platform.machine()}, {os.cpu_count()} cpu, Python "
           f"{platform.python_version()}, Oxigraph server from the `oxigraph` wheel "
           "(shared machine: other engineers' jobs ran meanwhile).", "",
           "Frontier: `graph.exposure.frontier.exposure` against `oxigraph serve` on "
           "loopback, from nothing (no cache) to the result. In-memory: "
           "`build_projection` over the embedded store plus the first `exposure` call. "
           "Filters: defaults, at 4 hops (the default) and 2 hops, 50 paths listed. Both "
           "give the same JSON.", "",
           "| store | exporter | hops out | targets | paths | requests | quads fetched "
           "(of store) | frontier (s) | in-memory: build + exposure (s) |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        for name in [k for k in r if k.endswith(" hops")]:
            x = r[name]
            share = 100 * x["frontier_quads"] / r["quads_in_store"]
            label = name.replace(", ", f" ({x['org']}), ")
            out.append(f"| {r['quads_in_store']:,} quads | {label} | "
                       f"{x['hops_out']} | {x['targets']} | {x['paths']} | "
                       f"{x['frontier_requests']} | {x['frontier_quads']:,} ({share:.1f}%) | "
                       f"{x['frontier_s']} | {r['projection_build_s']} + "
                       f"{x['in_memory_exposure_s']} = {x['in_memory_total_s']} |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, action="append", required=True,
                    help="embedded survkg store folder (repeatable)")
    ap.add_argument("--name", default="frontier", help="results file stem")
    args = ap.parse_args()
    rows = [run_one(p) for p in args.store]
    command = "python -m bench.bench_frontier " + " ".join(f"--store {p}" for p in args.store)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(rows, indent=2) + "\n")
    (RESULTS / f"{args.name}.md").write_text(render(rows, command))


if __name__ == "__main__":
    main()
