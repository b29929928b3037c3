"""The filtered hops as the ranking's forward search (:mod:`.rank_search`) reads them.

The per-organisation search (:func:`graph.exposure.paths.best_paths`) keeps a state
(node, claim whose hop must continue). The ranking keeps the two halves apart: a node's
free hops are followed once per node (whatever claim the search arrived by), and the
continuations of a claim once per *pending* id, a small int naming (head, claim) for the
heads that have a hop continuing that claim. A reseller reached by one of a thousand
claims thus has its free hops followed once, not a thousand times.

Nothing is compiled or cached per hop: hundreds of thousands of long-lived lists and
tuples (one per node or hop) would be walked by every full garbage collection while the
ranking runs, and at ten million triples that cost more than it saved. The search reads
the filtered adjacency (:func:`graph.exposure.paths.split_edges`, already cached per
filter set) directly, and the pending ids live in dicts of strings to ints, which the
collector does not track.
"""

from __future__ import annotations

from graph.exposure.paths import Ctx, continuations, split_edges
from graph.projection import Edge


class HopNet:
    """Free hops per node, continuations per pending claim, and the pruning map."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.hmax = ctx.rf.max_hops
        self.dist = ctx.dist
        self.weight = ctx.proj.weight
        self.free, follow, _ = split_edges(ctx)
        self._follow = follow
        #: node -> the claims with a hop out of it that continues them
        self.cont = continuations(ctx)
        self._pending: dict[str, dict[str, int]] = {}  # head -> claim -> pending id
        self._pending_node: list[str] = []
        self._pending_claim: list[str] = []

    def pending(self, e: Edge) -> int:
        """The pending id of the state hop ``e`` lands in, for a hop whose head has a hop
        continuing its claim (``e.rec in cont[e.dst]``; callers check that first)."""
        rec, dst = e.rec, e.dst
        by_claim = self._pending.get(dst)
        if by_claim is None:
            by_claim = self._pending[dst] = {}
        got = by_claim.get(rec)
        if got is None:
            got = by_claim[rec] = len(self._pending_node)
            self._pending_node.append(dst)
            self._pending_claim.append(rec)
        return got

    def follows(self, pid: int) -> list[Edge]:
        """The hops that continue the pending claim ``pid``."""
        return self._follow.get((self._pending_node[pid], self._pending_claim[pid]), [])
