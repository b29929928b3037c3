"""Bounded path search over the filtered projection.

Two searches share one pruning map, the reverse-BFS distance from every node to the
nearest goal (:func:`graph.exposure.filters.distances_to`): an edge is followed only if
its head can still reach a goal within the hops left, so nothing outside the goals'
``max_hops`` neighbourhood is ever visited.

* :func:`best_paths`: for every goal, the best path score (a layered max-product
  dynamic programme, exact and fast; used for every score and for the ranking);
* :func:`enumerate_paths`: the simple paths themselves (depth-first, capped), for the
  evidence chains a result lists.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graph.exposure.control import control_at_time, control_status
from graph.exposure.evidence import (
    alternatives_of,
    confidence_of,
    entity_ref,
    evidence_of,
    link_of,
    ref_dict,
    reliability_of,
    responses_to,
    status_of,
)
from graph.exposure.filters import DECAY, Resolved, adjacency, distances_to, overlaps
from graph.exposure.model import Hop, Path
from graph.exposure.risk import Hit, risk_targets, severity, target_model
from graph.namespaces import local_id
from graph.projection import OPEN, Edge, Interval, Projection

#: At most this many paths are enumerated per call (scores do not depend on it).
ENUMERATION_CAP = 20_000

PathEdges = tuple[Edge, ...]
Starts = list[tuple[str, list[Interval]]]
FORMULA = ("severity x product of the confidence weights (x link weights) of the distinct "
           f"claims on the path x {DECAY}^(hops - 1)")


@dataclass
class Ctx:
    proj: Projection
    rf: Resolved
    out: dict[str, list[Edge]]
    inn: dict[str, list[Edge]]
    targets: dict[str, list[Hit]]
    dist: dict[str, int]


def context(proj: Projection, rf: Resolved) -> Ctx:
    out, inn = adjacency(proj, rf)
    targets = risk_targets(proj, rf)
    key = ("dist", rf.filters.as_of, rf.filters.min_confidence, rf.filters.technology,
           rf.include_unverified, rf.max_hops)
    if key not in proj.cache:
        proj.cache[key] = distances_to(inn, targets, rf.max_hops)
    ctx = Ctx(proj, rf, out, inn, targets, proj.cache[key])
    continuations(ctx)  # built once per filter set, with the split adjacency
    return ctx


def continuations(ctx: Ctx) -> dict[str, frozenset[str]]:
    """Node -> the claims that have a hop out of it continuing that claim's previous hop
    (so a search must remember the claim it arrived by), for the filtered adjacency."""
    key = ("cont", id(ctx.out))
    got = ctx.proj.cache.get(key)
    if got is None or got[0] is not ctx.out:
        cont: dict[str, set[str]] = {}
        for node, rec in split_edges(ctx)[1]:
            cont.setdefault(node, set()).add(rec)
        got = ctx.proj.cache[key] = (ctx.out, {n: frozenset(v) for n, v in cont.items()})
    result: dict[str, frozenset[str]] = got[1]
    return result


def split_edges(ctx: Ctx) -> tuple[dict[str, list[Edge]], dict[tuple[str, str], list[Edge]],
                                   dict[Edge, int]]:
    """The filtered out-edges split into free hops (``requires`` None) per node and
    continuation hops per (node, claim they continue), each in adjacency order: a search
    state that arrived by claim S may take the free hops and the continuations of S only,
    so it never scans a reseller's continuations of other claims. The third map gives
    each edge's position in its node's adjacency list (to merge in the original order)."""
    key = ("split", id(ctx.out))
    got = ctx.proj.cache.get(key)
    if got is None or got[0] is not ctx.out:
        free: dict[str, list[Edge]] = {}
        follow: dict[tuple[str, str], list[Edge]] = {}
        pos: dict[Edge, int] = {}
        for node, es in ctx.out.items():
            for i, e in enumerate(es):
                pos[e] = i
                if e.requires is None:
                    free.setdefault(node, []).append(e)
                else:
                    follow.setdefault((node, e.requires), []).append(e)
        got = ctx.proj.cache[key] = (ctx.out, free, follow, pos)
    return got[1], got[2], got[3]


def edge_factor(proj: Projection, e: Edge) -> float:
    """A hop that continues the previous hop's claim adds no new confidence term."""
    return 1.0 if e.requires is not None else proj.weight(e.rec)


def start_ok(proj: Projection, e: Edge, valid: list[Interval]) -> bool:
    return (e.requires is None and proj.records[e.rec].kind == "supply"
            and overlaps(proj.records[e.rec].span, valid))


def best_paths(ctx: Ctx, starts: Starts, goals: dict[str, list[Hit]] | None = None,
               dist: dict[str, int] | None = None) -> dict[str, tuple[float, PathEdges]]:
    """Goal -> (best confidence product x decay, one path achieving it).

    Layered DP over states (node, claim of the last hop when the node has hops that must
    continue that claim). Cycles never raise a product (weights <= 1, decay < 1), so the
    best walk is a simple path.
    """
    proj, hmax = ctx.proj, ctx.rf.max_hops
    goals = ctx.targets if goals is None else goals
    dist = ctx.dist if dist is None else dist
    big = hmax + 1
    # A path never ends where it started (paths are simple): a goal that is also a
    # start is scored from the other starts only, in a second, separate search.
    own = {node for node, _ in starts if node in goals}
    State = tuple[str, str | None]
    layer: dict[State, tuple[float, PathEdges]] = {}

    cont = continuations(ctx)

    def state(e: Edge) -> State:
        return (e.dst, e.rec if e.rec in cont.get(e.dst, ()) else None)

    free, follow, pos = split_edges(ctx)
    pruned: dict[tuple[str, int], list[Edge]] = {}

    def edges_to(node: str, left: int) -> list[Edge]:
        got = pruned.get((node, left))
        if got is None:
            got = pruned[(node, left)] = [e for e in free.get(node, ())
                                          if dist.get(e.dst, big) <= left]
        return got

    for node, valid in starts:
        for e in edges_to(node, hmax - 1):
            if start_ok(proj, e, valid):
                w, k = proj.weight(e.rec), state(e)
                if w > layer.get(k, (-1.0, ()))[0]:
                    layer[k] = (w, (e,))
    best: dict[str, tuple[float, PathEdges]] = {}
    for h in range(1, hmax + 1):
        factor = DECAY ** (h - 1)
        for (node, _), (val, edges) in layer.items():
            if node in goals and node not in own and \
                    val * factor > best.get(node, (-1.0, ()))[0]:
                best[node] = (val * factor, edges)
        if h == hmax:
            break
        nxt: dict[State, tuple[float, PathEdges]] = {}
        left = hmax - h - 1
        for (node, pending), (val, edges) in layer.items():
            allowed = edges_to(node, left)
            if pending is not None and (node, pending) in follow:
                more = [e for e in follow[(node, pending)] if dist.get(e.dst, big) <= left]
                if more:
                    allowed = sorted(allowed + more, key=pos.__getitem__)
            for e in allowed:
                w, k = val * edge_factor(proj, e), state(e)
                if w > nxt.get(k, (-1.0, ()))[0]:
                    nxt[k] = (w, (*edges, e))
        layer = nxt
    for g in sorted(own):
        others = [st for st in starts if st[0] != g]
        if others:
            best.update(best_paths(ctx, others, {g: goals[g]}, dist))
    return best


def _pruned_free(ctx: Ctx, dist: dict[str, int]) -> dict[tuple[str, int], list[Edge]]:
    """A cache of (node, hops left) -> free out-edges whose head can still reach a goal
    of ``dist`` in the hops left; shared by every search over the context's own map."""
    if dist is not ctx.dist:
        return {}
    key = ("pruned-free", id(dist))
    got = ctx.proj.cache.get(key)
    if got is None or got[0] is not dist:
        got = ctx.proj.cache[key] = (dist, {})
    cache: dict[tuple[str, int], list[Edge]] = got[1]
    return cache


def enumerate_paths(ctx: Ctx, starts: Starts, *, goals: set[str] | dict[str, list[Hit]],
                    dist: dict[str, int], first_ok: Callable[[Edge, list[Interval]], bool],
                    cap: int = ENUMERATION_CAP) -> tuple[list[PathEdges], bool]:
    """Every simple path of at most max_hops hops from a start to a goal (up to ``cap``).

    A first hop is always a free hop (``requires`` None) that ``first_ok`` accepts; after
    a hop of claim S the search takes the free hops and the continuations of S, in
    adjacency order (so the paths, and which ones a capped search finds, do not depend
    on the split)."""
    hmax, big = ctx.rf.max_hops, ctx.rf.max_hops + 1
    free, follow, pos = split_edges(ctx)
    pruned = _pruned_free(ctx, dist)
    found: list[PathEdges] = []
    seen: set[PathEdges] = set()

    def allowed(node: str, left: int, prev: Edge | None) -> list[Edge]:
        got = pruned.get((node, left))
        if got is None:
            got = pruned[(node, left)] = [e for e in free.get(node, ())
                                          if dist.get(e.dst, big) <= left]
        if prev is not None:
            more = follow.get((node, prev.rec))
            if more:
                extra = [e for e in more if dist.get(e.dst, big) <= left]
                if extra:
                    return sorted(got + extra, key=pos.__getitem__)
        return got

    def walk(node: str, valid: list[Interval], edges: list[Edge], on: set[str]) -> bool:
        left = hmax - len(edges) - 1
        prev = edges[-1] if edges else None
        for e in allowed(node, left, prev):
            dst = e.dst
            if dst in on:
                continue
            if prev is None and not first_ok(e, valid):
                continue
            edges.append(e)
            if dst in goals:
                t = tuple(edges)
                if t not in seen:
                    seen.add(t)
                    found.append(t)
                    if len(found) >= cap:
                        return True
            if left > 0:
                on.add(dst)
                stop = walk(dst, valid, edges, on)
                on.discard(dst)
            else:
                stop = False
            edges.pop()
            if stop:
                return True
        return False

    truncated = False
    for node, valid in starts:
        if dist.get(node, big) <= hmax and walk(node, valid, [], {node}):
            truncated = True
            break
    return found, truncated


def reverse_paths(ctx: Ctx, goal: str, cap: int = ENUMERATION_CAP
                  ) -> tuple[list[PathEdges], bool]:
    """Every simple path of at most max_hops hops that ends at ``goal`` and begins with a
    supply by its first node (depth-first over in-edges)."""
    proj, hmax = ctx.proj, ctx.rf.max_hops
    found: list[PathEdges] = []

    def walk(node: str, edges: list[Edge], on: set[str]) -> bool:
        nxt = edges[0] if edges else None
        for e in ctx.inn.get(node, ()):
            if e.src in on or (nxt is not None and nxt.requires is not None
                               and nxt.requires != e.rec):
                continue
            path = [e, *edges]
            if start_ok(proj, e, [OPEN]):
                found.append(tuple(path))
                if len(found) >= cap:
                    return True
            if len(path) < hmax:
                on.add(e.src)
                stop = walk(e.src, path, on)
                on.discard(e.src)
                if stop:
                    return True
        return False

    truncated = walk(goal, [], {goal})
    return found, truncated


def path_terms(proj: Projection, edges: PathEdges, sev: float) -> dict[str, object]:
    conf = [{"relation": local_id(e.rec), "weight": proj.weight(e.rec),
             "link": proj.records[e.rec].link_kind if proj.records[e.rec].kind == "supply"
             else proj.records[e.rec].kind, "link_weight": proj.records[e.rec].link_weight}
            for e in edges if e.requires is None]
    product = 1.0
    for c in conf:
        product *= float(str(c["weight"]))
    hops = len(edges)
    factor = DECAY ** (hops - 1)
    return {"formula": FORMULA, "severity": sev, "confidence": conf,
            "confidence_product": round(product, 6), "hops": hops, "decay": DECAY,
            "decay_factor": round(factor, 6), "score": round(sev * product * factor, 6)}


def path_score(proj: Projection, edges: PathEdges, sev: float) -> float:
    product = 1.0
    for e in edges:
        product *= edge_factor(proj, e)
    return sev * product * DECAY ** (len(edges) - 1)


def hop_model(proj: Projection, e: Edge) -> Hop:
    """The reader-facing hop (built once per edge: it does not depend on the filters)."""
    key = ("hop", e)
    got = proj.cache.get(key)
    if got is None:
        got = proj.cache[key] = _hop_model(proj, e)
    assert isinstance(got, Hop)
    return got


def _hop_model(proj: Projection, e: Edge) -> Hop:
    r = proj.supply_record(e.rec)
    product = ref_dict(proj, r.products[0]) if r.products else None
    reliability = reliability_of(proj, e.rec)
    return Hop(
        from_=local_id(e.src), to=local_id(e.dst),
        relation={**ref_dict(proj, e.rec), "kind": r.link_kind if r.kind == "supply"
                  else r.kind}, role=e.role, product=product,
        technology=[ref_dict(proj, t) for t in sorted(r.technologies)],
        date={"date": r.date, "start": r.start, "end": r.end},
        status=status_of(proj, e.rec), counts=proj.counts(e.rec),
        confidence=confidence_of(proj, e.rec), evidence=evidence_of(proj, e.rec),
        responses=responses_to(proj, e.rec), link=link_of(proj, e.rec),
        alternatives=alternatives_of(proj, e.rec), reliability=reliability)


def path_model(ctx: Ctx, edges: PathEdges) -> Path:
    proj = ctx.proj
    end = edges[-1].dst
    hits = ctx.targets.get(end, [])
    sev = severity(proj, hits)
    hops = [hop_model(proj, e) for e in edges]
    nodes = [entity_ref(proj, edges[0].src)] + [entity_ref(proj, e.dst) for e in edges]
    techs = {t for e in edges for t in proj.supply_record(e.rec).technologies}
    terms = path_terms(proj, edges, sev)
    target_counts = all(proj.counts(h.flag) for h in hits) if hits else True
    warnings = [f"{h.from_} -> {h.to} [{h.relation['id']}]: {h.reliability['warning']}"
                for h in hops if h.reliability.get("warning")]
    return Path(nodes=nodes, hops=hops, target=target_model(proj, end, hits),
                control_status=control_status(proj, techs),
                score=float(str(terms["score"])), score_terms=terms,
                counts=all(h.counts for h in hops) and target_counts,
                control_status_at_time=control_at_time(proj, edges[0].rec, techs),
                warnings=warnings)


def ranked(ctx: Ctx, paths: list[PathEdges], limit: int | None = None
           ) -> Iterator[PathEdges]:
    """Paths best first (score, then fewer hops, then ids, so output is stable); with
    ``limit``, only the first ``limit`` of that order (a partial sort)."""
    proj = ctx.proj
    sevs: dict[str, float] = {}

    def key(p: PathEdges) -> tuple[float, int, tuple[str, ...]]:
        end = p[-1].dst
        sev = sevs.get(end)
        if sev is None:
            sev = sevs[end] = severity(proj, ctx.targets.get(end, []))
        return (-path_score(proj, p, sev), len(p), tuple(e.rec + e.dst for e in p))

    if limit is not None and limit < len(paths):
        yield from heapq.nsmallest(limit, paths, key=key)
    else:
        yield from sorted(paths, key=key)
