"""The ranking of every organisation: in process vs Apache Spark ``local[2]``, side by side.

    flock /work/data/bench.lock python -m bench.bench_spark_ranking \\
        --store 1m=/work/data/store-1m --store 10m=/work/data/store-10m

Each (store, engine) runs in a fresh process of its own (so neither inherits the other's
caches or heap), which opens the store read-only, builds the projection and ranks; the
parent samples the resident memory of that process *and its children* (Spark's JVM is
one) every 50 ms and keeps the peak. Times: the projection (the same for both engines),
the ranking (for Spark: the Parquet export, the session start and the product), and the
whole command. The two engines' JSON must be identical (their SHA-256 is compared).
``SURVKG_SPARK_DRIVER_MEMORY`` (default here 8g) sizes Spark's driver JVM, which in
``local`` mode also runs the executors.

Writes bench/results/spark-ranking.json and bench/results/spark-ranking.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import hashlib, json, logging, sys, time
timings = {}
class Keep(logging.Handler):
    def emit(self, record):
        timings.update(getattr(record, "timings", {}))
logging.getLogger("graph.spark").addHandler(Keep())
logging.getLogger("graph.spark").setLevel(logging.INFO)
t0 = time.perf_counter()
from graph.store import OxigraphStore
from graph.projection import build_projection
from graph.exposure import Filters, ranking
store = OxigraphStore(sys.argv[1], read_only=True)
proj = build_projection(store)
t1 = time.perf_counter()
if sys.argv[2] == "spark":
    from graph.spark.ranking import spark_scorer
    result = ranking(proj, Filters(), scorer=spark_scorer())
else:
    result = ranking(proj, Filters())
t2 = time.perf_counter()
text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
print(json.dumps({"projection_s": round(t1 - t0, 2), "ranking_s": round(t2 - t1, 2),
                  "entries": len(result.entries), **timings,
                  "sha256": hashlib.sha256(text.encode()).hexdigest()}))
"""


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_one(store: str, engine: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load = os.getloadavg()[0]
    t = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, store, engine], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    proc = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(proc))
        time.sleep(0.05)
    out, err = child.communicate()
    wall = time.perf_counter() - t
    if child.returncode != 0:
        raise SystemExit(f"{engine} on {store} failed:\n{err.decode(errors='replace')[-3000:]}")
    got: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    got.update(engine=engine, total_s=round(wall, 2), peak_mb=round(peak / 2**20),
               load=f"{load:.1f} / {os.getloadavg()[0]:.1f}")
    return got


def _md(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        "# Ranking of every organisation: in process vs Spark local[2]",
        "",
        f"Command: `{meta['command']}`  ",
        f"Environment: `{' '.join(f'{k}={v}' for k, v in meta['env'].items()) or '-'}`  ",
        f"Machine: {meta['machine']}; {meta['when']}.",
        "",
        "One fresh process per row; peak = resident memory of the process and its "
        "children (Spark's JVM), sampled every 50 ms. *ranking* includes, for Spark, the "
        "Parquet export of the hop table, the session start and the product; *total* "
        "is the whole command (interpreter start, store open, projection, ranking, JSON).",
        "",
        "| store | engine | projection s | ranking s | of which session / export / product s "
        "| total s | peak MB | entries | same JSON | load avg start / end |",
        "|---|---|---:|---:|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        parts = (f"{r['session_s']} / {r['export_s']} / {r['product_s']}"
                 if "product_s" in r else "-")
        lines.append(f"| {r['store']} | {r['engine']} | {r['projection_s']} | "
                     f"{r['ranking_s']} | {parts} | {r['total_s']} | {r['peak_mb']} | "
                     f"{r['entries']} | "
                     f"{r['same']} | {r['load']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", action="append", required=True,
                    help="NAME=PATH of an embedded store (opened read-only); repeatable")
    ap.add_argument("--engines", default="in-process,spark")
    ap.add_argument("--out", default="spark-ranking")
    ap.add_argument("--append", action="store_true",
                    help="keep the rows of the previous run's other stores")
    args = ap.parse_args()
    os.environ.setdefault("SURVKG_SPARK_DRIVER_MEMORY", "8g")
    rows: list[dict[str, Any]] = []
    commands: list[str] = []
    previous = RESULTS / f"{args.out}.json"
    names = {s.partition("=")[0] for s in args.store}
    if args.append and previous.exists():
        old = json.loads(previous.read_text())
        rows = [r for r in old["rows"] if r["store"] not in names]
        commands = [old["meta"]["command"]]
    for spec in args.store:
        name, _, path = spec.partition("=")
        got = [dict(run_one(path, e), store=name) for e in args.engines.split(",")]
        same = len({g["sha256"] for g in got}) == 1
        for g in got:
            g["same"] = "yes" if same else "NO"
            print(json.dumps(g), flush=True)
        rows += got
        _save(args, rows, previous, commands)  # after each store: a later one may not finish


def _save(args: argparse.Namespace, rows: list[dict[str, Any]], previous: Path,
          commands: list[str]) -> None:
    this = "python -m bench.bench_spark_ranking " + " ".join(
        f"--store {s}" for s in args.store) + (" --append" if args.append else "")
    meta = {"command": "; ".join([*commands, this]),
            "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("SURVKG_SPARK")},
            "machine": f"{platform.machine()}, {psutil.cpu_count()} cores, "
                       f"{round(psutil.virtual_memory().total / 2**30)} GB RAM, Python "
                       f"{platform.python_version()}",
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"meta": meta, "rows": rows},
                                                         indent=2) + "\n")
    (RESULTS / f"{args.out}.md").write_text(_md(rows, meta))


if __name__ == "__main__":
    main()
