"""The compiled SHACL validator at scale, with a seeded on-disk store as context.

Times the two parts of :func:`graph.shacl.engine.validate` on ``bench_import``'s
findings (~20 triples each): building the scratch store (the file's quads, the ontology
and the types of the stored resources they cite: the store itself is not copied) and
running the compiled queries; with peak RSS. Usage::

    python -m bench.bench_validate --findings 50000 --out bench/results/validate-1m
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bench.bench_import import turtle
from graph.loading import open_store, parse_bytes
from graph.shacl import engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--findings", type=int, default=50_000)
    ap.add_argument("--out", default="bench/results/validate-1m")
    args = ap.parse_args()
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store")
        quads = parse_bytes(turtle(args.findings).encode(), ox.RdfFormat.TURTLE,
                            graph=ox.NamedNode("https://example.org/bench"))
        base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = time.perf_counter()
        data, borrowed = engine.scratch(quads, store)
        t_scratch = time.perf_counter() - t
        t = time.perf_counter()
        results = [r for r in engine.run(data, engine.checks()) if r.focus not in borrowed]
        t_run = time.perf_counter() - t
        store.close()
    out = {"findings": args.findings, "triples": len(quads), "scratch_s": t_scratch,
           "queries_s": t_run, "violations": len(results), "borrowed": len(borrowed),
           "queries": len(engine.checks()), "rss_before_mb": base_mb,
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "load_average": [*load, os.getloadavg()[0]]}
    Path(args.out + ".json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    Path(args.out + ".md").write_text(
        "# Compiled SHACL at scale\n\n"
        f"Command: `python -m bench.bench_validate --findings {args.findings}`\n\n"
        f"{out['triples']:,} triples, a seeded on-disk store as context; load average "
        f"{load[0]:.1f} at start, {out['load_average'][1]:.1f} at end (2 shared cores).\n\n"
        "| scratch store (data + ontology + cited types) | compiled queries | violations "
        "| peak RSS (parsed quads already held) |\n|---|---|---|---|\n"
        f"| {t_scratch:.1f} s | {t_run:.1f} s ({out['queries']} queries) | "
        f"{out['violations']} | {out['peak_rss_mb']:.0f} MB ({base_mb:.0f} MB) |\n",
        encoding="utf-8")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
