"""What issue 12 costs: seed triples, opening a seeded in-memory store, SHACL validation of
the seeds, the projection build and exposure of Axis and Noldus (medians).

Run from a checkout: ``PYTHONPATH=. python -m bench.bench_seed_growth``; results for main
before issue 12 and after are in ``bench/results/seed-growth.md``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from graph.exposure import exposure
from graph.loading import open_store
from graph.namespaces import SEEDS_GRAPH, rid
from graph.projection import build_projection
from graph.validation import validate_quads


def median_seconds(run: Callable[[], object], n: int = 5) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    store = open_store(memory=True)
    quads = list(store.quads(None, None, None, SEEDS_GRAPH))
    print(f"seed triples: {len(quads)}")
    print(f"open_store(memory=True): {median_seconds(lambda: open_store(memory=True), 3):.3f} s")
    shacl = median_seconds(lambda: validate_quads(quads), 3)
    print(f"SHACL validation of the seeds: {shacl:.3f} s")
    print(f"build_projection: {median_seconds(lambda: build_projection(store)):.4f} s")
    for org in ("org/axis-communications", "org/noldus"):
        iri = rid(org).value
        took = median_seconds(lambda iri=iri: exposure(build_projection(store), iri))
        print(f"exposure {org} (projection included): {took:.4f} s")


if __name__ == "__main__":
    main()
