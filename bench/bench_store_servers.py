"""Load time into the embedded store vs ``oxigraph serve`` vs Virtuoso, side by side.

The same generated N-Triples file (``bench.generate``) goes, in one run, into:

* **embedded**: ``survkg load --validate syntax`` into a fresh store folder (a new
  process: seeding, the syntax scan, the journaled bulk load; what a user runs);
* **oxigraph load**: the Oxigraph server's offline loader, ``oxigraph load --location
  DIR --file F`` (a new process, no server running), the folder ``oxigraph serve`` then
  opens;
* **oxigraph GSP** (only up to ``--gsp-max`` triples): one Graph Store Protocol POST of
  the file to a running ``oxigraph serve`` (what survkg's ``load_file`` sends);
* **virtuoso**: Virtuoso 7.2's bulk loader, ``ld_dir`` + ``rdf_loader_run()`` +
  ``checkpoint`` through ``isql-vt``, on a running ``virtuoso-t`` of our own.

Per engine: wall time of the load, peak resident memory of the process that did the work
(``/usr/bin/time``'s maximum RSS for the offline loaders, ``VmHWM`` of the server
process for the servers), the folder's size on disk afterwards, and one typical query
(suppliers ranked by how many distinct recipients they supplied: a three-way join,
grouping, ordering), timed cold (first run) and warm (second run), with the answers
checked equal across engines. Usage (above 1M triples, serialise with the others)::

    flock /work/data/bench.lock python -m bench.bench_store_servers \\
        --file /work/data/gen-1m.nt --file /work/data/gen-10m.nt --out bench/results/store-servers
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.servers import OxigraphServer, Virtuoso, tool

GRAPH = "https://w3id.org/survkg/graph/user/bench"
QUERY = """PREFIX skg: <https://w3id.org/survkg/ontology#>
SELECT ?supplier (COUNT(DISTINCT ?recipient) AS ?recipients) WHERE {
  ?supply skg:supplier ?supplier ; skg:recipient ?recipient .
} GROUP BY ?supplier ORDER BY DESC(?recipients) ?supplier LIMIT 10"""

EMBEDDED_QUERY = r'''
import json, sys, time
import pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
times, rows = [], None
for _ in range(2):
    t = time.perf_counter()
    result = store.query(sys.argv[2], use_default_graph_as_union=True)
    rows = [(str(r[0]), str(r[1].value)) for r in result]
    times.append(time.perf_counter() - t)
print(json.dumps({"times": times, "rows": rows}))
'''


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run ``cmd`` under ``/usr/bin/time``: seconds, peak RSS in bytes, stdout."""
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "MAXRSS %M", *cmd], capture_output=True,
                         text=True, env=env)
    seconds = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {out.stderr[-2000:]}")
    rss = [line for line in out.stderr.splitlines() if line.startswith("MAXRSS ")]
    return seconds, int(rss[-1].split()[1]) * 1024, out.stdout


def peak_rss(pid: int) -> int:
    """The peak resident memory of a running process (``VmHWM``), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def http_query(url: str, params: list[tuple[str, str]], auth: str | None = None
               ) -> tuple[list[float], list[tuple[str, str]]]:
    times, rows = [], []
    for _ in range(2):
        req = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
        t = time.perf_counter()
        with urllib.request.urlopen(req, timeout=3600) as resp:
            body = resp.read()
        times.append(time.perf_counter() - t)
        result = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        assert isinstance(result, ox.QuerySolutions)
        rows = [(str(r[0]), str(r[1].value)) for r in result]
    return times, rows


def embedded(nt: Path, work: Path) -> dict[str, Any]:
    store = work / "embedded"
    env = {**os.environ, "SURVKG_STORE": str(store)}
    seconds, rss, _ = timed([sys.executable, "-c", "from graph.cli import main; main()",
                             "load", "--validate", "syntax", "--graph", GRAPH, str(nt)], env)
    row: dict[str, Any] = {"engine": "embedded (survkg load)", "load_s": seconds,
                           "peak_rss": rss, "disk": du(store)}
    out = subprocess.run([sys.executable, "-c", EMBEDDED_QUERY, str(store), QUERY],
                         capture_output=True, text=True, check=True)
    answer = json.loads(out.stdout)
    row.update(query_s=answer["times"], rows=[tuple(r) for r in answer["rows"]])
    shutil.rmtree(store)
    return row


def oxigraph_offline(nt: Path, work: Path) -> dict[str, Any]:
    folder = work / "oxigraph"
    seconds, rss, _ = timed([tool("oxigraph"), "load", "--location", str(folder),
                             "--file", str(nt)])
    row: dict[str, Any] = {"engine": "oxigraph load (offline)", "load_s": seconds,
                           "peak_rss": rss, "disk": du(folder)}
    server = OxigraphServer(folder)
    try:
        times, rows = http_query(server.base + "/query", [("query", QUERY)])
        row.update(query_s=times, rows=rows, server_rss=peak_rss(server.proc.pid))
    finally:
        server.stop()
    shutil.rmtree(folder)
    return row


def oxigraph_gsp(nt: Path, work: Path) -> dict[str, Any]:
    folder = work / "oxigraph-gsp"
    server = OxigraphServer(folder)
    try:
        url = server.base + "/store?" + urllib.parse.urlencode({"graph": GRAPH})
        with nt.open("rb") as body:
            req = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/n-triples",
                "Content-Length": str(nt.stat().st_size)})
            t = time.perf_counter()
            urllib.request.urlopen(req, timeout=7200).close()
            seconds = time.perf_counter() - t
        rss = peak_rss(server.proc.pid)
        times, rows = http_query(server.base + "/query",
                                 [("query", QUERY), ("default-graph-uri", GRAPH)])
    finally:
        server.stop()
    row = {"engine": "oxigraph serve (HTTP GSP POST)", "load_s": seconds, "peak_rss": rss,
           "disk": du(folder), "query_s": times, "rows": rows}
    shutil.rmtree(folder)
    return row


def virtuoso(nt: Path, work: Path, buffers: int) -> dict[str, Any]:
    folder = work / "virtuoso"
    folder.mkdir()
    server = Virtuoso(folder, dirs_allowed=f"., {nt.parent}", buffers=buffers)
    try:
        before = du(folder)
        t = time.perf_counter()
        server.isql(f"ld_dir('{nt.parent}', '{nt.name}', '{GRAPH}'); rdf_loader_run(); "
                    "checkpoint;")
        seconds = time.perf_counter() - t
        errors = server.isql("SELECT ll_file, ll_error FROM DB.DBA.load_list "
                             "WHERE ll_error IS NOT NULL;")
        if nt.name in errors:
            raise RuntimeError(f"Virtuoso's loader reported an error: {errors}")
        rss = peak_rss(server.proc.pid)
        times, rows = http_query(server.base + "/sparql",
                                 [("query", QUERY), ("default-graph-uri", GRAPH)])
        disk = du(folder)
    finally:
        server.stop()
    shutil.rmtree(folder)
    return {"engine": "virtuoso (ld_dir + rdf_loader_run)", "load_s": seconds,
            "peak_rss": rss, "disk": disk, "disk_empty_db": before, "query_s": times,
            "rows": rows, "buffers": buffers}


def run(nt: Path, gsp_max: int, buffers: int) -> dict[str, Any]:
    triples = sum(1 for _ in nt.open("rb"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-store-servers-") as tmp:
        work = Path(tmp)
        def virtuoso_step(nt: Path, work: Path) -> dict[str, Any]:
            return virtuoso(nt, work, buffers)

        steps = [embedded, oxigraph_offline, *([oxigraph_gsp] if triples <= gsp_max else []),
                 virtuoso_step]
        for step in steps:
            load_before = os.getloadavg()[0]
            rows.append({**step(nt, work), "loadavg_before": load_before,
                         "loadavg_after": os.getloadavg()[0]})
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "rows"}), flush=True)
    answers = {json.dumps(r.pop("rows")) for r in rows}
    return {"file": str(nt), "triples": triples, "same_answers": len(answers) == 1,
            "engines": rows}


def _load(row: dict[str, Any]) -> str:
    if "loadavg_before" not in row:
        return "not recorded"
    return f"{row['loadavg_before']:.1f} / {row['loadavg_after']:.1f}"


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["# Load time: embedded store vs `oxigraph serve` vs Virtuoso", "",
             "Made by `bench/bench_store_servers.py` (command in its docstring); one run, "
             "engines one after another on the same file, 2 shared cores.", "",
             "| triples | engine | load (s) | triples/s | peak RSS (MB) | disk (MB) | "
             "query cold (s) | query warm (s) | load avg before/after |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for res in results:
        for r in res["engines"]:
            lines.append(f"| {res['triples']:,} | {r['engine']} | {r['load_s']:.1f} | "
                         f"{res['triples'] / r['load_s']:,.0f} | {r['peak_rss'] / 2**20:,.0f} | "
                         f"{r['disk'] / 2**20:,.0f} | {r['query_s'][0]:.2f} | "
                         f"{r['query_s'][1]:.2f} | {_load(r)} |")
    lines += ["", "The query (suppliers by number of distinct recipients, top 10) gave the "
              "same answer on every engine: " + ", ".join(
                  f"{r['triples']:,}: {'yes' if r['same_answers'] else 'NO'}"
                  for r in results) + ".", "",
              "Load: wall time of the load command (embedded: the whole `survkg load` "
              "process; oxigraph load: the whole offline loader; GSP: the one POST; "
              "Virtuoso: `ld_dir` + `rdf_loader_run()` + `checkpoint`, server already "
              "up). Peak RSS: `/usr/bin/time`'s maximum for the offline loaders, the "
              "server's `VmHWM` for the servers (Virtuoso's includes its buffer pool, "
              f"NumberOfBuffers = {results[0]['engines'][-1].get('buffers', 0):,} pages of "
              "8 KB, touched as it fills). Disk: the folder afterwards (Virtuoso's "
              "database file grows in steps; a new one is ~52 MB). Query: through each "
              "engine's own interface (embedded: pyoxigraph on the folder, union default "
              "graph; the servers: SPARQL protocol over loopback, the graph named as "
              "survkg names it). The machine (2 cores) was shared with other benchmarks "
              "and test runs: the load average beside each row says how busy it was."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, action="append", default=[])
    parser.add_argument("--gsp-max", type=int, default=1_500_000,
                        help="largest file (triples) also sent over HTTP GSP")
    parser.add_argument("--buffers", type=int, default=250_000,
                        help="Virtuoso NumberOfBuffers (8 KB pages; 250k = 2 GB)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/store-servers"))
    parser.add_argument("--render", action="store_true",
                        help="only write the .md again from the .json")
    args = parser.parse_args()
    if args.render:
        args.out.with_suffix(".md").write_text(
            markdown(json.loads(args.out.with_suffix(".json").read_text())))
        return
    results = [run(nt.resolve(), args.gsp_max, args.buffers) for nt in args.file]
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
