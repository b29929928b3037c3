"""Scores of every organisation at once, with shared work (used by :func:`ranking`).

:func:`graph.exposure.paths.best_paths` answers one start at a time: a forward DP over
the start's ``max_hops`` neighbourhood. Repeated for every exporter that redoes the same
sub-searches thousands of times (resellers and hubs sit in most neighbourhoods). Here
the search runs backwards instead, once per node: for every search state (node, claim
whose hop must continue, hops left) a memoised table of

    (hops, weights of the distinct claims in path order) -> bit set of risk targets

that some walk of that shape reaches from the state. A start then only prefixes its
first supply to the tables of the states its supplies lead to. Keys keep the claims'
weights in path order, so a path value is computed exactly as the per-organisation DP
computes it (``w1 x w2 x ... x DECAY^(hops-1)``, left to right): the ranking's scores
are the same floats as :func:`graph.exposure.exposure`'s, not merely close.

Targets are processed in blocks of :data:`BLOCK` (one bit each), so the tables stay
small at ten million triples; each block has its own pruning map.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graph.exposure.filters import DECAY, distances_to, overlaps
from graph.exposure.paths import Ctx, continuations, split_edges
from graph.exposure.risk import severity
from graph.projection import Edge, Interval

#: Targets per block (bits per set).
BLOCK = 8192

Key = tuple[float, ...]  # (hops, w1, w2, ...) - hops stored as a float for a flat tuple
Table = dict[Key, int]
Start = tuple[str, tuple[Interval, ...]]


class _Block:
    """The memoised backward tables for one block of targets.

    The table of a state (node, claim S it arrived by) is the node's base table (free
    hops) plus a small table for the hops continuing S; both are kept apart so that a
    reseller's base table is built once, not once per claim through it.
    """

    def __init__(self, ctx: Ctx, index: dict[str, int], hmax: int) -> None:
        self.ctx = ctx
        self.proj = ctx.proj
        self.index = index
        self.hmax = hmax
        self.dist = distances_to(ctx.inn, index, hmax)
        self.cont = continuations(ctx)
        self.free, self.follow, _ = split_edges(ctx)
        self.base: dict[tuple[str, int], Table] = {}
        self.extra: dict[tuple[str, str, int], Table] = {}
        self.pruned: dict[tuple[str, int], list[Edge]] = {}

    def edges(self, node: str, left: int) -> list[Edge]:
        """Free out-edges of ``node`` whose head can still reach a target of the block in
        ``left`` hops."""
        key = (node, left)
        got = self.pruned.get(key)
        if got is None:
            dist, big = self.dist, self.hmax + 1
            got = self.pruned[key] = [e for e in self.free.get(node, ())
                                      if dist.get(e.dst, big) <= left]
        return got

    def tables(self, e: Edge, k: int) -> list[Table]:
        """The tables of the state an edge leads to, with ``k`` hops left."""
        node = e.dst
        out = [self.base_table(node, k)]
        if e.rec in self.cont.get(node, ()):
            ext = self.extra_table(node, e.rec, k)
            if ext:
                out.append(ext)
        return out

    def _add(self, acc: Table, e: Edge, k: int, w: float | None) -> None:
        for child in self.tables(e, k):
            if w is None:
                for ck, m in child.items():
                    nk = (ck[0] + 1.0, *ck[1:])
                    acc[nk] = acc.get(nk, 0) | m
            else:
                for ck, m in child.items():
                    nk = (ck[0] + 1.0, w, *ck[1:])
                    acc[nk] = acc.get(nk, 0) | m

    def base_table(self, node: str, k: int) -> Table:
        """Walks of at most ``k`` hops from ``node`` (arrived by no pending claim) to a
        target of the block."""
        mkey = (node, k)
        got = self.base.get(mkey)
        if got is not None:
            return got
        acc: Table = {}
        bit = self.index.get(node)
        if bit is not None:
            acc[(0.0,)] = 1 << bit
        if k > 0:
            weight = self.proj.weight
            for e in self.edges(node, k - 1):
                self._add(acc, e, k - 1, weight(e.rec))
            if len(acc) > 1:
                acc = _prune(acc)
        self.base[mkey] = acc
        return acc

    def extra_table(self, node: str, rec: str, k: int) -> Table:
        """Walks that begin with a hop continuing ``rec`` out of ``node``."""
        mkey = (node, rec, k)
        got = self.extra.get(mkey)
        if got is not None:
            return got
        acc: Table = {}
        if k > 0:
            dist, big = self.dist, self.hmax + 1
            for e in self.follow.get((node, rec), ()):
                if dist.get(e.dst, big) <= k - 1:
                    self._add(acc, e, k - 1, None)
            if len(acc) > 1:
                acc = _prune(acc)
        self.extra[mkey] = acc
        return acc

    def start_table(self, node: str, valid: tuple[Interval, ...]) -> Table:
        """Paths that begin with a supply by ``node`` dated within ``valid``."""
        acc: Table = {}
        proj, hmax = self.proj, self.hmax
        records = proj.records
        periods = list(valid)
        for e in self.edges(node, hmax - 1):
            r = records[e.rec]
            if r.kind != "supply" or not overlaps(r.span, periods):
                continue
            self._add(acc, e, hmax - 1, proj.weight(e.rec))
        bit = self.index.get(node)
        if bit is not None:  # a path never ends where it started (paths are simple)
            acc = {k: m for k, m in ((k, m & ~(1 << bit)) for k, m in acc.items()) if m}
        return acc


def _real(key: Key) -> float:
    """A suffix's value up to rounding (product of its weights x DECAY^hops)."""
    val: float = DECAY ** int(key[0])
    for w in key[1:]:
        val *= w
    return val


def _prune(table: Table) -> Table:
    """Drop each target from the keys whose value is clearly below another key reaching
    it from the same state: whatever prefix a path later adds, the lower one cannot
    become the best (distinct weight multisets differ by far more than rounding).
    Keys of equal value (same weights in another order, which may differ in the last
    bit) all keep their targets, so the best path's exact float is still found."""
    order = sorted(((_real(k), k) for k in table), reverse=True)
    out: Table = {}
    covered = 0
    group_val = order[0][0]
    group_mask = 0
    for val, k in order:
        if val < group_val * (1 - 1e-9):
            covered |= group_mask
            group_mask = 0
            group_val = val
        m = table[k] & ~covered
        if m:
            out[k] = m
            group_mask |= m
    return out


def _value(key: Key) -> float:
    """The path value exactly as the forward DP computes it (left to right)."""
    val = key[1]
    for w in key[2:]:
        val *= w
    return val * DECAY ** (int(key[0]) - 1)


class Score:
    """One organisation's result: contribution -> number of targets, and the targets of
    the highest contribution (to name the top target)."""

    __slots__ = ("parts", "top_hits", "top_value")

    def __init__(self) -> None:
        self.parts: dict[float, int] = {}
        self.top_value = -1.0
        self.top_hits: list[tuple[int, int]] = []

    def add(self, contribution: float, count: int, offset: int, hits: int) -> None:
        self.parts[contribution] = self.parts.get(contribution, 0) + count
        if contribution > self.top_value:
            self.top_value, self.top_hits = contribution, [(offset, hits)]
        elif contribution == self.top_value:
            self.top_hits.append((offset, hits))

    def targets(self) -> int:
        return sum(self.parts.values())

    def total(self) -> float:
        """The sum in the order the per-organisation score uses (highest first)."""
        terms: list[float] = []
        for contribution in sorted(self.parts, reverse=True):
            terms.extend([contribution] * self.parts[contribution])
        return sum(terms)

    def top(self) -> int:
        """Index of the target with the highest contribution (the smallest IRI on ties)."""
        return min(offset + ((m & -m).bit_length() - 1) for offset, m in self.top_hits)


def scores(ctx: Ctx, groups: dict[str, list[Start]], block: int = BLOCK
           ) -> tuple[dict[str, Score], list[str]]:
    """For each organisation (name -> its group's starts), its score parts; and the
    targets in index order (sorted by IRI, so the lowest index is the smallest IRI)."""
    tids = sorted(ctx.targets)
    sev = [severity(ctx.proj, ctx.targets[t]) for t in tids]
    out: dict[str, Score] = {}
    hmax = ctx.rf.max_hops
    for lo in range(0, len(tids), block):
        chunk = tids[lo:lo + block]
        index = {t: i for i, t in enumerate(chunk)}
        by_sev: dict[float, int] = defaultdict(int)
        for i in range(len(chunk)):
            by_sev[sev[lo + i]] |= 1 << i
        blk = _Block(ctx, index, hmax)
        starts: dict[Start, Table] = {}
        for org, members in groups.items():
            merged: Table = {}
            for st in members:
                if st[0] not in blk.dist:
                    continue
                tab = starts.get(st)
                if tab is None:
                    tab = starts[st] = blk.start_table(st[0], st[1])
                for k, m in tab.items():
                    merged[k] = merged.get(k, 0) | m
            if not merged:
                continue
            score = out.get(org)
            if score is None:
                score = out[org] = Score()
            _collect(score, merged, by_sev, lo)
    return out, tids


def _collect(score: Score, merged: Table, by_sev: dict[float, int], offset: int) -> None:
    covered = 0
    for val, mask in sorted(((_value(k), m) for k, m in merged.items()),
                            key=lambda vm: -vm[0]):
        new = mask & ~covered
        if not new:
            continue
        covered |= new
        for s, smask in by_sev.items():
            hit = new & smask
            if hit:
                score.add(s * val, hit.bit_count(), offset, hit)


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
