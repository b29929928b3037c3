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

Each table is pruned after every layer so that an organisation sits under its best
value only (a lower value at the same state can never end better: every later step is
the same monotone multiplication for all of them). Free hops are pushed once per node,
continuations once per pending claim (:mod:`graph.exposure.hopnet`).
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


def _put(tables: dict[K, Table], key: K, v: float, m: int) -> None:
    d = tables.get(key)
    if d is None:
        tables[key] = {v: m}
    else:
        d[v] = d.get(v, 0) | m


def first_layer(net: HopNet, starts: Starts) -> tuple[dict[str, Table], dict[int, Table]]:
    """States after one hop: a supply by a member, dated within its period in the group
    (the check is skipped for members that belong to the group for all time)."""
    nodes: dict[str, Table] = {}
    pend: dict[int, Table] = {}
    records = net.ctx.proj.records
    for node, periods in starts.items():
        hops = net.first.get(node)
        if not hops:
            continue
        every = 0
        for m in periods.values():
            every |= m
        always = all(valid == (OPEN,) for valid in periods)
        for rec, w, dst, p in hops:
            if always:
                m = every
            else:
                span = records[rec].span
                m = 0
                for valid, vm in periods.items():
                    if overlaps(span, list(valid)):
                        m |= vm
                if not m:
                    continue
            _put(nodes, dst, w, m)
            if p >= 0:
                _put(pend, p, w, m)
    return ({k: prune(d) for k, d in nodes.items()}, {k: prune(d) for k, d in pend.items()})


def step(net: HopNet, nodes: dict[str, Table], pend: dict[int, Table], left: int
         ) -> tuple[dict[str, Table], dict[int, Table]]:
    """One more hop from every state, keeping heads that reach a target in ``left``."""
    nn: dict[str, Table] = {}
    np_: dict[int, Table] = {}
    for node, table in nodes.items():
        groups = net.moves(node, left)
        if not groups:
            continue
        for v, m in table.items():
            for w, heads in groups:
                x = v * w
                for dst, p in heads:
                    _put(nn, dst, x, m)
                    if p >= 0:
                        _put(np_, p, x, m)
    for pid, table in pend.items():
        for dst, p in net.follows(pid, left):
            for v, m in table.items():  # a continuation multiplies by 1.0: unchanged
                _put(nn, dst, v, m)
                if p >= 0:
                    _put(np_, p, v, m)
    return ({k: prune(d) for k, d in nn.items()}, {k: prune(d) for k, d in np_.items()})


def best_values(net: HopNet, starts: Starts) -> dict[str, Table]:
    """Target -> (best path value -> organisations), for every organisation of
    ``starts`` at once; a value is ``product x DECAY^(hops-1)`` as ``best_paths``
    computes it. A path's own start is not excluded here (see :mod:`.rank`)."""
    hmax, goals = net.hmax, net.ctx.targets
    nodes, pend = first_layer(net, starts)
    found: dict[str, Table] = {}
    for h in range(1, hmax + 1):
        factor = DECAY ** (h - 1)
        for node, table in nodes.items():
            if node in goals:
                got = found.get(node)
                if got is None:
                    got = found[node] = {}
                for v, m in table.items():
                    x = v * factor
                    got[x] = got.get(x, 0) | m
        if h == hmax:
            break
        nodes, pend = step(net, nodes, pend, hmax - h - 1)
    return {t: prune(d) for t, d in found.items()}
