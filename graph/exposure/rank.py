"""Scores of every organisation at once, with shared work (used by :func:`ranking`).

:func:`graph.exposure.paths.best_paths` answers one group at a time: a layered
max-product programme over the group's ``max_hops`` neighbourhood. Repeated for 26,000
organisations at ten million triples it redoes the same hub neighbourhoods thousands of
times. Here the same programme runs once for all of them, an organisation being one bit
of a big-int bit set (:mod:`.rank_search`), with a node's free hops shared by every
claim it was reached by (:mod:`.hopnet`); the per-target bit sets are then counted
without a Python loop per (organisation, target) pair (:mod:`.rank_tally`). The floats
are the ones ``best_paths`` computes (same multiplications, same order), so the
ranking's scores equal each organisation's own :func:`graph.exposure.exposure` score
exactly (tested).

An earlier version searched backwards from blocks of 8,192 targets, with tables keyed
by the claims' weights in path order, and rebuilt the hubs' tables for every block:
133 s at ten million triples (68k targets, 9 blocks). The forward search follows each
hop at most once per layer and value, whatever the number of targets.

A path never ends where it started: ``best_paths`` scores a target that is also a start
of the group from the group's other starts only. Here such an organisation gets, for
each of its starts that is a target, one extra bit: the group without that start,
read at that target only.

Organisations are processed in blocks of :data:`BLOCK` bits to bound memory (the bit
sets of a block are at most ``BLOCK`` bits wide).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from graph.exposure.filters import distances_to
from graph.exposure.hopnet import HopNet
from graph.exposure.paths import Ctx
from graph.exposure.rank_search import Starts, best_values, prune
from graph.exposure.rank_tally import Tally
from graph.exposure.risk import severity
from graph.projection import Interval

#: Organisations (bits) per block.
BLOCK = 32768

Start = tuple[str, tuple[Interval, ...]]
#: (organisation, the start node it leaves out or None, its starts)
Unit = tuple[str, str | None, list[Start]]


class Score:
    """One organisation's result: contribution -> number of targets, and the index of
    its top target (highest contribution, the smallest IRI on ties)."""

    __slots__ = ("parts", "top_index")

    def __init__(self, parts: dict[float, int], top_index: int) -> None:
        self.parts = parts
        self.top_index = top_index

    def targets(self) -> int:
        return sum(self.parts.values())

    def total(self) -> float:
        """The sum in the order the per-organisation score uses (highest first), as one
        ``sum`` over the same sequence of terms."""
        terms = (itertools.repeat(c, self.parts[c]) for c in sorted(self.parts, reverse=True))
        return sum(itertools.chain.from_iterable(terms))

    def top(self) -> int:
        return self.top_index


def start_units(groups: dict[str, list[Start]], targets: Iterable[str]) -> list[list[Unit]]:
    """Each organisation with, per start node of its group that is a target, the group
    without that node (the own-start rule of ``best_paths``)."""
    goals = set(targets)
    out = []
    for org, members in groups.items():
        unit: list[Unit] = [(org, None, members)]
        for node in sorted({n for n, _ in members if n in goals}):
            unit.append((org, node, [st for st in members if st[0] != node]))
        out.append(unit)
    return out


def _blocks(units: list[list[Unit]], block: int) -> Iterable[list[Unit]]:
    """Units packed into blocks of at most ``block`` bits (a unit is never split)."""
    chunk: list[Unit] = []
    for unit in units:
        if chunk and len(chunk) + len(unit) > block:
            yield chunk
            chunk = []
        chunk.extend(unit)
    if chunk:
        yield chunk


def scores(ctx: Ctx, groups: dict[str, list[Start]], block: int = BLOCK
           ) -> tuple[dict[str, Score], list[str]]:
    """For each organisation (name -> its group's starts), its score parts; and the
    targets in index order (sorted by IRI, so the lowest index is the smallest IRI)."""
    tids = sorted(ctx.targets)
    index = {t: i for i, t in enumerate(tids)}
    sev = {t: severity(ctx.proj, hits) for t, hits in ctx.targets.items()}
    net = HopNet(ctx)
    out: dict[str, Score] = {}
    units = start_units(groups, ctx.targets)
    # Busiest groups first: they get the low bits, so the bit sets a hub's many hops
    # are ORed into stay short ints (an int is as long as its highest bit).
    units.sort(key=lambda u: -sum(len(net.free.get(n, ())) for n, _ in u[0][2]))
    for chunk in _blocks(units, block):
        starts: Starts = {}
        own: dict[str, int] = {}  # target -> organisations with a start there
        stand_in: dict[str, list[tuple[int, int]]] = {}  # target -> (extra bit, its org's bit)
        bit_of: dict[str, int] = {}
        for b, (org, left_out, members) in enumerate(chunk):
            if left_out is None:
                bit_of[org] = b
            else:
                stand_in.setdefault(left_out, []).append((b, bit_of[org]))
                own[left_out] = own.get(left_out, 0) | (1 << bit_of[org])
            for node, valid in members:
                periods = starts.setdefault(node, {})
                periods[valid] = periods.get(valid, 0) | (1 << b)
        tally = Tally(len(chunk))
        found = best_values(net, starts)
        for t in sorted(found, key=index.__getitem__):
            table = found[t]
            if t in own:
                table = _own_start(table, own[t], stand_in[t])
            s, i = sev[t], index[t]
            for v, m in table.items():
                tally.add(i, s * v, m)
        del found
        real = [b for b, unit in enumerate(chunk) if unit[1] is None]
        for b, (parts, top) in tally.results(real).items():
            out[chunk[b][0]] = Score(parts, top)
    return out, tids


def _own_start(table: dict[float, int], own: int, stand_in: list[tuple[int, int]]
               ) -> dict[float, int]:
    """At a target that is a start of some groups: those organisations take the value
    of their group without that start (their extra bit) instead of their own."""
    out: dict[float, int] = {}
    for v, m in table.items():
        m2 = m & ~own
        for extra, org_bit in stand_in:
            if m >> extra & 1:
                m2 |= 1 << org_bit
        if m2:
            out[v] = m2
    return prune(out)


def reachable(ctx: Ctx, sources: Iterable[str], hops: int) -> dict[str, int]:
    """Bounded reachability with shared work: for each source, the bit set (indexed by
    sorted target IRI) of risk targets within ``hops`` hops, ignoring which claim a hop
    continues (the plain graph question a compiled library answers with one BFS per
    source). One layered pass over all nodes: R_k(v) = own(v) | OR R_(k-1)(successors)."""
    tids = sorted(ctx.targets)
    own = {t: 1 << i for i, t in enumerate(tids)}
    dist = ctx.dist if hops == ctx.rf.max_hops else distances_to(ctx.inn, ctx.targets, hops)
    succ = {n: list({e.dst for e in es}) for n, es in ctx.out.items() if n in dist}
    prev = dict(own)
    for k in range(1, hops + 1):
        cur: dict[str, int] = {}
        for v, d in dist.items():
            if d > k:
                continue
            m = own.get(v, 0)
            for u in succ.get(v, ()):
                got = prev.get(u)
                if got:
                    m |= got
            cur[v] = m
        prev = cur
    return {s: prev.get(s, 0) & ~own.get(s, 0) for s in sources}
