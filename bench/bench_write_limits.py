"""What refused writes and the import trust boundary cost (issue 10).

Two figures, each beside what it replaces:

* **Audit log growth under refused writes**: N anonymous SPARQL updates of about 2 MiB
  each sent to a read-only endpoint (real uvicorn server, real on-disk store); the size
  of the audit log after them. Before: each refusal wrote its whole text (25 requests
  took the log from 0 to 52 MB); now: size, SHA-256 and a 200-character excerpt, and
  beyond the per-client rate one summary entry.
* **Trust-boundary check on an import**: the time of
  :func:`graph.imports.boundary.boundary_problems` on the import benchmark's findings
  (``bench.bench_import.turtle``), against the seeded store, beside the time of the
  pipeline's parse of the same file (the cheapest other phase).

Usage::

    python -m bench.bench_write_limits --updates 25 --findings 2500 \\
        --out bench/results/write-limits
"""

from __future__ import annotations

import argparse
import io
import platform
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from bench.bench_import import turtle
from graph.audit import AuditLog
from graph.imports.boundary import boundary_problems
from graph.loading import open_store, parse_stream
from graph.state import AUDIT_FILE


def audit_growth(updates: int) -> tuple[int, int, int]:
    """(statuses seen, log bytes after, entries after) for ``updates`` refused updates."""
    from tests.sparql_support import serve

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "store")
        text = 'INSERT DATA { <urn:a> <urn:b> "' + "x" * (2 * 1024 * 1024 - 100) + '" }'
        with serve(store) as srv, httpx.Client(timeout=60) as client:
            codes = {client.post(f"{srv.url}/sparql", content=text.encode(),
                                 headers={"Content-Type": "application/sparql-update"}
                                 ).status_code for _ in range(updates)}
        log = AuditLog(Path(folder) / "store" / AUDIT_FILE)
        size = sum(p.stat().st_size for p in log.files())
        store.close()
        return len(codes), size, len(log.entries())


def best_of(repeat: int, run: object) -> float:
    assert callable(run)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--updates", type=int, default=25)
    ap.add_argument("--findings", type=int, default=2500)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path("bench/results/write-limits"))
    args = ap.parse_args()

    _, size, entries = audit_growth(args.updates)
    store = open_store(memory=True)
    text = turtle(args.findings)
    data = text.encode()
    quads = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    parse = best_of(args.repeat, lambda: list(parse_stream(
        io.BytesIO(data), ox.RdfFormat.TURTLE, "bench.ttl", None)))
    boundary = best_of(args.repeat, lambda: boundary_problems(
        quads, store, text=text, name="bench.ttl"))
    cmd = (f"python -m bench.bench_write_limits --updates {args.updates} "
           f"--findings {args.findings} --repeat {args.repeat} --out {args.out}")
    lines = [
        "# Refused writes and the import trust boundary", "",
        f"Command: `{cmd}`",
        f"Machine: {platform.machine()}, Python {platform.python_version()}.", "",
        "| measurement | result |", "|---|---|",
        f"| audit log after {args.updates} refused ~2 MiB SPARQL updates (read-only "
        f"endpoint) | {size:,} bytes, {entries} entries (before this change: 52,435,391 "
        "bytes, 25 entries, one whole update text each) |",
        f"| trust-boundary check, {len(quads):,} quads ({args.findings:,} findings), best "
        f"of {args.repeat} | {boundary:.3f} s |",
        f"| parsing the same file (parse_stream), best of {args.repeat} | {parse:.3f} s |",
        "", "The 'before' figure was measured on commit eecdb84 with the same requests.",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
