"""The filtered hops compiled for the ranking's forward search (:mod:`.rank_search`).

The per-organisation search (:func:`graph.exposure.paths.best_paths`) keeps a state
(node, claim whose hop must continue) and looks up edges, claims, weights and distances
as it goes. Done for every organisation at ten million triples, those look-ups alone
cost seconds, so each hop is turned once into its weight, its head and the *pending* id
of the state it lands in (an int; -1 when the head has no hop that continues the hop's
claim), filtered by the head's distance to the nearest target.

Free hops belong to the node, continuations to the pending id: a search that arrives at
a reseller by one of a thousand claims follows the reseller's free hops once per node,
not once per claim (the states of one node share every free hop; only the continuation
of their own claim differs).

Hops are kept in parallel lists (heads, pending ids), not as a tuple per hop: hundreds
of thousands of long-lived tuples would make every full garbage collection during the
ranking walk them (strings, ints and floats in lists and dicts are not tracked).
"""

from __future__ import annotations

from graph.exposure.paths import Ctx, continuations, split_edges

#: Hops of one weight: (weight, heads, pending ids of the states they land in)
Group = tuple[float, list[str], list[int]]
#: A path's possible first hops from a node: (claims, weights, heads, pending ids)
First = tuple[list[str], list[float], list[str], list[int]]


class HopNet:
    """Hops of one filter set and ``max_hops``, as the forward search reads them.

    Everything is compiled on first use (a node's hops when the search first leaves the
    node, a claim's continuations when the search first arrives by that claim), so nodes
    the search never reaches cost nothing; then kept for the next ranking.
    """

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.hmax = ctx.rf.max_hops
        self._free, self._follow, _ = split_edges(ctx)
        self._cont = continuations(ctx)
        self._pending: dict[str, dict[str, int]] = {}  # head -> claim -> pending id
        self._pending_node: list[str] = []
        self._pending_claim: list[str] = []
        self._first: dict[str, First] = {}
        self._moves: list[dict[str, list[Group]]] = [{} for _ in range(self.hmax)]
        self._follows: list[dict[int, tuple[list[str], list[int]]]] = [
            {} for _ in range(self.hmax)]

    def lands(self, dst: str, rec: str) -> int:
        """The pending id of the state a hop of ``rec`` into ``dst`` lands in (-1: none;
        ``dst`` has no hop that continues ``rec``)."""
        if rec not in self._cont.get(dst, ()):
            return -1
        by_claim = self._pending.setdefault(dst, {})
        got = by_claim.get(rec)
        if got is None:
            got = by_claim[rec] = len(self._pending_node)
            self._pending_node.append(dst)
            self._pending_claim.append(rec)
        return got

    def first(self, node: str) -> First:
        """The supply hops of ``node`` whose head can still reach a target: a path's
        possible first hops."""
        got = self._first.get(node)
        if got is None:
            records, weight = self.ctx.proj.records, self.ctx.proj.weight
            dist, hmax = self.ctx.dist, self.hmax
            got = self._first[node] = ([], [], [], [])
            recs, ws, dsts, ps = got
            for e in self._free.get(node, ()):
                if dist.get(e.dst, hmax) < hmax and records[e.rec].kind == "supply":
                    recs.append(e.rec)
                    ws.append(weight(e.rec))
                    dsts.append(e.dst)
                    ps.append(self.lands(e.dst, e.rec))
        return got

    def moves(self, node: str, left: int) -> list[Group]:
        """Free hops of ``node`` whose head reaches a target within ``left`` more hops,
        grouped by weight (one product per group and value, not per hop)."""
        cache = self._moves[left]
        got = cache.get(node)
        if got is None:
            weight, dist, hmax = self.ctx.proj.weight, self.ctx.dist, self.hmax
            groups: dict[float, Group] = {}
            for e in self._free.get(node, ()):
                if dist.get(e.dst, hmax) <= left:
                    w = weight(e.rec)
                    g = groups.get(w)
                    if g is None:
                        g = groups[w] = (w, [], [])
                    g[1].append(e.dst)
                    g[2].append(self.lands(e.dst, e.rec))
            got = cache[node] = list(groups.values())
        return got

    def follows(self, pid: int, left: int) -> tuple[list[str], list[int]]:
        """Continuations of the pending claim ``pid`` whose head reaches a target within
        ``left`` more hops (heads, pending ids; they add no confidence term)."""
        cache = self._follows[left]
        got = cache.get(pid)
        if got is None:
            dist, hmax = self.ctx.dist, self.hmax
            got = cache[pid] = ([], [])
            key = (self._pending_node[pid], self._pending_claim[pid])
            for e in self._follow.get(key, ()):
                if dist.get(e.dst, hmax) <= left:
                    got[0].append(e.dst)
                    got[1].append(self.lands(e.dst, e.rec))
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
