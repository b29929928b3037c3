"""The tables a Spark ranking reads, written once to Parquet by the driver.

Spark gets integer ids, not IRIs: joins and shuffles on 4-byte ints are several times
cheaper than on 60-byte strings, and the dictionary (``nodes``) turns them back. Ids are
given in sorted IRI order, so the smallest id of a set of targets is also its smallest
IRI (the ranking names the first target in IRI order among the top contributions).

Nothing is re-derived here: the hops are the projection's filtered adjacency (whose
edges come from the ontology's ``skg:exposureRole`` annotations, read by
:mod:`graph.projection`), the claim weights are :meth:`Projection.weight`, the groups and
risk targets and the distances to them are those the in-process ranking computes
(:func:`graph.exposure.paths.context` builds them on the driver in any case; the groups
and targets are small: one row per organisation and member, one per target), so the two
engines cannot disagree on what a hop, a group or a target is. Only the product over the
hops, which grows with organisations x reachable states, is left to Spark.

Tables (``*.parquet`` in one folder, which every executor must be able to read):

* ``nodes(id, iri)``: the dictionary;
* ``hops(src, dst, claim, need, weight, supply, lo, hi, lands, dd)``: one row per
  filtered hop whose head can reach a target in fewer than ``max_hops`` hops (``dd``:
  fewest hops from the head to a target, the pruning map the in-process search uses);
  ``need`` is the claim the hop continues (-1 for a free hop), ``supply`` whether a
  path may start with it, ``lo``/``hi`` its claim's span (proleptic ordinals), ``lands``
  whether its head has a hop continuing its claim (the search must then remember it);
* ``units(unit, org, goal)``: the starting sets: each organisation's group (``goal``
  -1), and per member that is itself a target the group without it, read at that target
  only (``goal``: the rule that a path never ends where it started);
* ``starts(unit, node, lo, hi)``: a unit's members with each period they belong to it;
* ``targets(node, severity)``: the risk targets and their severities.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.exposure.paths import Ctx, continuations
from graph.exposure.rank import Start, start_units
from graph.exposure.risk import severity

#: The tables, in the order they are written.
TABLES = ("nodes", "hops", "units", "starts", "targets")


@dataclass(frozen=True)
class Exported:
    """Where the tables are, and the dictionary to turn ids back into IRIs."""

    folder: Path
    iris: list[str]
    hops: int
    units: int

    def path(self, table: str) -> str:
        return str(self.folder / f"{table}.parquet")


def _write(folder: Path, name: str, columns: dict[str, tuple[str, list[Any]]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    types = {"int": pa.int32(), "long": pa.int64(), "double": pa.float64(),
             "bool": pa.bool_(), "str": pa.string()}
    table = pa.table({k: pa.array(v, type=types[t]) for k, (t, v) in columns.items()})
    pq.write_table(table, folder / f"{name}.parquet")


def export(ctx: Ctx, groups: dict[str, list[Start]], folder: Path) -> Exported:
    """Write the five tables for ``ctx`` (the filters' hops and targets) and ``groups``
    (organisation -> its group's starts, as the in-process ranking gets them)."""
    folder.mkdir(parents=True, exist_ok=True)
    proj = ctx.proj
    names = set(ctx.out) | set(ctx.targets) | set(groups)
    for es in ctx.out.values():
        names.update(e.dst for e in es)
    for members in groups.values():
        names.update(node for node, _ in members)
    iris = sorted(names)
    ids = {iri: i for i, iri in enumerate(iris)}
    _write(folder, "nodes", {"id": ("int", list(range(len(iris)))), "iri": ("str", iris)})
    claim_ids: dict[str, int] = {}
    cont = continuations(ctx)
    cols: dict[str, list[Any]] = {k: [] for k in
                                  ("src", "dst", "claim", "need", "weight", "supply",
                                   "lo", "hi", "lands", "dd")}
    dist = ctx.dist
    for src, es in ctx.out.items():
        for e in es:
            dd = dist.get(e.dst)
            if dd is None or dd >= ctx.rf.max_hops:  # its head reaches no target in time
                continue
            rec = proj.records[e.rec]
            claim = claim_ids.setdefault(e.rec, len(claim_ids))
            need = -1 if e.requires is None else claim_ids.setdefault(e.requires,
                                                                       len(claim_ids))
            lo, hi = rec.span
            cols["src"].append(ids[src])
            cols["dst"].append(ids[e.dst])
            cols["claim"].append(claim)
            cols["need"].append(need)
            cols["weight"].append(proj.weight(e.rec))
            cols["supply"].append(e.requires is None and rec.kind == "supply")
            cols["lo"].append(lo.toordinal())
            cols["hi"].append(hi.toordinal())
            cols["lands"].append(e.rec in cont.get(e.dst, ()))
            cols["dd"].append(dd)
    kinds = {"src": "int", "dst": "int", "claim": "int", "need": "int", "weight": "double",
             "supply": "bool", "lo": "int", "hi": "int", "lands": "bool", "dd": "int"}
    _write(folder, "hops", {k: (kinds[k], v) for k, v in cols.items()})
    n_hops = len(cols["src"])
    del cols
    unit_cols: dict[str, list[int]] = {"unit": [], "org": [], "goal": []}
    start_cols: dict[str, list[int]] = {"unit": [], "node": [], "lo": [], "hi": []}
    for unit in (u for us in start_units(groups, ctx.targets) for u in us):
        org, left_out, members = unit
        uid = len(unit_cols["unit"])
        unit_cols["unit"].append(uid)
        unit_cols["org"].append(ids[org])
        unit_cols["goal"].append(-1 if left_out is None else ids[left_out])
        for node, periods in members:
            for lo, hi in periods:
                start_cols["unit"].append(uid)
                start_cols["node"].append(ids[node])
                start_cols["lo"].append(lo.toordinal())
                start_cols["hi"].append(hi.toordinal())
    _write(folder, "units", {k: ("int", v) for k, v in unit_cols.items()})
    _write(folder, "starts", {k: ("int", v) for k, v in start_cols.items()})
    tnodes = sorted(ctx.targets)
    _write(folder, "targets", {
        "node": ("int", [ids[t] for t in tnodes]),
        "severity": ("double", [severity(proj, ctx.targets[t]) for t in tnodes])})
    return Exported(folder, iris, n_hops, len(unit_cols["unit"]))
