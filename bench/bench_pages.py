"""Pages at a million triples: sizes, first-request times, the explorer in Chromium, and a
20-client load test (issue 14). Records bench/results/pages-1m.md and .json.

Starts ``survkg serve`` (one uvicorn worker, rate limit off) on a store loaded from
``bench.generate`` output, waits until it is ready (it warms its caches first and says so),
then measures:

* single requests: size and time of the busiest exporter's entity and exposure pages,
  search (a name, a typo), the home page, ``/explore`` and its overview data;
* Chromium: ``/explore`` until the overview is drawn, the longest main-thread task seen by
  a ``PerformanceObserver`` (``longtask``) while it loads and while a group is drilled
  into and a node expanded; the entity page's load time;
* load: ``--clients`` concurrent clients for ``--seconds`` per scenario (requests/s, p50,
  p95): entity page, exposure page, search, the explorer's overview and drill-down data.

    python -m bench.generate --triples 1000000 -o /tmp/g1m.nt
    survkg load --store /tmp/store-1m /tmp/g1m.nt
    python -m bench.bench_pages --store /tmp/store-1m --clients 20 --seconds 15

One uvicorn worker: survkg's projection, display view, ranking and search index live in
the process (built once per store version); each further worker would build and hold its
own copy (minutes and gigabytes at 1M) and the machine has two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.bench_http_load import free_port, load_rows, run

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "pages-1m"
BUSIEST = "org/syn-exporter-0"

LONGTASKS = """
window.__longtasks = [];
new PerformanceObserver(list => { for (const e of list.getEntries())
  window.__longtasks.push(Math.round(e.duration)); }).observe({entryTypes: ['longtask']});
"""


def start(store: str) -> tuple[subprocess.Popen[str], str, float, list[str]]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SURVKG_RATE_LIMIT_PER_MINUTE": "0"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from api.cli import serve; serve()",
                             "--store", store, "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    log: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        log.append(line.rstrip())
        print(line.rstrip(), flush=True)
        if "Uvicorn running" in line or "startup complete" in line:
            break
    ready = time.perf_counter() - t0
    # Keep reading the server's log (access lines) so that a full pipe never stalls it.
    threading.Thread(target=lambda: [None for _ in proc.stdout or ()], daemon=True).start()
    httpx.get(base + "/healthz", timeout=30).raise_for_status()
    return proc, base, ready, log


def single(base: str) -> list[dict[str, Any]]:
    rows = []
    for name, path in [("entity page (busiest exporter)", f"/entity/{BUSIEST}"),
                       ("entity page, supplies 3001-3050", f"/entity/{BUSIEST}?kind=Supply"
                                                           "&offset=3000"),
                       ("exposure page (busiest exporter)", f"/exposure/{BUSIEST}"),
                       ("search API", "/api/search?q=syn-user-12"),
                       ("search API, typo with suggestions", "/api/search?q=Synn-exportr-3"),
                       ("home page", "/"), ("explore page", "/explore"),
                       ("overview data", "/api/overview?by=country")]:
        times = []
        size = 0
        for _ in range(3):
            t0 = time.perf_counter()
            r = httpx.get(base + path, timeout=120)
            times.append(time.perf_counter() - t0)
            size = len(r.content)
            r.raise_for_status()
        rows.append({"name": name, "path": path, "bytes": size,
                     "first_ms": times[0] * 1000, "best_ms": min(times) * 1000})
    return rows


def browser(base: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium",
                              args=["--headless", "--no-sandbox", "--disable-gpu"])
        ctx = b.new_context(viewport={"width": 1400, "height": 900})
        ctx.add_init_script(LONGTASKS)
        pg = ctx.new_page()
        t0 = time.perf_counter()
        pg.goto(base + "/explore")
        pg.wait_for_selector("#graph[data-mode='overview'][data-stable='1']", timeout=60_000)
        out["overview_s"] = time.perf_counter() - t0
        out["overview_groups"] = len(pg.evaluate("() => window.survkgGraph.nodeView.getIds()"))
        out["longtasks_overview_ms"] = pg.evaluate("() => window.__longtasks")
        pg.evaluate("() => { window.__longtasks = []; }")
        t0 = time.perf_counter()
        pg.locator("#node-table-body button").first.click()
        pg.wait_for_selector("#graph[data-mode='group'][data-stable='1']", timeout=60_000)
        out["drill_s"] = time.perf_counter() - t0
        members = pg.evaluate("() => window.survkgGraph.nodeView.getIds()")
        out["drill_nodes"] = len(members)
        pg.locator("#node-table-body button").first.click()
        pg.wait_for_selector("#info button.expand", timeout=60_000)
        pg.click("#info button.expand")
        pg.wait_for_function("n => window.survkgGraph.nodeView.getIds().length > n",
                             arg=len(members), timeout=60_000)
        pg.wait_for_timeout(1500)
        out["expanded_nodes"] = len(pg.evaluate("() => window.survkgGraph.nodeView.getIds()"))
        out["longtasks_drill_expand_ms"] = pg.evaluate("() => window.__longtasks")
        t0 = time.perf_counter()
        pg.goto(base + f"/entity/{BUSIEST}")
        pg.wait_for_load_state("load")
        out["entity_load_s"] = time.perf_counter() - t0
        out["entity_longtasks_ms"] = pg.evaluate("() => window.__longtasks")
        shots = ROOT / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        pg.goto(base + "/explore")
        pg.wait_for_selector("#graph[data-mode='overview'][data-stable='1']", timeout=60_000)
        pg.screenshot(path=str(shots / "overview-1m.png"))
        b.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    proc, base, ready_s, log = start(args.store)
    try:
        quads = httpx.get(base + "/api/search?q=&limit=1", timeout=60).json()["total"]
        singles = single(base)
        shown = browser(base)
        biggest = httpx.get(base + "/api/overview", timeout=60).json()["groups"][0]["id"]
        scenarios = {"entity page": f"/entity/{BUSIEST}",
                     "exposure page": f"/exposure/{BUSIEST}",
                     "search API": "/api/search?q=syn-user-1",
                     "explorer overview data": "/api/overview?by=country",
                     "explorer drill-down data": "/api/overview/members?by=country&key="
                                                 + biggest}
        loads = {name: asyncio.run(run(base, path, args.clients, args.seconds))
                 for name, path in scenarios.items()}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    data = {"store": args.store, "ready_s": ready_s, "warm_log": log, "named_entities": quads,
            "single": singles, "browser": shown, "load": loads, "clients": args.clients,
            "seconds": args.seconds, "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "loadavg_after": os.getloadavg()}
    lines = ["# Pages at a million triples", "",
             f"Command: `python -m bench.bench_pages --store {args.store} --clients "
             f"{args.clients} --seconds {args.seconds:g}` (store: `bench.generate --triples "
             "1000000`, loaded with `survkg load`).", "",
             f"One uvicorn worker (why: see the module docstring), rate limit off; client, "
             f"browser and server share the machine ({data['machine']}, load average "
             f"{os.getloadavg()[0]:.1f} after the run: other jobs were running).", "",
             "Entity and exposure pages and the drill-down data are cached per store version "
             "after their first request (`api/graphviews.PageCache`): the load test measures "
             "hot pages; 'first ms' below is a page's uncached cost.", "",
             f"Ready (serve started, caches warmed, uvicorn listening) after {ready_s:.0f} s:",
             ""] + [f"    {line}" for line in log if "warming" in line] + [
             "", "## Single requests (3 each)", "",
             "| page | path | bytes | first ms | best ms |", "|---|---|---:|---:|---:|"]
    for r in singles:
        lines.append(f"| {r['name']} | `{r['path']}` | {r['bytes']:,} | {r['first_ms']:.0f} | "
                     f"{r['best_ms']:.0f} |")
    lines += ["", "## Chromium", "", "```", json.dumps(shown, indent=1), "```", "",
              f"## Load: {args.clients} clients, {args.seconds:g} s per scenario", "",
              "| scenario | path | requests | req/s | p50 ms | p95 ms | errors |",
              "|---|---|---:|---:|---:|---:|---:|"]
    lines += load_rows(scenarios, loads)
    lines += ["", f"Recorded {time.strftime('%Y-%m-%d')}."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.with_suffix(".md").write_text(text)
        RESULTS.with_suffix(".json").write_text(json.dumps(data, indent=1))


if __name__ == "__main__":
    main()
