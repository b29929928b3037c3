"""A large ``POST /api/import`` against a running ``survkg serve``, with a load client:
how much slower do ``/healthz`` and ``/api/search`` answer while it runs?

For each mode (``worker``: the import prepared in a worker process at nice 10, the
server only committing; ``thread``: prepared in the server's import thread, the
behaviour before, ``SURVKG_IMPORT_WORKER=false``), in a fresh copy of a seeded store:

1. start two ``survkg serve`` (real uvicorn processes) on free loopback ports, each on
   its own copy of the store: the one that gets the import and a control that does
   not (same neighbours on a shared machine, same window: the fair baseline);
2. on each, two load clients (one on ``/healthz``, one on ``/api/search`` with varied queries),
   each a request every ``--interval`` seconds, for ``--idle`` seconds: the idle p95;
3. ``POST /api/import`` of ``--findings`` synthetic findings (bench/bench_import.py's
   Turtle, 20 triples each: 50,000 findings = 1M triples; it passes the trust
   boundary and SHACL), polling the job, while the clients go on: the p95 during the
   import, also split by the job's phase (the worker's preparation vs the commit);
4. ``--after`` seconds more (the server's caches are rebuilt for the new store version).

The peak RSS of the server and of the import worker are sampled every 0.2 s. Usage::

    flock /work/data/bench.lock python -m bench.bench_import_load --findings 50000 \\
        --out bench/results/import-load
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.bench_import import turtle

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["axis", "canon", "idemia", "morpho", "noldus", "police", "shanghai", "camera",
         "xinjiang", "security", "bureau", "hikvision", "optics", "skynet", "sharp"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def python(code: str, *args: str) -> str:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, text=True,
                         capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return out.stdout.strip()


class Load:
    """Two clients, one request each per ``interval``; every sample is kept with the
    moment it started and the phase of the import at that moment."""

    def __init__(self, base: str, interval: float, clock: dict[str, str]) -> None:
        self.base, self.interval, self.clock = base, interval, clock
        self.samples: list[tuple[str, str, float, int]] = []  # endpoint, phase, s, status
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(e,), daemon=True)
                         for e in ("healthz", "search")]

    def _run(self, endpoint: str) -> None:
        rnd = random.Random(endpoint)
        with httpx.Client(base_url=self.base, timeout=120) as client:
            while not self._stop.is_set():
                if endpoint == "healthz":
                    path, params = "/healthz", {}
                else:
                    word = rnd.choice(WORDS)
                    q = word if rnd.random() < 0.5 else f"{word[:rnd.randint(3, 6)]}"
                    path, params = "/api/search", {"q": q, "offset": str(rnd.randint(0, 3))}
                phase = self.clock["phase"]
                t = time.perf_counter()
                try:
                    status = client.get(path, params=params).status_code
                except httpx.HTTPError:
                    status = 0
                elapsed = time.perf_counter() - t
                self.samples.append((endpoint, phase, elapsed, status))
                self._stop.wait(max(0.0, self.interval - elapsed))

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=180)


class Rss:
    """Peak RSS of the server process and of its import worker, sampled."""

    def __init__(self, pid: int) -> None:
        self.server = psutil.Process(pid)
        self.peak = {"server_mb": 0.0, "worker_mb": 0.0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._note("server_mb", self.server.memory_info().rss)
                for child in self.server.children():
                    if "graph.imports.worker" in " ".join(child.cmdline()):
                        self._note("worker_mb", child.memory_info().rss)
            except psutil.Error:
                pass
            self._stop.wait(0.2)

    def _note(self, key: str, rss: int) -> None:
        self.peak[key] = max(self.peak[key], rss / 2**20)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def start_server(store: Path, env: dict[str, str], log: Path) -> tuple[Any, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from graph.cli import main; main()", "serve", "--port",
         str(port), "--store", str(store)], env=env, stdout=subprocess.DEVNULL,
        stderr=open(log, "wb"))  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return server, base


def one_mode(mode: str, template: Path, data: Path, token: str, args: argparse.Namespace,
             work: Path) -> dict[str, Any]:
    """The import into one server while a control server on a copy of the same store
    gets the same read load and no import: on a shared machine the control's latency in
    the same window is the fair baseline (it sees the same neighbours)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SURVKG_RATE_LIMIT_PER_MINUTE": "0",
           "SURVKG_MAX_IMPORT_BYTES": str(1 << 31), "SURVKG_MAX_BODY_BYTES": str(1 << 31),
           "SURVKG_BODY_TIMEOUT": "600", "SURVKG_IMPORT_WORKER": str(mode == "worker")}
    servers = []
    try:
        for role in ("import", "control"):
            store = work / f"store-{mode}-{role}"
            shutil.copytree(template, store)
            servers.append(start_server(store, env, work / f"server-{mode}-{role}.log"))
        (server, base), (_, control_base) = servers
        clock = {"phase": "idle"}
        load = Load(base, args.interval, clock)
        control = Load(control_base, args.interval, clock)
        rss = Rss(server.pid)
        load.start()
        control.start()
        rss.start()
        time.sleep(args.idle)
        clock["phase"] = "uploading"
        t0 = time.perf_counter()
        r = httpx.post(base + "/api/import", content=data.read_bytes(), timeout=600,
                       params={"filename": data.name},
                       headers={"Authorization": f"Bearer {token}",
                                "Content-Type": "text/turtle"})
        if r.status_code != 202:
            raise RuntimeError(f"import refused: {r.status_code} {r.text[:500]}")
        url = base + r.json()["url"]
        phases: dict[str, float] = {}
        last, last_t = "uploading", t0
        while True:
            job = httpx.get(url, headers={"Authorization": f"Bearer {token}"},
                            timeout=120).json()
            now = time.perf_counter()
            if job["phase"] != last:
                phases[last] = phases.get(last, 0.0) + now - last_t
                last, last_t = job["phase"], now
                clock["phase"] = last if job["status"] in ("queued", "running") else "after"
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.25)
        seconds = time.perf_counter() - t0
        clock["phase"] = "after"
        time.sleep(args.after)
        load.stop()
        control.stop()
        rss.stop()
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=60)
    if job["status"] != "done":
        raise RuntimeError(f"import ended {job['status']}: {job.get('error')}")
    return {"seconds": round(seconds, 2), "triples": job["result"]["triples"],
            "phases": {k: round(v, 2) for k, v in phases.items()},
            "latency": summarise(load.samples), "control": summarise(control.samples),
            **{k: round(v) for k, v in rss.peak.items()}}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0


def summarise(samples: list[tuple[str, str, float, int]]) -> dict[str, Any]:
    """p50/p95/max (ms) and errors per endpoint: idle, during (every phase of the import
    from the upload to the end of the commit), the commit alone, after."""
    out: dict[str, Any] = {}
    windows = {"idle": {"idle"}, "after": {"after"}, "committing": {"committing"}}
    for endpoint in ("healthz", "search"):
        rows = [s for s in samples if s[0] == endpoint]
        during = {p for _, p, _, _ in rows} - {"idle", "after"}
        out[endpoint] = {}
        for name, phases in {**windows, "during": during}.items():
            lat = [s[2] for s in rows if s[1] in phases]
            out[endpoint][name] = {"n": len(lat), "p50_ms": round(pct(lat, 0.5), 1),
                                   "p95_ms": round(pct(lat, 0.95), 1),
                                   "max_ms": round(max(lat, default=0) * 1000, 1),
                                   "errors": sum(1 for s in rows
                                                 if s[1] in phases and s[3] != 200)}
    return out


def render(results: dict[str, Any], args: argparse.Namespace) -> str:
    m = results["machine"]
    lines = ["# A large import over HTTP while the server answers reads", "",
             f"Command: `python -m bench.bench_import_load --findings {args.findings} "
             f"--modes {' '.join(args.modes)} --idle {args.idle:g} --after {args.after:g}`"
             " (under `flock /work/data/bench.lock`)",
             f"Machine: {m['cpus']} cpu, Python {m['python']}, load average "
             f"{m['load_start']:.2f} at start, {m['load_end']:.2f} at end (shared machine).",
             "", f"Import: {args.findings:,} synthetic findings in Turtle "
             f"({results['bytes'] / 2**20:.0f} MiB), POST /api/import into a seeded store; "
             f"load: one client on /healthz and one on /api/search (varied queries), a "
             f"request every {args.interval:g} s each.", "",
             "Each mode runs two servers on copies of the same store with the same read "
             "load; only the first gets the import. *Control* is the second server's p95 "
             "in the same window: the baseline that sees the same neighbours on this shared "
             "machine (the idle p95, before the upload, is from another minute).", "",
             "| mode | import s (phases) | server peak RSS | worker peak RSS | endpoint | "
             "idle p95 ms | during p95 ms (vs idle) | control p95 ms, same window "
             "(during vs control) | commit p95 ms (control) | during max ms | after p95 ms "
             "| errors |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for mode, r in results["modes"].items():
        if "error" in r:
            lines.append(f"| {mode} | error: {r['error'][:200]} |" + " |" * 10)
            continue
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())
        for i, endpoint in enumerate(("healthz", "search")):
            lat = r["latency"][endpoint]
            ctl = r.get("control", {}).get(endpoint)
            idle, during = lat["idle"]["p95_ms"], lat["during"]["p95_ms"]
            ratio = f"{during / idle:.2f}x" if idle else "-"
            base = ctl["during"]["p95_ms"] if ctl else 0.0
            control = f"{base:.1f} ({during / base:.2f}x)" if base else "-"
            commit_ctl = f" ({ctl['committing']['p95_ms']:.1f})" if ctl else ""
            head = (f"| {mode} | {r['seconds']:.1f} ({phases}) | {r['server_mb']} MB | "
                    f"{r['worker_mb']} MB |" if i == 0 else "| | | | |")
            errors = sum(lat[w]["errors"] for w in ("idle", "during", "after"))
            lines.append(f"{head} {endpoint} | {idle:.1f} (n={lat['idle']['n']}) | "
                         f"{during:.1f} ({ratio}, n={lat['during']['n']}) | {control} | "
                         f"{lat['committing']['p95_ms']:.1f}{commit_ctl} | "
                         f"{lat['during']['max_ms']:.0f} | "
                         f"{lat['after']['p95_ms']:.1f} | {errors} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--findings", type=int, default=50_000)
    ap.add_argument("--modes", nargs="+", default=["worker", "thread"],
                    choices=["worker", "thread"])
    ap.add_argument("--idle", type=float, default=20.0)
    ap.add_argument("--after", type=float, default=10.0)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--out", default="bench/results/import-load")
    args = ap.parse_args()
    results: dict[str, Any] = {"machine": {"python": platform.python_version(),
                                           "cpus": os.cpu_count(),
                                           "load_start": os.getloadavg()[0]}, "modes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-import-load-") as tmp:
        work = Path(tmp)
        template = work / "template"
        token = python("import sys; from graph.loading import open_store; "
                       "from graph.tokens import open_tokens; s = open_store(sys.argv[1]); "
                       "print(open_tokens(s).create('bench')); s.close()", str(template))
        data = work / f"findings-{args.findings}.ttl"
        data.write_text(turtle(args.findings), encoding="utf-8")
        results["bytes"] = data.stat().st_size
        for mode in args.modes:
            try:
                results["modes"][mode] = one_mode(mode, template, data, token, args, work)
            except Exception as exc:  # recorded, and the other mode still runs
                log = (work / f"server-{mode}-import.log")
                tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                results["modes"][mode] = {"error": f"{exc} {tail}"}
            print(mode, json.dumps(results["modes"][mode]), flush=True)
            results["machine"]["load_end"] = os.getloadavg()[0]
            Path(args.out + ".json").write_text(json.dumps(results, indent=2),
                                                encoding="utf-8")
            Path(args.out + ".md").write_text(render(results, args), encoding="utf-8")


if __name__ == "__main__":
    main()
