"""How fast the ``survkg`` command starts, side by side with the floor and (optionally) an
older checkout; and what opening the store costs read-write vs as a read-only view.

Every command is a fresh process (what a user pays), run ``--repeat`` times, interleaved
so that load on the machine hits every row alike. Wall time is reported as median and
minimum, CPU time (user + system) as median, peak memory (max RSS) as median; all three
come from ``os.wait4`` of the child, so they are the child's own. Results go to
bench/results/cli-start.md.

    .venv/bin/python -m bench.bench_cli_start --repeat 10 [--before /path/to/old/checkout]

The floor is ``python -c "import pyoxigraph, click"``: a CLI on pyoxigraph and click
cannot start faster than that. ``--before`` points at another source tree (e.g. ``git
archive <commit> | tar -x -C /tmp/old``) whose ``graph.cli`` is timed on the same store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "cli-start.md"
CLI = "from graph.cli import main; main()"


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of one child process.

    The child runs in a neutral folder: ``python -c`` puts its working folder first on
    ``sys.path``, which would shadow the tree that ``PYTHONPATH`` names.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=tempfile.gettempdir(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def open_costs(store: Path, repeat: int) -> dict[str, list[float]]:
    """In one process: opening the store read-write vs read-only (the view the CLI
    falls back to beside a running server). pyoxigraph 0.5 has no secondary instance."""
    from graph.store import OxigraphStore
    out: dict[str, list[float]] = {"read-write open": [], "read-only open": []}
    for _ in range(repeat):
        for name, ro in (("read-write open", False), ("read-only open", True)):
            t = time.perf_counter()
            s = OxigraphStore(store, read_only=ro)
            len(s)
            s.close()
            out[name].append(time.perf_counter() - t)
    return out


NOTES = """\
## Reading beside a running server: read-only view, not a secondary instance

RocksDB admits one read-write process per store; `survkg serve` is that process. A
reading command then opens a read-only instance (`pyoxigraph.Store.read_only`): it sees
everything committed when it opens, which is what a short-lived command wants, and opens
faster than a read-write instance (line above). A secondary instance (one that follows
the primary) would need a folder of its own and catch-up calls, and pyoxigraph 0.5.13,
the version pinned, offers none (its `Store` has `read_only` but no `secondary`), so
there is no choice to make on this version. pyoxigraph documents a read-only open beside
a writer as undefined. Measured by hand (2026-12-03) with `survkg serve` taking one HTTP
import after another while `survkg query "SELECT (COUNT(*) AS ?n) ..."` ran 25 times in
a loop, 3 and 5 of 25 runs (two loops) failed with RocksDB's "No such file ... .sst" (a
flush or compaction replaced a file between reading the file list and opening it),
always in the open, never during a query. `graph/cli/common.py` retries the open (up to
8 times, 50 ms more each time): the same loop with `survkg exposure Canon`, 30 runs
against 60 imports, had 0 failures, and each run saw the imports committed before it
started (tests/test_cli_beside_server.py checks that freshness with a real server).
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--before", type=Path, default=None,
                    help="another source tree to time beside this one")
    args = ap.parse_args()
    py = sys.executable
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SURVKG_STORE", None)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([py, "-c", CLI, "info", "--store", str(store)], env=env, check=True,
                       capture_output=True)  # seed it once
        rows: dict[str, tuple[list[str], dict[str, str]]] = {
            'python -c "import pyoxigraph, click"': ([py, "-c", "import pyoxigraph, click"],
                                                     env),
            "survkg --version": ([py, "-c", CLI, "--version"], env),
            "survkg --help": ([py, "-c", CLI, "--help"], env),
            "survkg info": ([py, "-c", CLI, "info", "--store", str(store)], env),
            "survkg exposure Canon": ([py, "-c", CLI, "exposure", "Canon", "--store",
                                       str(store)], env),
        }
        if args.before is not None:
            old = {**env, "PYTHONPATH": str(args.before)}
            for name in ("survkg --version", "survkg exposure Canon"):
                argv = rows[name][0]
                rows[f"{name} (before)"] = (argv, old)
        samples: dict[str, list[tuple[float, float, int]]] = {k: [] for k in rows}
        for argv, e in rows.values():  # warm the byte-code caches
            run(argv, e)
        for _ in range(args.repeat):
            for name, (argv, e) in rows.items():
                samples[name].append(run(argv, e))
        opens = open_costs(store, args.repeat)
    load = (load_before, os.getloadavg()[0])
    floor = statistics.median(w for w, _, _ in samples[next(iter(rows))])
    lines = [
        "# CLI start-up",
        "",
        f"`python -m bench.bench_cli_start --repeat {args.repeat}"
        + (" --before <old checkout>" if args.before else "") + "`, "
        f"{time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs shared with other work (1-minute load average "
        f"{load[0]:.1f} at the start, {load[1]:.1f} at the end: wall times are inflated and "
        "noisy; CPU time is the steadier figure). Every row is a fresh process, rows "
        "interleaved; the seed store on disk.",
        "",
        "| command | wall median (s) | wall min (s) | x floor (median) | CPU median (s) "
        "| max RSS median (MiB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, got in samples.items():
        walls = [w for w, _, _ in got]
        lines.append(f"| {name} | {statistics.median(walls):.3f} | {min(walls):.3f} | "
                     f"{statistics.median(walls) / floor:.1f} | "
                     f"{statistics.median(c for _, c, _ in got):.3f} | "
                     f"{statistics.median(r for _, _, r in got) / 1024:.0f} |")
    lines += ["", "Opening the seed store in one process (median of "
              f"{args.repeat}, seconds): " + "; ".join(
                  f"{k} {statistics.median(v):.4f}" for k, v in opens.items()), "", NOTES]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
