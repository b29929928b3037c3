"""Paired load benchmark: ``survkg load`` against a bare Oxigraph bulk load, in one run.

The same N-Triples file (``bench.generate``) goes into a named graph of a fresh copy of
the same seeded on-disk store, by:

* ``survkg load`` (the CLI, a new process: interpreter start, module imports, the
  bounded syntax scan, the journaled bulk load, the triple count);
* ``load_files`` (the library call the CLI makes, timed inside its process);
* ``pyoxigraph bulk_load`` (a new process: ``Store(path).bulk_load(path, to_graph)`` and
  ``flush``: the floor).

Runs are interleaved (A B C, A B C, ...) so that the shared machine's load hits all
engines alike; the README quotes only these paired medians. Each run's CPU time (user +
system, every thread of that process) is recorded beside its wall time: on a shared
machine wall times of the same engine varied 41-153 s, CPU time varies far less. Usage::

    python -m bench.bench_load --triples 1000000 --repeat 3 --out bench/results/load
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GRAPH = "https://w3id.org/survkg/graph/user/bench"

LIBRARY = r'''
import sys, time
t = time.perf_counter()
from pathlib import Path
import pyoxigraph as ox
from graph.loading import load_files, open_store
store = open_store(sys.argv[2])
t1 = time.perf_counter()
report = load_files(store, [Path(sys.argv[1])], graph=ox.NamedNode(sys.argv[3]))
t2 = time.perf_counter()
store.close()
print(t2 - t1, report.triples)
'''

BARE = r'''
import sys, time
import pyoxigraph as ox
store = ox.Store(sys.argv[2])
t = time.perf_counter()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(sys.argv[3]))
store.flush()
print(time.perf_counter() - t, 0)
'''


def _run(engine: str, data: Path, store: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    if engine == "survkg load (CLI)":
        cmd = [sys.executable, "-c", "from graph.cli import main; main()", "load", str(data),
               "--graph", GRAPH,
               "--store", str(store)]
    else:
        cmd = [sys.executable, "-c", LIBRARY if engine == "load_files" else BARE,
               str(data), str(store), GRAPH]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{engine} failed: {proc.stderr.strip()[-500:]}")
    # CPU seconds (user + system, all threads) of this one child: far less sensitive
    # than wall time to what the other users of a shared machine are doing.
    out = {"process": wall, "cpu": (after.ru_utime - before.ru_utime)
           + (after.ru_stime - before.ru_stime)}
    if engine != "survkg load (CLI)":
        out["load"] = float(proc.stdout.split()[0])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default="bench/results/load")
    args = ap.parse_args()
    engines = ["survkg load (CLI)", "load_files", "pyoxigraph bulk_load"]
    runs: dict[str, list[dict[str, float]]] = {e: [] for e in engines}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "data.nt"
        subprocess.run([sys.executable, "-m", "bench.generate", "--triples",
                        str(args.triples), "-o", str(data)], check=True,
                       env={**os.environ, "PYTHONPATH": str(Path.cwd())})
        template = work / "template"
        subprocess.run([sys.executable, "-c", "import sys; from graph.loading import "
                        "open_store; open_store(sys.argv[1]).close()", str(template)],
                       check=True, env={**os.environ, "PYTHONPATH": str(Path.cwd())})
        for _ in range(args.repeat):
            for engine in engines:
                store = work / "store"
                shutil.rmtree(store, ignore_errors=True)
                shutil.copytree(template, store)
                runs[engine].append(_run(engine, data, store))
                print(engine, runs[engine][-1], flush=True)
        size_mb = data.stat().st_size / 1e6
        lines = sum(1 for _ in data.open("rb"))
    load.append(os.getloadavg()[0])
    results: dict[str, Any] = {"triples": lines, "mb": size_mb, "runs": runs,
                               "load_average": load}
    Path(args.out + ".json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    Path(args.out + ".md").write_text(render(results, args), encoding="utf-8")


def render(results: dict[str, Any], args: argparse.Namespace) -> str:
    def med(engine: str, key: str) -> float:
        return statistics.median(r[key] for r in results["runs"][engine])

    bare_p = med("pyoxigraph bulk_load", "process")
    bare_l = med("pyoxigraph bulk_load", "load")
    lines = ["# Load benchmark (paired)", "",
             f"Command: `python -m bench.bench_load --triples {args.triples} "
             f"--repeat {args.repeat}`", "",
             f"{results['triples']:,} triples ({results['mb']:.0f} MB N-Triples) into a named "
             "graph of a fresh copy of the same seeded store; runs interleaved; medians of "
             f"{args.repeat}. Load average {results['load_average'][0]:.1f} at start, "
             f"{results['load_average'][1]:.1f} at end (2 shared cores).", "",
             "| | whole process | load call | process vs bare | load vs bare "
             "| process CPU (user+sys) | CPU vs bare |",
             "|---|---|---|---|---|---|---|"]
    has_cpu = all("cpu" in r for runs in results["runs"].values() for r in runs)
    bare_c = med("pyoxigraph bulk_load", "cpu") if has_cpu else 0.0
    for engine in results["runs"]:
        p = med(engine, "process")
        has_load = "load" in results["runs"][engine][0]
        lc = f"{med(engine, 'load'):.2f} s" if has_load else "-"
        lr = f"{med(engine, 'load') / bare_l:.2f}x" if has_load else "-"
        cpu = (f"{med(engine, 'cpu'):.2f} s | {med(engine, 'cpu') / bare_c:.2f}x"
               if has_cpu else "- | -")
        lines.append(f"| {engine} | {p:.2f} s | {lc} | {p / bare_p:.2f}x | {lr} | {cpu} |")
    lines += ["", "All runs (seconds): " + json.dumps(results["runs"])]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
