"""Run every benchmark with the commands recorded in bench/results/ (``make bench``).

Each benchmark compares survkg with the alternatives side by side in one run and writes
its own results file; this only runs them in sequence. Expect about an hour on two cores
(the 10M-triple exposure run is left to ``python -m bench.bench_exposure`` by hand).
"""

from __future__ import annotations

import subprocess
import sys

COMMANDS: list[list[str]] = [
    ["bench.bench_store", "--sizes", "100000", "1000000", "--repeat", "5",
     "--rdflib-timeout", "120", "--out", "bench/results/store"],
    ["bench.bench_exposure", "--triples", "100000", "1000000", "--sparql-sample", "10"],
    ["bench.bench_endpoint", "--triples", "100000", "--clients", "4", "--seconds", "10",
     "--rounds", "5"],
    ["bench.bench_snapshots", "--triples", "100000", "1000000"],
    ["bench.bench_http_load", "--clients", "20", "--seconds", "15"],
    ["bench.bench_write_limits", "--updates", "25", "--findings", "2500"],
]


def main() -> int:
    failed = []
    for args in COMMANDS:
        print("==>", "python -m", " ".join(args), flush=True)
        if subprocess.run([sys.executable, "-m", *args], check=False).returncode != 0:
            failed.append(args[0])
    if failed:
        print("failed:", ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
