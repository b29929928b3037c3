"""Exposure of one organisation, of every organisation, suppliers of a target, and paths
between two entities: the operations the CLI and the HTTP API call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from graph.exposure.evidence import entity_ref, known
from graph.exposure.filters import DECAY, Resolved, distances_to, resolve
from graph.exposure.group import Member, group_of, member_model, owners_of
from graph.exposure.model import (
    JSON,
    EntityRef,
    Exposure,
    Filters,
    PathsBetween,
    Ranking,
    RankingEntry,
    SupplierEntry,
    Suppliers,
    TargetScore,
)
from graph.exposure.paths import (
    FORMULA,
    Ctx,
    PathEdges,
    Starts,
    best_paths,
    context,
    enumerate_paths,
    path_model,
    path_score,
    ranked,
    reverse_paths,
    start_ok,
)
from graph.exposure.rank import Score, Start, scores
from graph.exposure.risk import hit_model, risk_targets, severity
from graph.exposure.summary import summarise
from graph.exposure.whynot import nearest
from graph.projection import Edge, Interval, Projection

WORDING = ("Paths show what the evidence listed reports along each hop: technology "
           "supplied, or a market presence such as a listing; they do not show how it was "
           "used.")


def _starts(members: list[Member]) -> Starts:
    return [(m.node, m.valid) for m in members]


def _score(ctx: Ctx, best: dict[str, tuple[float, PathEdges]]
           ) -> tuple[float, list[tuple[str, float, float]]]:
    rows = [(t, severity(ctx.proj, ctx.targets[t]), v) for t, (v, _) in best.items()]
    rows.sort(key=lambda r: (-r[1] * r[2], r[0]))
    return sum(s * v for _, s, v in rows), rows


def exposure(proj: Projection, iri: str, filters: Filters | None = None, *,
             explain: bool = True) -> Exposure:
    """Every exposure path from ``iri``'s group to a risk target, scored and explained.

    Score: for each risk target T reached, severity(T) x the best path value to T, where
    a path's value is the product of the confidence weights of its distinct claims x
    DECAY^(hops-1); the total is the sum over targets (docs/exposure.md).
    ``explain=False`` leaves out the summary, today's score and the why-not of a score 0
    (portfolio screening needs only the figures).
    """
    filters = filters or Filters()
    rf = resolve(proj, filters)
    org = known(proj, iri)
    ctx = context(proj, rf)
    members = group_of(proj, org, rf)
    starts = _starts(members)
    best = best_paths(ctx, starts)
    total, rows = _score(ctx, best)
    found, truncated = enumerate_paths(
        ctx, starts, goals=ctx.targets, dist=ctx.dist,
        first_ok=lambda e, valid: start_ok(proj, e, valid))
    counts: dict[str, int] = defaultdict(int)
    for p in found:
        counts[p[-1].dst] += 1
    listed = list(dict.fromkeys([b for _, b in best.values()]))
    listed = list(ranked(ctx, listed))
    keep = set(listed)
    listed += [p for p in ranked(ctx, found, filters.max_paths + len(keep)) if p not in keep]
    paths = [path_model(ctx, p) for p in listed[:filters.max_paths]]
    targets = [TargetScore(entity_ref(proj, t), sev, round(v, 6), round(sev * v, 6),
                           counts.get(t, 0)) for t, sev, v in rows]
    terms = {"formula": "sum over targets of severity x best path value; path value = "
                        + FORMULA.replace("severity x ", ""),
             "decay": DECAY,
             "targets": [t.to_dict() for t in targets], "total": round(total, 6)}
    result = Exposure(
        subject=entity_ref(proj, org), group=[member_model(proj, m) for m in members],
        score=round(total, 6), score_terms=terms, filters=filters, targets=targets,
        paths=paths, total_paths=len(found), truncated=truncated, wording=WORDING,
        current=None if filters.as_of or not explain else _current(proj, org, filters),
        nearest=[] if targets or not explain else nearest(proj, org, filters))
    return replace(result, summary=summarise(result)) if explain else result


def _current(proj: Projection, org: str, filters: Filters) -> JSON:
    """Score and targets as of today: what still holds, beside what ever held."""
    today = date.today().isoformat()
    rf = resolve(proj, replace(filters, as_of=today))
    ctx = context(proj, rf)
    total, rows = _score(ctx, best_paths(ctx, _starts(group_of(proj, org, rf))))
    return {"as_of": today, "score": round(total, 6),
            "targets": [entity_ref(proj, t).to_dict() for t, _, _ in rows]}


def exporters(proj: Projection, rf: Resolved) -> list[str]:
    """Organisations that supply anything (under the filters)."""
    ctx = context(proj, rf)
    return sorted(n for n, es in ctx.out.items()
                  if any(e.requires is None and proj.records[e.rec].kind == "supply"
                         for e in es))


#: Computes every organisation's score parts from the context and the groups' starts:
#: :func:`graph.exposure.rank.scores` in process, or :mod:`graph.spark` on Spark.
Scorer = Callable[[Ctx, dict[str, list[Start]]], tuple[dict[str, Score], list[str]]]


def ranking(proj: Projection, filters: Filters | None = None, limit: int | None = None,
            scorer: Scorer = scores) -> Ranking:
    """Every organisation with a non-zero score, highest first (score only, no paths).

    Candidates are the suppliers and every organisation whose group contains one. The
    scores are those :func:`exposure` gives (same floats); the search is shared by all
    organisations (:mod:`graph.exposure.rank`, or ``scorer``: the same product on
    Spark, :mod:`graph.spark`).
    """
    filters = filters or Filters()
    rf = resolve(proj, filters)
    ctx = context(proj, rf)
    sources = [n for n in exporters(proj, rf) if n in ctx.dist]
    candidates = set(sources)
    for s in sources:
        candidates.update(owners_of(proj, s, rf))
    groups: dict[str, list[tuple[str, tuple[Interval, ...]]]] = {}
    sizes: dict[str, int] = {}
    for org in sorted(candidates):
        members = group_of(proj, org, rf)
        sizes[org] = len(members)
        groups[org] = [(m.node, tuple(m.valid)) for m in members if m.node in ctx.dist]
    parts, tids = scorer(ctx, groups)
    entries = []
    for org, sc in parts.items():
        entries.append(RankingEntry(entity_ref(proj, org), round(sc.total(), 6), sc.targets(),
                                    sizes[org], entity_ref(proj, tids[sc.top()])))
    entries.sort(key=lambda e: (-e.score, e.subject.id))
    return Ranking(filters, entries[:limit] if limit else entries)


def suppliers(proj: Projection, iri: str, filters: Filters | None = None) -> Suppliers:
    """Which suppliers feed ``iri`` (an end user or programme), by which paths."""
    filters = filters or Filters()
    rf = resolve(proj, filters)
    target = known(proj, iri)
    ctx = context(proj, rf)
    found, truncated = reverse_paths(ctx, target)
    hits = risk_targets(proj, rf).get(target, [])
    sev = severity(proj, hits)
    by_supplier: dict[str, list[PathEdges]] = defaultdict(list)
    for p in found:
        by_supplier[p[0].src].append(p)
    entries = []
    for s, ps in by_supplier.items():
        best = max(path_score(proj, p, sev) for p in ps)
        entries.append(SupplierEntry(entity_ref(proj, s),
                                     [entity_ref(proj, o) for o in owners_of(proj, s, rf)],
                                     round(best, 6), len(ps)))
    entries.sort(key=lambda e: (-e.score, -e.paths, e.supplier.id))
    paths = [path_model(ctx, p) for p in ranked(ctx, found, filters.max_paths)]
    return Suppliers(entity_ref(proj, target), [hit_model(proj, h) for h in hits], filters,
                     entries, paths, len(found), truncated)


def paths_between(proj: Projection, a: str, b: str, filters: Filters | None = None
                  ) -> PathsBetween:
    """Every simple path of at most max_hops hops from ``a`` to ``b`` over supply and
    participation hops (no group expansion; any first hop)."""
    filters = filters or Filters()
    rf = resolve(proj, filters)
    src, dst = known(proj, a), known(proj, b)
    ctx = context(proj, rf)
    dist = distances_to(ctx.inn, {dst}, rf.max_hops)

    def first(e: Edge, valid: list[Interval]) -> bool:
        return e.requires is None

    found, truncated = enumerate_paths(ctx, [(src, [])], goals={dst}, dist=dist,
                                       first_ok=first)
    paths = [path_model(ctx, p) for p in ranked(ctx, found, filters.max_paths)]
    return PathsBetween(entity_ref(proj, src), entity_ref(proj, dst), filters, paths,
                        len(found), truncated)


__all__ = ["WORDING", "EntityRef", "exporters", "exposure", "paths_between", "ranking",
           "suppliers"]
