"""Scaling exponents and extrapolations from the recorded engine benchmarks.

docs/scaling.md answers "which engine, on how large a machine, at a billion triples?"
from figures measured here at 1M and 10M triples. This module is where those answers
are computed, so that the doc's numbers can be re-derived from ``bench/results`` after
every new run instead of being worked out by hand:

- ``spark-ranking.json`` (``bench.bench_spark_ranking``): the ranking of every
  organisation in process and on Spark ``local[2]``;
- ``frontier.json``, ``frontier-10m.json`` (``bench.bench_frontier``): one
  organisation's exposure by frontier expansion over ``oxigraph serve`` and in memory;
- ``store-servers.json`` (``bench.bench_store_servers``): load time, disk and memory of
  the embedded store, ``oxigraph load`` and Virtuoso's bulk loader.

For a quantity measured at two sizes the scaling exponent is ``k = log(v2 / v1) /
log(n2 / n1)`` (1 is linear) and the extrapolation to size ``n`` is ``v2 * (n / n2)**k``.
Two points fix a power law and nothing more: the figures come from a shared two-core
machine (each source file records its load average), so the exponents carry that noise
and the extrapolations are orders of magnitude, which is how docs/scaling.md uses them.

    python -m bench.scaling            # writes bench/results/scaling.md
    python -m bench.scaling --run --store 1m=DIR --store 10m=DIR --nt 1m=F --nt 10m=F
        # first runs the three benches, one after the other, on the same stores and files
        # (the stores: embedded survkg stores; the files: their N-Triples)
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
#: Sizes the extrapolations are given for: the deployment plan's two targets.
TARGETS = (1_000_000_000, 10_000_000_000)
SIZE = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000, "30m": 30_000_000}


@dataclass(frozen=True)
class Series:
    """One quantity of one engine measured at two or more sizes (triples -> value)."""

    what: str
    engine: str
    unit: str
    points: tuple[tuple[int, float], ...]

    @property
    def exponent(self) -> float | None:
        """The power-law exponent between the two largest sizes measured."""
        pts = sorted(p for p in self.points if p[1] > 0)
        if len(pts) < 2:
            return None
        (n1, v1), (n2, v2) = pts[-2], pts[-1]
        return math.log(v2 / v1) / math.log(n2 / n1)

    def at(self, n: int) -> float | None:
        """The value extrapolated to ``n`` triples from the largest size measured."""
        k = self.exponent
        if k is None:
            return None
        n2, v2 = max(self.points)
        return v2 * (n / n2) ** k


def _load(name: str) -> Any:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def spark_series() -> list[Series]:
    """Ranking time and peak memory, in process and on Spark local[2]."""
    data = _load("spark-ranking.json")
    if not data:
        return []
    out: list[Series] = []
    for engine in ("in-process", "spark"):
        rows = [r for r in data["rows"] if r["engine"] == engine and r["store"] in SIZE]
        for key, what, unit in (("ranking_s", "ranking of every organisation", "s"),
                                ("total_s", "ranking, whole command", "s"),
                                ("peak_mb", "ranking, peak memory", "MB")):
            pts = tuple((SIZE[r["store"]], float(r[key])) for r in rows if r.get(key))
            out.append(Series(what, engine if engine != "spark" else "Spark local[2]",
                              unit, pts))
    return out


def frontier_series() -> list[Series]:
    """One organisation's exposure: frontier expansion vs in-memory (build + call)."""
    rows = [*(_load("frontier.json") or []), *(_load("frontier-10m.json") or [])]
    series: dict[tuple[str, str, str], list[tuple[int, float]]] = {}
    for store in rows:
        n = int(store.get("triples") or store.get("quads_in_store") or 0)
        for who, row in store.items():
            if not isinstance(row, dict) or "frontier_s" not in row:
                continue
            for key, engine, unit in (("frontier_s", "frontier over oxigraph serve", "s"),
                                      ("in_memory_total_s", "in memory (build + call)", "s"),
                                      ("frontier_requests", "frontier over oxigraph serve",
                                       "requests"),
                                      ("frontier_quads", "frontier over oxigraph serve",
                                       "quads fetched")):
                if key in row:
                    series.setdefault((f"exposure, {who}", engine, unit), []).append(
                        (n, float(row[key])))
    return [Series(w, e, u, tuple(p)) for (w, e, u), p in series.items()]


def load_series() -> list[Series]:
    """Load time, disk and peak memory of each store engine."""
    data = _load("store-servers.json")
    if not data:
        return []
    series: dict[tuple[str, str, str], list[tuple[int, float]]] = {}
    for run in data:
        n = int(run["triples"])
        for e in run["engines"]:
            for key, what, unit, scale in (("load_s", "load", "s", 1.0),
                                           ("disk", "disk", "MB", 1e-6),
                                           ("peak_rss", "load, peak memory", "MB", 1e-6)):
                if e.get(key):
                    # A Virtuoso database starts at ~55 MB: the data's share scales.
                    base = float(e.get("disk_empty_db", 0)) if key == "disk" else 0.0
                    series.setdefault((what, e["engine"], unit), []).append(
                        (n, (float(e[key]) - base) * scale))
    return [Series(w, e, u, tuple(p)) for (w, e, u), p in series.items()]


def crossover(a: Series, b: Series) -> float | None:
    """The size at which ``a`` and ``b`` (two engines, the same quantity) cost the same,
    on their two power laws; None when they never meet beyond the sizes measured."""
    ka, kb = a.exponent, b.exponent
    if ka is None or kb is None or ka == kb:
        return None
    (na, va), (nb, vb) = max(a.points), max(b.points)
    # va * (n/na)**ka == vb * (n/nb)**kb, solved for n
    log_n = (math.log(vb) - math.log(va) + ka * math.log(na) - kb * math.log(nb)) / (ka - kb)
    n = math.exp(log_n)
    return n if n > max(na, nb) else None


def crossovers(series: list[Series]) -> list[str]:
    """Lines naming, for each quantity measured on two engines, where they cross."""
    by_what: dict[tuple[str, str], list[Series]] = {}
    for s in series:
        by_what.setdefault((s.what, s.unit), []).append(s)
    lines = []
    for (what, unit), group in by_what.items():
        if unit != "s" or len(group) != 2:
            continue
        a, b = group
        ka, kb = a.exponent, b.exponent
        if ka is None or kb is None:
            continue
        n = crossover(a, b)
        if n is None:
            top = max(max(a.points)[0], max(b.points)[0])
            faster = a.engine if (a.at(top) or 0) < (b.at(top) or 0) else b.engine
            lines.append(f"- {what}: {a.engine} (k {ka:.2f}) vs {b.engine} (k {kb:.2f}): "
                         f"no crossing beyond the sizes measured; {faster} stays faster.")
            continue
        cheaper_later = a.engine if ka < kb else b.engine
        lines.append(f"- {what}: {a.engine} (k {ka:.2f}) and {b.engine} (k {kb:.2f}) "
                     f"cost the same at ~{_n(int(n))} triples; beyond it "
                     f"{cheaper_later} is faster.")
    return lines


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "s":
        if v >= 86_400:
            return f"{v / 86_400:,.1f} d"
        if v >= 3_600:
            return f"{v / 3_600:,.1f} h"
        return f"{v:,.1f} s"
    if unit == "MB":
        return f"{v / 1000:,.1f} GB" if v >= 1000 else f"{v:,.0f} MB"
    return f"{v:,.0f}"


def render(groups: Iterable[tuple[str, list[Series]]],
           sizes: Callable[[Series], str] | None = None) -> str:
    lines = ["# Scaling exponents and extrapolations", "",
             "Computed by `python -m bench.scaling` from `bench/results/spark-ranking.json`, "
             "`frontier.json` and `store-servers.json` (their own pages give the commands, the "
             "machine and its load average). Exponent k between the two largest sizes "
             "measured (1 = linear); extrapolation = value at the largest size x "
             "(n / that size)^k. Two points on a shared two-core machine: read the "
             "extrapolations as orders of magnitude.", ""]
    for title, series in groups:
        if not series:
            lines += [f"## {title}", "", "(no results recorded)", ""]
            continue
        lines += [f"## {title}", "",
                  "| quantity | engine | measured | k | at 1B | at 10B |",
                  "|---|---|---|---:|---:|---:|"]
        for s in series:
            measured = ", ".join(f"{_n(n)}: {_fmt(v, s.unit)}" for n, v in sorted(s.points))
            k = s.exponent
            lines.append(f"| {s.what} ({s.unit}) | {s.engine} | {measured} | "
                         f"{'-' if k is None else f'{k:.2f}'} | "
                         f"{_fmt(s.at(TARGETS[0]), s.unit)} | "
                         f"{_fmt(s.at(TARGETS[1]), s.unit)} |")
        lines.append("")
        found = crossovers(series)
        if found:
            lines += ["Crossovers (on the two power laws above):", "", *found, ""]
    return "\n".join(lines)


def _n(n: int) -> str:
    if n >= 1_000_000_000:
        return f"{n / 1e9:.3g}B"
    return f"{n / 1e6:.3g}M" if n >= 1_000_000 else f"{n / 1e3:.3g}k"


def run_benches(stores: list[str], files: list[str]) -> None:
    """The three benches in one command, each as its own process (peak memory is its own);
    each writes its results file, which :func:`main` then reads."""
    py = [sys.executable, "-m"]
    by_size = [s.split("=", 1) for s in stores]
    steps = [[*py, "bench.bench_spark_ranking", *(a for s in stores for a in ("--store", s))],
             *([*py, "bench.bench_frontier", "--store", path,
                "--name", "frontier" if size == "1m" else f"frontier-{size}"]
               for size, path in by_size),
             [*py, "bench.bench_store_servers", *(a for f in files
                                                   for a in ("--file", f.split("=", 1)[-1]))]]
    for cmd in steps:
        print("$", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", action="store_true", help="run the three benches first")
    ap.add_argument("--store", action="append", default=[], help="SIZE=embedded store dir")
    ap.add_argument("--nt", action="append", default=[], help="SIZE=N-Triples file")
    args = ap.parse_args()
    if args.run:
        run_benches(args.store, args.nt)
    text = render([("Ranking of every organisation", spark_series()),
                   ("Exposure of one organisation", frontier_series()),
                   ("Loading a store", load_series())])
    (RESULTS / "scaling.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
