"""The ranking's search: :func:`graph.exposure.paths.best_paths` run for many starting
sets at once, one bit per set.

``best_paths`` is a layered max-product programme: after ``h`` hops each state holds the
best value (product of the confidence factors, left to right) of a walk from the group
to it, and a target's score is the best of ``value x DECAY^(h-1)`` over the layers. Here
a state holds a *table* ``value -> bit set of organisations`` instead of one value: the
same floats, computed by the same multiplications in the same order, so every
organisation gets exactly the floats its own ``exposure()`` gets. Bit sets make a hub
cheap: a reseller reached by thousands of exporters pushes one big-int OR per hop, not
thousands of values.

Each layer is pruned so that an organisation sits under its best value only at each
state (a lower value at the same state can never end better: every later step is the
same monotone multiplication for all of them). Free hops are pushed once per node,
continuations once per pending claim (:mod:`graph.exposure.hopnet`).

A layer is kept value-major, ``value -> state -> bit set``: a handful of dicts of
strings or ints to ints, which the garbage collector does not track, rather than one
small dict per state (hundreds of thousands of tracked objects that made each full
collection during a 10M-triple ranking cost seconds).
"""

from __future__ import annotations

from typing import TypeVar

from graph.exposure.filters import DECAY, overlaps
from graph.exposure.hopnet import HopNet
from graph.projection import OPEN, Interval

#: value -> bit set of organisations (disjoint after :func:`prune`)
Table = dict[float, int]
#: node -> validity periods of a group member starting there -> bit set of organisations
Starts = dict[str, dict[tuple[Interval, ...], int]]
K = TypeVar("K", str, int)
#: Roles of the free hops only a supply record makes (its ``kind`` is ``"supply"``).
SUPPLY_ROLES = frozenset({"supply", "via-in"})
#: value -> state (a node, or a pending claim id) -> bit set of organisations
Layer = dict[float, dict[K, int]]


def prune(table: Table) -> Table:
    """Keep each organisation under its highest value only."""
    if len(table) < 2:
        return table
    out: Table = {}
    covered = 0
    for v in sorted(table, reverse=True):
        m = table[v] & ~covered
        if m:
            out[v] = m
            covered |= m
    return out


def prune_layer(layer: Layer[K]) -> Layer[K]:
    """:func:`prune` for every state of a layer at once."""
    if len(layer) < 2:
        return layer
    out: Layer[K] = {}
    covered: dict[K, int] = {}
    for v in sorted(layer, reverse=True):
        kept: dict[K, int] = {}
        for k, m in layer[v].items():
            c = covered.get(k)
            if c is None:
                covered[k] = kept[k] = m
            elif m := m & ~c:
                kept[k] = m
                covered[k] = c | m
        if kept:
            out[v] = kept
    return out


def first_layer(net: HopNet, starts: Starts) -> tuple[Layer[str], Layer[int]]:
    """States after one hop: a supply by a member, dated within its period in the group
    (the check is skipped for members that belong to the group for all time)."""
    nodes: Layer[str] = {}
    pend: Layer[int] = {}
    records, weight, dist, hmax = net.ctx.proj.records, net.weight, net.dist, net.hmax
    cont, pending = net.cont, net.pending
    for node, periods in starts.items():
        hops = net.free.get(node)
        if not hops:
            continue
        every = 0
        for m in periods.values():
            every |= m
        always = all(valid == (OPEN,) for valid in periods)
        for e in hops:
            # A path starts with a supply: a hop of role supply or via-in always is
            # one (graph/projection.py), so only other roles need the record.
            if dist.get(e.dst, hmax) >= hmax or (
                    e.role not in SUPPLY_ROLES and records[e.rec].kind != "supply"):
                continue
            if always:
                m = every
            else:
                m = 0
                span = records[e.rec].span
                for valid, vm in periods.items():
                    if overlaps(span, list(valid)):
                        m |= vm
                if not m:
                    continue
            w = weight(e.rec)
            tn = nodes.get(w)
            if tn is None:
                tn = nodes[w] = {}
            tn[e.dst] = tn.get(e.dst, 0) | m
            c = cont.get(e.dst)
            if c is not None and e.rec in c:
                p = pending(e)
                tp = pend.get(w)
                if tp is None:
                    tp = pend[w] = {}
                tp[p] = tp.get(p, 0) | m
    return nodes, pend


def step(net: HopNet, nodes: Layer[str], pend: Layer[int], left: int
         ) -> tuple[Layer[str], Layer[int]]:
    """One more hop from every state, keeping heads that reach a target in ``left``."""
    nn: Layer[str] = {}
    np_: Layer[int] = {}
    free, dist, weight, big = net.free, net.dist, net.weight, net.hmax
    cont, pending = net.cont, net.pending
    # The hops are inlined (no call per hop): at ten million triples this loop runs
    # hundreds of thousands of times per layer.
    for v, table in nodes.items():
        for node, m in table.items():
            for e in free.get(node, ()):
                dst = e.dst
                if dist.get(dst, big) > left:
                    continue
                x = v * weight(e.rec)
                tn = nn.get(x)
                if tn is None:
                    tn = nn[x] = {}
                tn[dst] = tn.get(dst, 0) | m
                c = cont.get(dst)
                if c is not None and e.rec in c:
                    p = pending(e)
                    tp = np_.get(x)
                    if tp is None:
                        tp = np_[x] = {}
                    tp[p] = tp.get(p, 0) | m
    for v, ptable in pend.items():  # a continuation multiplies by 1.0: value unchanged
        tn = nn.get(v)
        if tn is None:
            tn = nn[v] = {}
        for pid, m in ptable.items():
            for e in net.follows(pid):
                dst = e.dst
                if dist.get(dst, big) > left:
                    continue
                tn[dst] = tn.get(dst, 0) | m
                c = cont.get(dst)
                if c is not None and e.rec in c:
                    p = pending(e)
                    tp = np_.get(v)
                    if tp is None:
                        tp = np_[v] = {}
                    tp[p] = tp.get(p, 0) | m
    return nn, np_


def best_values(net: HopNet, starts: Starts) -> dict[str, Table]:
    """Target -> (best path value -> organisations, highest value first), for every
    organisation of ``starts`` at once; a value is ``product x DECAY^(hops-1)`` as
    ``best_paths`` computes it. A path's own start is not excluded here (see
    :mod:`.rank`)."""
    hmax, goals = net.hmax, net.ctx.targets
    nodes, pend = first_layer(net, starts)
    found: Layer[str] = {}
    for h in range(1, hmax + 1):
        factor = DECAY ** (h - 1)
        for v, table in nodes.items():
            x = v * factor
            got = found.get(x)
            if got is None:
                got = found[x] = {}
            for node, m in table.items():
                if node in goals:
                    got[node] = got.get(node, 0) | m
        if h == hmax:
            break
        nodes, pend = step(net, nodes, pend, hmax - h - 1)
    out: dict[str, Table] = {}
    for x, table in prune_layer(found).items():
        for t, m in table.items():
            mine = out.get(t)
            if mine is None:
                out[t] = {x: m}
            else:
                mine[x] = m
    return out
