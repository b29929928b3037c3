"""Choke points: where the exposure paths concentrate, and the fewest relations whose
removal would cut every path from a set of exporters to the risk targets."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from graph.exposure.engine import exporters as all_exporters
from graph.exposure.evidence import entity_ref, known, ref_dict
from graph.exposure.filters import resolve
from graph.exposure.group import group_of
from graph.exposure.model import Chokepoints, Filters
from graph.exposure.paths import Starts, context, enumerate_paths, start_ok
from graph.namespaces import local_id
from graph.projection import OPEN, Projection

if TYPE_CHECKING:
    import networkx as nx

_SOURCE, _SINK = "\x00source", "\x00sink"


def chokepoints(proj: Projection, filters: Filters | None = None,
                exporters: list[str] | None = None, top: int = 20) -> Chokepoints:
    """Inner nodes and relations ranked by the exposure paths through them, and a minimum
    cut. ``exporters``: IRIs or ids (each with its group); default every supplier.

    The cut is a minimum edge cut (networkx max-flow) between a super-source joined to the
    exporters and a super-sink joined from the risk targets, over the filtered hops of the
    exposure region; the capacity of a hop is the number of claims that carry it, so the
    cut counts relations. The flow ignores the hop bound and the rule that an intermediary
    hop continues its own claim, so it may cut a little more than the bounded paths need;
    it never cuts less.
    """
    filters = filters or Filters()
    rf = resolve(proj, filters)
    ctx = context(proj, rf)
    if exporters is None:
        chosen = all_exporters(proj, rf)
        starts: Starts = [(n, [OPEN]) for n in chosen]
    else:
        chosen = [known(proj, x) for x in exporters]
        seen: dict[str, list[Any]] = {}
        for x in chosen:
            for m in group_of(proj, x, rf):
                seen.setdefault(m.node, []).extend(v for v in m.valid if v not in seen.get(
                    m.node, []))
        starts = list(seen.items())
    found, truncated = enumerate_paths(ctx, starts, goals=ctx.targets, dist=ctx.dist,
                                       first_ok=lambda e, v: start_ok(proj, e, v))
    node_count: Counter[str] = Counter()
    rel_count: Counter[str] = Counter()
    for p in found:
        node_count.update({e.dst for e in p[:-1]})
        rel_count.update({e.rec for e in p})
    nodes = [{**entity_ref(proj, n).to_dict(), "paths": c}
             for n, c in sorted(node_count.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    rels = [{**ref_dict(proj, r), "kind": proj.records[r].kind, "paths": c}
            for r, c in sorted(rel_count.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    cut = _min_cut(proj, ctx, [n for n, _ in starts])
    return Chokepoints(filters, [entity_ref(proj, x) for x in chosen], len(found), truncated,
                       nodes, rels, cut, sum(len(c["relations"]) for c in cut))


def _min_cut(proj: Projection, ctx: Any, starts: list[str]) -> list[dict[str, Any]]:
    hmax, big = ctx.rf.max_hops, ctx.rf.max_hops + 1
    region: set[str] = set()
    frontier = [n for n in starts if ctx.dist.get(n, big) <= hmax]
    depth = {n: 0 for n in frontier}
    while frontier:
        node = frontier.pop()
        region.add(node)
        for e in ctx.out.get(node, ()):
            d = depth[node] + 1
            if ctx.dist.get(e.dst, big) <= hmax - d and d < depth.get(e.dst, big):
                depth[e.dst] = d
                frontier.append(e.dst)
    recs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for node in region:
        for e in ctx.out.get(node, ()):
            if e.dst in region:
                recs[(e.src, e.dst)].add(e.rec)
    import networkx as nx  # here: only this cut needs it, and it costs a quarter second

    g: nx.DiGraph[str] = nx.DiGraph()
    start_set = set(starts)
    g.add_edges_from((_SOURCE, n) for n in start_set & region)
    g.add_edges_from((n, _SINK) for n in region if n in ctx.targets and n not in start_set)
    g.add_edges_from((u, v, {"capacity": len(rs)}) for (u, v), rs in recs.items())
    if _SOURCE not in g or _SINK not in g:
        return []
    _, (reach, _rest) = nx.minimum_cut(g, _SOURCE, _SINK)
    out = []
    for (u, v), rs in sorted(recs.items()):
        if u in reach and v not in reach:
            out.append({"from": local_id(u), "to": local_id(v),
                        "relations": [{**ref_dict(proj, r), "kind": proj.records[r].kind}
                                      for r in sorted(rs)]})
    return out
