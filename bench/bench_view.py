"""Display view benchmark: the graph the explorer, ``/api/graph`` and the Gephi export draw.

Side by side: ``build_view(store)`` from scratch (what a CLI export does), and the view
drawn from a projection the app already holds for the engine (``build_view(proj)``, what
the server does since the view is built from the projection's hops). ``--label`` names
the row, so that the same script run on an older checkout (whose ``build_view`` read the
store with SPARQL) records the alternative in the same table.

    python -m bench.bench_view --triples 100000 1000000 [--label projection]

Appends to bench/results/view.json and rewrites bench/results/view.md.
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_exposure import open_data, rss_mb
from graph import export_graph
from graph.projection import build_projection

RESULTS = Path(__file__).resolve().parent / "results"


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 3), out


def run(n: int, label: str, runs: int) -> dict[str, Any]:
    store, where = open_data(n, None, 10**12)
    row: dict[str, Any] = {"label": label, "triples_requested": n, "quads": len(store),
                           "store": where}
    row["view_from_store_s"], view = timed(lambda: export_graph.build_view(store), runs)
    row["nodes"], row["edges"] = view.number_of_nodes(), view.number_of_edges()
    if "Projection" in str(inspect.signature(export_graph.build_view)):  # newer checkouts
        proj = build_projection(store)
        row["view_from_projection_s"], _ = timed(lambda: export_graph.build_view(proj), runs)
    row["rss_mb"] = rss_mb()
    return row


def write(rows: list[dict[str, Any]]) -> None:
    out = RESULTS / "view.json"
    old = json.loads(out.read_text()) if out.exists() else []
    keep = [r for r in old if (r["label"], r["triples_requested"]) not in
            {(x["label"], x["triples_requested"]) for x in rows}]
    allrows = keep + rows
    out.write_text(json.dumps(allrows, indent=2) + "\n")
    lines = ["# Display view build", "",
             "`python -m bench.bench_view --triples N --label L` (median of the runs; "
             "`view_from_projection_s`: the view drawn from a projection already built for "
             "the engine, as the server does).", "",
             "| label | triples | quads | nodes | edges | from store (s) | "
             "from projection (s) | RSS (MB) |", "|---|---|---|---|---|---|---|---|"]
    for r in sorted(allrows, key=lambda r: (r["triples_requested"], r["label"])):
        lines.append(f"| {r['label']} | {r['triples_requested']:,} | {r['quads']:,} | "
                     f"{r['nodes']:,} | {r['edges']:,} | {r['view_from_store_s']} | "
                     f"{r.get('view_from_projection_s', '—')} | {r['rss_mb']} |")
    (RESULTS / "view.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=int, nargs="+", default=[100_000])
    ap.add_argument("--label", default="projection")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    rows = [run(n, args.label, args.runs) for n in args.triples]
    for r in rows:
        print(r)
    write(rows)


if __name__ == "__main__":
    main()
