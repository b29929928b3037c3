"""Store benchmark: survkg's persistent store against rdflib and pyoxigraph in memory.

For each size, one synthetic N-Triples file (``bench.generate`` with ``--shortcut``, so the
property-path query has its materialised edge) is loaded by each engine in its own
subprocess, so that peak RSS (``ru_maxrss``) is that engine's alone:

* ``survkg``: ``graph.loading.load_files`` into ``open_store(path, seed=False)``, i.e. the
  documented load with its checks (syntax always, SHACL up to ``SHACL_AUTO_LIMIT``);
* ``pyoxigraph-memory``: ``pyoxigraph.Store().load(path=...)``;
* ``rdflib``: ``rdflib.Graph().parse(...)`` (Memory store).

Then the same SPARQL queries run on each (median of ``--repeat`` runs, after one warm-up
run; rdflib runs each query once, in a forked child killed after ``--rdflib-timeout``).
The documented ``survkg validate FILE`` step is timed separately at sizes up to 100k.

Usage::

    python -m bench.bench_store --sizes 100000 1000000 --out bench/results/store
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import write as generate_file

ENGINES = ("survkg", "pyoxigraph-memory", "rdflib")
#: Load-only alternatives for survkg's on-disk load (``--engines``): the pre-change
#: loader (parse into a list, one ``extend`` transaction), Oxigraph's transactional
#: ``Store.load`` and its (non-transactional) bulk loader, all into a named graph on disk.
LOAD_ONLY = ("disk-list-extend", "disk-store-load", "disk-bulk-load")
EXPORTER = "https://w3id.org/survkg/id/org/syn-exporter-3"
PREFIXES = """PREFIX skg: <https://w3id.org/survkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
QUERIES: dict[str, str] = {
    "neighbours of one entity": f"""
SELECT ?p ?n WHERE {{ {{ <{EXPORTER}> ?p ?n }} UNION {{ ?n ?p <{EXPORTER}> }} }}""",
    "an exporter's supplies with sources, ordered": f"""
SELECT ?supply ?date ?recipient ?source ?title WHERE {{
  ?supply skg:supplier <{EXPORTER}> ; skg:evidence ?source .
  ?source dcterms:title ?title .
  OPTIONAL {{ ?supply skg:recipient ?recipient }}
  OPTIONAL {{ ?supply skg:date ?date }}
}} ORDER BY DESC(?date) ?supply ?source""",
    "aggregate by country x technology": """
SELECT ?country ?tech (COUNT(DISTINCT ?supply) AS ?n) WHERE {
  ?supply a skg:Supply ; skg:recipient ?r .
  ?r skg:country ?country .
  { ?supply skg:technology ?tech } UNION { ?supply skg:product/skg:technology ?tech }
} GROUP BY ?country ?tech ORDER BY DESC(?n) ?country ?tech""",
    "regex over all labels": """
SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(REGEX(?label, "vision|optics", "i")) }""",
    "property path: flagged places reachable from an exporter": f"""
SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?t WHERE {{ <{EXPORTER}> skg:suppliesTo+ ?t }} }}
  ?t skg:locatedIn+ ?place .
  ?flag skg:flagged ?place .
}}""",
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


# ------------------------------------------------------------------ worker (one engine)

def _time_query(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    rows = run()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, rows


def _forked(run: Callable[[], int], timeout: float) -> tuple[float | None, int | None]:
    """Run once in a forked child (copy-on-write of the loaded graph); kill it at timeout."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        t0 = time.perf_counter()
        rows = run()
        os.write(w, json.dumps([(time.perf_counter() - t0) * 1000, rows]).encode())
        os._exit(0)
    os.close(w)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            ms, rows = json.loads(os.read(r, 4096) or b"[null, null]")
            os.close(r)
            return ms, rows
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(r)
    return None, None


def worker(engine: str, data: Path, workdir: Path, repeat: int, timeout: float) -> dict[str, Any]:
    out: dict[str, Any] = {"engine": engine, "baseline_rss_mb": round(_peak_mb())}
    queries: dict[str, Any] = {}
    if engine in LOAD_ONLY:
        import pyoxigraph as ox

        from graph.loading import parse_file

        path = workdir / engine
        shutil.rmtree(path, ignore_errors=True)
        graph = ox.NamedNode("https://w3id.org/survkg/graph/user/bench")
        t0 = time.perf_counter()
        disk = ox.Store(str(path))
        if engine == "disk-list-extend":
            disk.extend(parse_file(data, graph=graph))
        elif engine == "disk-store-load":
            disk.load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        else:
            disk.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        disk.flush()
        out["load_s"] = time.perf_counter() - t0
        out["quads"] = len(disk)
        out["peak_rss_mb"] = round(_peak_mb())
        t0 = time.perf_counter()
        for _ in ox.parse(path=str(data)):
            pass
        out["syntax_scan_s"] = time.perf_counter() - t0
        out["queries"] = {}
        return out
    if engine == "rdflib":
        import rdflib

        t0 = time.perf_counter()
        g = rdflib.Graph()
        g.parse(str(data), format="nt")
        out["load_s"] = time.perf_counter() - t0
        out["quads"] = len(g)
        out["peak_rss_mb"] = round(_peak_mb())
        for name, q in QUERIES.items():
            ms, rows = _forked(lambda q=q: len(list(g.query(PREFIXES + q))), timeout)
            queries[name] = {"ms": ms, "rows": rows, "runs": 1}
    else:
        import pyoxigraph as ox

        if engine == "survkg":
            from graph.loading import load_files, open_store

            path = workdir / "store"
            shutil.rmtree(path, ignore_errors=True)
            t0 = time.perf_counter()
            store = open_store(path, seed=False)
            report = load_files(store, [data])
            out["load_s"] = time.perf_counter() - t0
            out["shacl"] = "skipped" if report.shacl_skipped else "run"
            out["quads"] = len(store)
            out["peak_rss_mb"] = round(_peak_mb())
            out["disk_mb"] = round(_dir_mb(path))
            del store  # closes RocksDB (its lock), so the store can be reopened
            t0 = time.perf_counter()
            reopened = open_store(path, seed=False)
            out["reopen_s"] = time.perf_counter() - t0

            def run_q(q: str) -> int:
                return len(list(reopened.query(PREFIXES + q)))  # type: ignore[arg-type]
        else:
            t0 = time.perf_counter()
            mem = ox.Store()
            mem.load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
            out["load_s"] = time.perf_counter() - t0
            out["quads"] = len(mem)
            out["peak_rss_mb"] = round(_peak_mb())

            def run_q(q: str) -> int:
                return len(list(mem.query(PREFIXES + q)))  # type: ignore[arg-type]
        for name, q in QUERIES.items():
            ms, rows = _time_query(lambda q=q: run_q(q), repeat)
            queries[name] = {"ms": ms, "rows": rows, "runs": repeat}
    out["queries"] = queries
    out["final_peak_rss_mb"] = round(_peak_mb())
    return out


# ------------------------------------------------------------------ driver

def _validate_step(data: Path, workdir: Path) -> dict[str, Any]:
    """Time the documented ``survkg validate FILE`` (a fresh store as context)."""
    exe = Path(sys.executable).with_name("survkg")
    cmd = [str(exe), "validate", str(data), "--store", str(workdir / "validate-store")]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return {"seconds": time.perf_counter() - t0, "exit": proc.returncode,
            "summary": (proc.stdout.strip().splitlines() or [""])[-1],
            "command": "survkg validate FILE --store DIR"}


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(sizes: list[int], engines: list[str], repeat: int, timeout: float,
        validate_up_to: int, seed: int) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "versions": _versions(), "seed": seed, "runs": []}
    with tempfile.TemporaryDirectory(prefix="survkg-bench-") as tmp:
        work = Path(tmp)
        for size in sizes:
            data = work / f"synthetic-{size}.nt"
            t0 = time.perf_counter()
            lines = generate_file(data, size, seed=seed, shortcut=True)
            entry: dict[str, Any] = {"size": size, "lines": lines,
                                     "generate_s": time.perf_counter() - t0,
                                     "file_mb": round(data.stat().st_size / 1e6, 1),
                                     "engines": {}}
            for engine in engines:
                before = _loadavg()
                proc = subprocess.run(
                    [sys.executable, "-m", "bench.bench_store", "--worker", engine,
                     "--data", str(data), "--workdir", str(work), "--repeat", str(repeat),
                     "--rdflib-timeout", str(timeout)],
                    capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    entry["engines"][engine] = {"error": proc.stderr[-2000:]}
                else:
                    entry["engines"][engine] = json.loads(proc.stdout.strip().splitlines()[-1])
                entry["engines"][engine]["loadavg_before"] = before
                entry["engines"][engine]["loadavg_after"] = _loadavg()
                print(f"{size} {engine}: {json.dumps(entry['engines'][engine])[:300]}",
                      file=sys.stderr)
            if size <= validate_up_to:
                entry["validate"] = _validate_step(data, work)
                entry["validate"]["loadavg_after"] = _loadavg()
            results["runs"].append(entry)
    return results


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {p: version(p) for p in ("pyoxigraph", "rdflib", "pyshacl")}


def _fmt_ms(ms: float | None) -> str:
    if ms is None:
        return "timeout"
    return f"{ms:,.1f} ms" if ms < 10_000 else f"{ms / 1000:,.1f} s"


def render(results: dict[str, Any], command: str) -> str:
    lines = ["# Store benchmark", "",
             "survkg's persistent store (Oxigraph on RocksDB, loaded with "
             "`graph.loading.load_files`, checks included) against rdflib's in-memory "
             "`Graph` and pyoxigraph in memory, on the same synthetic N-Triples file "
             "(`bench.generate --shortcut`). Each engine runs in its own subprocess; peak "
             "RSS is that process's `ru_maxrss` (Python and the libraries included). "
             "Query times: median of the repeated runs after a warm-up (rdflib: one run, "
             "killed at the timeout). The machine is shared: the load average (1/5/15 min) "
             "is recorded before and after each engine.", "",
             f"Reproduce: `{command}`", "",
             f"Machine: {results['machine']}; versions: {results['versions']}", ""]
    for entry in results["runs"]:
        lines += [f"## {entry['size']:,} triples ({entry['lines']:,} lines incl. the "
                  f"suppliesTo shortcut, {entry['file_mb']} MB; generated in "
                  f"{entry['generate_s']:.1f} s)", ""]
        engines = [e for e in ENGINES + LOAD_ONLY if e in entry["engines"]]
        lines.append("| | " + " | ".join(engines) + " |")
        lines.append("|---|" + "---|" * len(engines))

        def row(label: str, cell: Callable[[dict[str, Any]], str],
                engines: list[str] = engines, entry: dict[str, Any] = entry) -> str:
            cells = []
            for e in engines:
                r = entry["engines"][e]
                cells.append("error" if "error" in r else cell(r))
            return f"| {label} | " + " | ".join(cells) + " |"
        lines.append(row("load", lambda r: f"{r['load_s']:.1f} s"
                         + (f" (SHACL {r['shacl']})" if "shacl" in r else "")))
        lines.append(row("streaming syntax scan (survkg's first pass)",
                         lambda r: f"{r['syntax_scan_s']:.1f} s" if "syntax_scan_s" in r
                         else "-"))
        lines.append(row("peak RSS after load", lambda r: f"{r['peak_rss_mb']:,} MB"))
        lines.append(row("quads", lambda r: f"{r['quads']:,}"))
        lines.append(row("on disk / reopen", lambda r: f"{r['disk_mb']} MB / "
                         f"{r['reopen_s']:.2f} s" if "disk_mb" in r else "-"))
        for q in QUERIES if any(entry["engines"][e].get("queries") for e in engines) else ():
            lines.append(row(q, lambda r, q=q: f"{_fmt_ms(r['queries'][q]['ms'])} "
                             f"({r['queries'][q]['rows']} rows)" if q in r["queries"]
                             else "-"))
        lines.append(row("load average before / after", lambda r: f"{r['loadavg_before']} / "
                         f"{r['loadavg_after']}"))
        lines.append("")
        if "validate" in entry:
            v = entry["validate"]
            lines += [f"`{v['command']}`: {v['seconds']:.1f} s, exit {v['exit']} "
                      f"({v['summary']}); load average after: {v['loadavg_after']}", ""]
    lines += ["## Queries", ""]
    for name, q in QUERIES.items():
        lines += [f"**{name}**", "", "```sparql", q.strip(), "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_store")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES + LOAD_ONLY)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rdflib-timeout", type=float, default=120.0)
    ap.add_argument("--validate-up-to", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, help="write OUT.md and OUT.json")
    ap.add_argument("--worker", choices=ENGINES + LOAD_ONLY, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.workdir, args.repeat,
                                args.rdflib_timeout)))
        return
    command = "python -m bench.bench_store " + " ".join(argv if argv is not None
                                                          else sys.argv[1:])
    results = run(args.sizes, args.engines, args.repeat, args.rdflib_timeout,
                  args.validate_up_to, args.seed)
    results["command"] = command
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n",
                                                 encoding="utf-8")
        args.out.with_suffix(".md").write_text(render(results, command) + "\n",
                                               encoding="utf-8")
    else:
        print(render(results, command))


if __name__ == "__main__":
    main()
