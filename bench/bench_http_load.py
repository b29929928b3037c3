"""HTTP load test: requests per second and latency of survkg's pages and API on loopback.

Starts ``survkg``'s app (seed graph, in-memory store, rate limit off) under uvicorn in a
child process, then drives it with N concurrent asyncio httpx clients for a fixed time
per scenario: an entity page, an exposure call and a search. Records the results in
bench/results/http_load.md.

    .venv/bin/python -m bench.bench_http_load --clients 20 --seconds 15
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "http_load.md"

SCENARIOS = {
    "entity page": "/entity/org/axis-communications",
    "exposure API": "/api/exposure/org/axis-communications",
    "search API": "/api/search?q=axis",
}

SERVER = """
import uvicorn
from api.app import create_app
from api.settings import Settings
from graph.loading import open_store
app = create_app(open_store(memory=True), Settings.from_env(rate_limit_per_minute=0))
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def worker(client: httpx.AsyncClient, path: str, until: float,
                 latencies: list[float], errors: list[int]) -> None:
    while time.perf_counter() < until:
        t0 = time.perf_counter()
        try:
            r = await client.get(path)
        except httpx.TransportError:
            errors.append(0)
            continue
        latencies.append(time.perf_counter() - t0)
        if r.status_code != 200:
            errors.append(r.status_code)


async def run(base: str, path: str, clients: int, seconds: float) -> dict[str, float]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        for _ in range(3):  # warm caches (projection, view) outside the measurement
            await client.get(path)
        latencies: list[float] = []
        errors: list[int] = []
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(worker(client, path, until, latencies, errors)
                               for _ in range(clients)))
        elapsed = time.perf_counter() - start
    lat = sorted(latencies)
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    return {"requests": len(lat), "rps": len(lat) / elapsed,
            "p50_ms": statistics.median(lat) * 1000, "p95_ms": p95 * 1000,
            "errors": len(errors)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SERVER.format(port=port)], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("server did not start")
        rows = {name: asyncio.run(run(base, path, args.clients, args.seconds))
                for name, path in SCENARIOS.items()}
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    cmd = f".venv/bin/python -m bench.bench_http_load --clients {args.clients} " \
          f"--seconds {args.seconds:g}"
    lines = [
        "# HTTP load: pages and API on loopback",
        "",
        f"Command: `{cmd}`",
        "",
        f"One uvicorn worker (seed graph, in-memory store, rate limit off); {args.clients} "
        f"concurrent asyncio httpx clients with keep-alive, {args.seconds:g} s per scenario "
        "after a warm-up of 3 requests. Client and server share the machine "
        f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}).",
        "",
        "| scenario | path | requests | req/s | p50 ms | p95 ms | errors (non-200 or reset) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += load_rows(SCENARIOS, rows)
    lines += ["", f"Recorded {time.strftime('%Y-%m-%d')}."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()


def load_rows(scenarios: dict[str, str], rows: dict[str, dict[str, float]]) -> list[str]:
    """One Markdown table row per load scenario (this benchmark's and bench_pages')."""
    return [f"| {name} | `{path}` | {rows[name]['requests']:.0f} | {rows[name]['rps']:.1f} | "
            f"{rows[name]['p50_ms']:.1f} | {rows[name]['p95_ms']:.1f} | "
            f"{rows[name]['errors']:.0f} |" for name, path in scenarios.items()]
