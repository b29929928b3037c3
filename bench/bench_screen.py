"""Portfolio screening benchmark: 1,000 names against a synthetic graph (1M triples).

    python -m bench.bench_screen [--triples 1000000] [--nt FILE] [--names 1000]

The list mixes, like a real portfolio export: 40 % exact labels of organisations, 10 % the
same with a legal form added ("... AB", normalised away), 20 % misspelt (one character
dropped or two swapped), 30 % invented names the graph does not hold. Side by side:

* ``screen``: :func:`graph.screening.screen` (the CLI's and the API's), cold (the name
  index is built on the first call) and warm;
* ``resolve + exposure``: what a script would do without it, one
  :func:`graph.entities.resolve` (exact, then substring, then difflib) and one
  ``exposure()`` per name, on a sample, extrapolated to the whole list.

Writes bench/results/screen.json and bench/results/screen.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.generate import generate
from graph import screening
from graph.entities import build_index, resolve
from graph.errors import AmbiguousEntity, UnknownEntity
from graph.exposure import Filters, exposure
from graph.imports.resolve import EntityIndex
from graph.loading import ontology_files, open_store, parse_file
from graph.namespaces import ONTOLOGY_GRAPH
from graph.projection import build_projection
from graph.store import OxigraphStore

RESULTS = Path(__file__).resolve().parent / "results"


def load(n: int, nt: str | None) -> OxigraphStore:
    store = open_store(memory=True, seed=False)
    store.extend([q for p in ontology_files() for q in parse_file(p, graph=ONTOLOGY_GRAPH)])
    text = Path(nt).read_bytes() if nt else "".join(generate(n)).encode()
    store.extend(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    return store


def portfolio(store: OxigraphStore, n: int, seed: int = 0) -> list[screening.Row]:
    rng = random.Random(seed)
    labels = sorted(EntityIndex.from_store(store).labels.values())
    rows: list[screening.Row] = []
    for i in range(n):
        kind = i % 10
        name = rng.choice(labels)
        if kind in (4,):
            name = f"{name} AB"
        elif kind in (5, 6):
            j = rng.randrange(1, max(2, len(name) - 1))
            name = name[:j] + name[j + 1:] if kind == 5 else \
                name[:j - 1] + name[j] + name[j - 1] + name[j + 1:]
        elif kind in (7, 8, 9):
            name = "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou")
                           for _ in range(rng.randint(3, 6))).capitalize() + " Holdings"
        rows.append(screening.Row(i + 1, name))
    return rows


def naive(store: OxigraphStore, proj: Any, rows: list[screening.Row]) -> float:
    index = build_index(store)  # built once, as a script would (not timed)
    t = time.perf_counter()
    f = Filters(max_paths=0)
    for r in rows:
        try:
            iri = resolve(store, r.name, index).iri
        except (UnknownEntity, AmbiguousEntity):
            continue
        if proj.known(iri):
            exposure(proj, iri, f, explain=False)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_screen")
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--nt", default=None, help="N-Triples made by bench.generate")
    ap.add_argument("--names", type=int, default=1000)
    ap.add_argument("--naive-sample", type=int, default=100)
    args = ap.parse_args(argv)
    out: dict[str, Any] = {"triples": args.triples, "names": args.names,
                           "load_start": os.getloadavg()[0]}
    t = time.perf_counter()
    store = load(args.triples, args.nt)
    out["quads"], out["load_s"] = len(store), round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    proj = build_projection(store)
    out["projection_s"] = round(time.perf_counter() - t, 2)
    rows = portfolio(store, args.names)
    t = time.perf_counter()
    first = screening.screen(store, proj, rows)
    out["screen_cold_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    screening.screen(store, proj, rows)
    out["screen_warm_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    for r in rows:
        screening.match(store, r)
    out["match_only_warm_s"] = round(time.perf_counter() - t, 2)
    out["matches"] = first.counts
    out["exposed"] = first.exposed
    sample = random.Random(1).sample(rows, min(args.naive_sample, len(rows)))
    secs = naive(store, proj, sample)
    out["naive_sample"] = len(sample)
    out["naive_sample_s"] = round(secs, 2)
    out["naive_extrapolated_s"] = round(secs * len(rows) / len(sample), 1)
    out["load_end"] = os.getloadavg()[0]
    out["machine"] = f"{platform.machine()}, {os.cpu_count()} cpu, Python " \
                     f"{platform.python_version()}"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "screen.json").write_text(json.dumps(out, indent=2) + "\n")
    cmd = "python -m bench.bench_screen " + " ".join(argv if argv is not None
                                                     else sys.argv[1:])
    md = ["# Portfolio screening benchmark\n", f"Command: `{cmd.strip()}`\n",
          f"Machine: {out['machine']}; load average {out['load_start']:.2f} at start, "
          f"{out['load_end']:.2f} at end (2 shared cores).\n",
          "| | value |", "|---|---|",
          f"| quads in store | {out['quads']:,} |",
          f"| build projection (s) | {out['projection_s']} |",
          f"| names screened | {args.names} |",
          f"| screen, cold: name index built on the first call (s) | "
          f"{out['screen_cold_s']} |",
          f"| screen, warm (s) | {out['screen_warm_s']} |",
          f"| of which matching only, warm (s) | {out['match_only_warm_s']} |",
          f"| matches | {', '.join(f'{k} {v}' for k, v in sorted(first.counts.items()))} |",
          f"| rows with exposure > 0 | {first.exposed} |",
          f"| alternative: resolve() + exposure() per name, {len(sample)} names (s) | "
          f"{out['naive_sample_s']} |",
          f"| same, extrapolated to {args.names} names (s) | "
          f"{out['naive_extrapolated_s']} |", ""]
    (RESULTS / "screen.md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
