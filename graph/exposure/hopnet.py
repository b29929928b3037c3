"""The filtered hops compiled once for the ranking's forward search (:mod:`.rank_search`).

The per-organisation search (:func:`graph.exposure.paths.best_paths`) keeps a state
(node, claim whose hop must continue) and looks up edges, claims, weights and distances
as it goes. Done for every organisation at ten million triples, those look-ups alone
cost seconds, so here each hop is turned once into a small tuple: its weight, its head
and the *pending* id of the state it lands in (an int; -1 when the head has no hop that
continues the hop's claim), plus the head's distance to the nearest target.

Free hops belong to the node, continuations to the pending id: a search that arrives at
a reseller by one of a thousand claims follows the reseller's free hops once per node,
not once per claim (the states of one node share every free hop; only the continuation
of their own claim differs).
"""

from __future__ import annotations

from graph.exposure.paths import Ctx, continuations, split_edges

#: (head, pending id of the state it lands in or -1)
Move = tuple[str, int]


class HopNet:
    """Hops of one filter set and ``max_hops``, as the forward search reads them.

    ``first``: node -> (claim, weight, head, pending) of its supply hops that can still
    reach a target (a path's first hop). ``moves``/``follows`` give the free hops of a
    node and the continuations of a pending claim whose head can still reach a target in
    the hops left, grouped by weight (built on first use per hops-left, then kept).
    """

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        hmax = self.hmax = ctx.rf.max_hops
        free, follow, _ = split_edges(ctx)
        cont = continuations(ctx)
        dist, big = ctx.dist, hmax + 1
        weight, records = ctx.proj.weight, ctx.proj.records
        pending: dict[tuple[str, str], int] = {}

        def lands(dst: str, rec: str) -> int:
            if rec not in cont.get(dst, ()):
                return -1
            got = pending.get((dst, rec))
            if got is None:
                got = pending[(dst, rec)] = len(pending)
            return got

        self.first: dict[str, list[tuple[str, float, str, int]]] = {}
        self._free: dict[str, list[tuple[float, str, int, int]]] = {}
        for node, es in free.items():
            if node not in dist:
                continue
            hops, first = [], []
            for e in es:
                d = dist.get(e.dst, big)
                if d >= hmax:
                    continue
                w, p = weight(e.rec), lands(e.dst, e.rec)
                hops.append((w, e.dst, p, d))
                if records[e.rec].kind == "supply":
                    first.append((e.rec, w, e.dst, p))
            self._free[node] = hops
            if first:
                self.first[node] = first
        by_key: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
        for (node, rec), es in follow.items():
            if node in dist:
                by_key[(node, rec)] = [(e.dst, lands(e.dst, e.rec), dist[e.dst])
                                       for e in es if dist.get(e.dst, big) < hmax]
        self._follow: list[list[tuple[str, int, int]]] = [[] for _ in pending]
        for key, pid in pending.items():
            self._follow[pid] = by_key.get(key, [])
        self._moves: dict[tuple[str, int], list[tuple[float, list[Move]]]] = {}
        self._follows: dict[tuple[int, int], list[Move]] = {}

    def moves(self, node: str, left: int) -> list[tuple[float, list[Move]]]:
        """Free hops of ``node`` whose head reaches a target within ``left`` more hops,
        grouped by weight (one product per group and value, not per hop)."""
        key = (node, left)
        got = self._moves.get(key)
        if got is None:
            groups: dict[float, list[Move]] = {}
            for w, dst, p, d in self._free.get(node, ()):
                if d <= left:
                    groups.setdefault(w, []).append((dst, p))
            got = self._moves[key] = list(groups.items())
        return got

    def follows(self, pid: int, left: int) -> list[Move]:
        """Continuations of the pending claim ``pid`` (they add no confidence term)."""
        key = (pid, left)
        got = self._follows.get(key)
        if got is None:
            got = self._follows[key] = [(dst, p) for dst, p, d in self._follow[pid]
                                        if d <= left]
        return got


def hop_net(ctx: Ctx) -> HopNet:
    """The context's :class:`HopNet`, built once per filter set and kept on the projection
    (like :func:`graph.exposure.paths.split_edges`)."""
    key = ("hopnet", id(ctx.out), id(ctx.dist))
    got = ctx.proj.cache.get(key)
    if got is None or got[0] is not ctx.out or got[1] is not ctx.dist:
        got = ctx.proj.cache[key] = (ctx.out, ctx.dist, HopNet(ctx))
    net: HopNet = got[2]
    return net
