"""What deciding on the parse tree costs, side by side with the token filter and the engine.

For queries from a few characters up to the length limit (20,000 by default): the token
filter (``api.sparql.inspect``), the parse-tree check (``api.sparql.parsed``: rdflib's
SPARQL parser, uncached) and pyoxigraph parsing and running the same text on an empty
store (its own parser, which exposes no tree). Median of a few runs each, in one
process. Results go to bench/results/parse_check.md.

    .venv/bin/python -m bench.bench_parse_check --runs 3
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from api.settings import Settings
from api.sparql import parsed
from api.sparql.inspect import inspect

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "parse_check.md"
LIMIT = Settings().max_query_length
SKG = "PREFIX skg: <https://w3id.org/survkg/ontology#>\n"


def _fill(head: str, item: Callable[[int], str], tail: str, size: int) -> str:
    parts, i = [head], 0
    while sum(map(len, parts)) + len(tail) + len(item(i)) <= size:
        parts.append(item(i))
        i += 1
    return "".join(parts) + tail


def queries() -> dict[str, str]:
    return {
        "ASK {} (6 chars)": "ASK {}",
        "one pattern": "SELECT * { ?s ?p ?o } LIMIT 10",
        "typical (editor example)": SKG + (
            "SELECT ?supplier ?recipient ?date WHERE { ?s a skg:Supply ; skg:supplier "
            "?supplier ; skg:recipient ?recipient . OPTIONAL { ?s skg:date ?date } "
            'FILTER(?date > "2015-01-01"^^<http://www.w3.org/2001/XMLSchema#date>) } '
            "ORDER BY ?date LIMIT 100"),
        "VALUES of IRIs, at the limit": _fill(
            "SELECT * { VALUES ?x { ", lambda i: f"<https://w3id.org/survkg/id/x{i}> ",
            "} ?x ?p ?o }", LIMIT),
        "triple patterns, at the limit": _fill(
            "SELECT * { ", lambda i: f"?s{i} <https://w3id.org/p> ?o{i} . ", "}", LIMIT),
        "FILTER expressions, at the limit": _fill(
            "SELECT * { ?s ?p ?o ", lambda i: f"FILTER(?o != {i} && ?o < {i}.5e1) ", "}",
            LIMIT),
        "UNION of groups, at the limit": _fill(
            "SELECT * { { ?s ?p ?o }", lambda i: " UNION { ?s ?p ?o }", " }", LIMIT),
    }


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        with contextlib.suppress(Exception):  # a refusal costs the same; time counts
            fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    empty = ox.Store()
    rows = []
    for name, text in queries().items():
        tokens = _median(lambda t=text: inspect(t, update=False, base=None,  # type: ignore[misc]
                                                max_length=LIMIT, max_depth=64), args.runs)

        def tree(t: str = text) -> None:
            parsed._parse_query.cache_clear()
            parsed.check_query(t, base=None, local=set)

        check = _median(tree, args.runs)
        engine = _median(lambda t=text: list(empty.query(t)),  # type: ignore[misc]
                         args.runs)
        rows.append(f"| {name} | {len(text):,} | {tokens * 1000:.2f} | {check * 1000:.1f} | "
                    f"{engine * 1000:.2f} |")
        print(rows[-1], flush=True)
    text = (
        "# The parse-tree check: what it costs\n\n"
        f"Command: `.venv/bin/python -m bench.bench_parse_check --runs {args.runs}`\n\n"
        f"Median of {args.runs} runs, milliseconds, one process ({platform.machine()}, "
        f"Python {platform.python_version()}); the machine is shared, so figures vary by "
        "tens of percent. Length limit: "
        f"{LIMIT:,} characters (`SURVKG_MAX_QUERY_LENGTH`).\n\n"
        "| query | chars | token filter ms | parse-tree check ms (uncached) | "
        "pyoxigraph parse + run on an empty store ms |\n|---|---:|---:|---:|---:|\n"
        + "\n".join(rows) + "\n\n"
        "Reading the table:\n\n"
        "- pyoxigraph's parser is fast but exposes no tree, and cannot run a query without "
        "its SERVICE client; rdflib's parser gives the tree the check needs, at 10 to "
        "1,000 times the cost.\n"
        "- Everyday queries cost ~1 to 40 ms to check, once per worker (checked texts are "
        "cached). Long texts of many expressions cost seconds, so the check runs in the "
        "query worker, under the query's time limit: a text too costly to check ends like "
        "a query too costly to run (408), and the server keeps answering meanwhile.\n"
    )
    if not args.no_write:
        RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
