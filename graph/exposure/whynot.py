""""Why not": what keeps an organisation and a target apart under the current filters.

The search is repeated with every filter relaxed (all statuses, no date, no confidence
or technology floor, the largest hop bound); each path found that way is checked hop by
hop against the real filters, and every obstacle is reported with the claim it concerns.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from graph.exposure.evidence import entity_ref, known, ref_dict
from graph.exposure.filters import MAX_HOPS_LIMIT, distances_to, failure, overlaps, resolve
from graph.exposure.group import group_of
from graph.exposure.model import Filters, WhyNot
from graph.exposure.paths import best_paths, context, enumerate_paths
from graph.exposure.risk import risk_targets
from graph.namespaces import local_id
from graph.projection import OPEN, Projection

_EXPLAIN = {
    "not-yet-started": "the claim starts after the as-of date",
    "expired": "the claim ended before the as-of date",
    "below-confidence": "the claim's confidence is below the minimum",
    "unverified": "the claim's status does not count by default (use include_unverified)",
    "technology": "the supply's technology does not match the technology filter",
    "beyond-max-hops": "the shortest such path is longer than max_hops",
    "not-in-group": "the path starts at an organisation that is not in the group under "
                    "these filters",
    "outside-group-period": "the supply falls outside the period in which its supplier "
                            "belonged to the group",
}


def why_not(proj: Projection, org: str, target: str, filters: Filters | None = None
            ) -> WhyNot:
    filters = filters or Filters()
    rf = resolve(proj, filters)
    o, t = known(proj, org), known(proj, target)
    ctx = context(proj, rf)
    hits = risk_targets(proj, rf).get(t, [])
    members = group_of(proj, o, rf)
    goal = {t: hits}
    dist = distances_to(ctx.inn, goal, rf.max_hops)
    reachable = bool(best_paths(ctx, [(m.node, m.valid) for m in members], goal, dist))
    reasons: list[dict[str, Any]] = []
    if not hits:
        reasons.append(_target_reason(proj, t, filters))
    if reachable:
        summary = "a path exists under these filters" + ("" if hits else
                                                         ", but the target is not at risk")
        return WhyNot(entity_ref(proj, o), entity_ref(proj, t), filters, True, bool(hits),
                      reasons, summary)
    loose = Filters(max_hops=MAX_HOPS_LIMIT, include_unverified=True)
    lrf = resolve(proj, loose)
    lctx = context(proj, lrf)
    ldist = distances_to(lctx.inn, {t}, lrf.max_hops)
    lmembers = group_of(proj, o, lrf)
    strict = {m.node: m.valid for m in members}
    found, _ = enumerate_paths(
        lctx, [(m.node, m.valid) for m in lmembers], goals={t}, dist=ldist,
        first_ok=lambda e, v: e.requires is None and proj.records[e.rec].kind == "supply",
        cap=500)
    counter: Counter[tuple[str, str, str, str]] = Counter()
    for p in found:
        for item in _obstacles(proj, rf, p, strict):
            counter[item] += 1
    for (reason, rel, a, b), n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        row: dict[str, Any] = {"reason": reason, "detail": _EXPLAIN[reason], "paths": n}
        if rel:
            row["relation"] = ref_dict(proj, rel)
            row["from"], row["to"] = local_id(a), local_id(b)
        reasons.append(row)
    if not found:
        reasons.append({"reason": "no-path", "paths": 0,
                        "detail": f"no chain of supply or participation claims leads from the "
                                  f"group to the target within {MAX_HOPS_LIMIT} hops, "
                                  "whatever the filters"})
    summary = "no path under these filters: " + "; ".join(
        sorted({str(r["reason"]) for r in reasons}))
    return WhyNot(entity_ref(proj, o), entity_ref(proj, t), filters, False, bool(hits),
                  reasons, summary)


def nearest(proj: Projection, org: str, filters: Filters, n: int = 3) -> list[WhyNot]:
    """Why-not for the ``n`` risk targets the group would reach best with every filter
    relaxed and the group periods ignored (what a reader of a score of 0 asks first)."""
    o = known(proj, org)
    lrf = resolve(proj, Filters(max_hops=MAX_HOPS_LIMIT, include_unverified=True))
    lctx = context(proj, lrf)
    starts = [(m.node, [OPEN]) for m in group_of(proj, o, lrf)]
    best = best_paths(lctx, starts)
    order = sorted(best, key=lambda t: (-best[t][0], t))[:n]
    return [why_not(proj, o, t, filters) for t in order]


def _obstacles(proj: Projection, rf: Any, path: Any, strict: dict[str, Any]
               ) -> set[tuple[str, str, str, str]]:
    out: set[tuple[str, str, str, str]] = set()
    first = path[0]
    if first.src not in strict:
        out.add(("not-in-group", "", "", ""))
    elif not overlaps(proj.records[first.rec].span, strict[first.src]):
        out.add(("outside-group-period", first.rec, first.src, first.dst))
    for e in path:
        why = failure(proj, proj.records[e.rec], rf)
        if why:
            out.add((why, e.rec, e.src, e.dst))
    if len(path) > rf.max_hops:
        out.add(("beyond-max-hops", "", "", ""))
    return out


def _target_reason(proj: Projection, t: str, filters: Filters) -> dict[str, Any]:
    loose = resolve(proj, Filters(include_unverified=True))
    if risk_targets(proj, loose).get(t):
        return {"reason": "target-not-at-risk",
                "detail": "the target's risk flags are all excluded by the filters "
                          "(status, date or confidence)"}
    return {"reason": "target-not-at-risk",
            "detail": "no risk indicator reaches the target (no flag on it, on a place it "
                      "is in or on a programme it takes part in)"}
