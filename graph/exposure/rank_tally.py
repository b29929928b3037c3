"""Per-organisation score parts from per-target bit sets, without a loop per pair.

The search (:mod:`.rank_search`) ends with, for each target, the organisations reaching
it under each contribution (severity x best path value) as bit sets. A score needs, per
organisation, how many targets it reaches under each contribution (the total is their
sum, highest first, exactly as ``exposure()`` adds them) and the first target, in IRI
order, of its highest contribution. At ten million triples that is 150 million
(organisation, target) pairs: far too many to visit one by one in Python.

So the counts are kept *bit-sliced*: per contribution, a list of bit planes where plane
``j`` holds bit ``j`` of every organisation's count; adding a target's bit set is a
ripple-carry addition of a few big-int operations. At the end numpy turns the planes
into one count per organisation. The top target is found in a second, cheap pass over
the rows, looking only for the organisations whose highest contribution it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def _unpack(mask: int, nbits: int) -> np.ndarray:
    """The bits of ``mask`` as a 0/1 array of length ``nbits`` (bit i at index i)."""
    import numpy as np
    raw = mask.to_bytes((nbits + 7) // 8, "little")
    bits: np.ndarray = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")
    return bits[:nbits]


class Tally:
    """Counts of targets per (organisation bit, contribution), and the rows seen."""

    def __init__(self, nbits: int) -> None:
        self.nbits = nbits
        self.planes: dict[float, list[int]] = {}
        self.rows: list[tuple[int, float, int]] = []

    def add(self, target: int, contribution: float, mask: int) -> None:
        """Count ``target`` under ``contribution`` for every organisation in ``mask``
        (targets must come in increasing index order, for :meth:`results`)."""
        self.rows.append((target, contribution, mask))
        planes = self.planes.get(contribution)
        if planes is None:
            planes = self.planes[contribution] = []
        carry, j = mask, 0
        while carry:
            if j == len(planes):
                planes.append(carry)
                break
            p = planes[j]
            planes[j] = p ^ carry
            carry &= p
            j += 1

    def results(self, bits: list[int]) -> dict[int, tuple[dict[float, int], int]]:
        """Organisation bit -> (contribution -> targets, index of the top target: the
        first one under the highest contribution), for the ``bits`` that reach any."""
        classes = sorted(self.planes, reverse=True)
        if not classes:
            return {}
        import numpy as np  # here, not at the top: only a ranking needs it
        counts = np.zeros((len(classes), self.nbits), dtype=np.int64)
        for ci, c in enumerate(classes):
            for j, plane in enumerate(self.planes[c]):
                counts[ci] += _unpack(plane, self.nbits).astype(np.int64) << j
        cls, orgs = np.nonzero(counts)
        order = np.argsort(orgs, kind="stable")  # per organisation, highest class first
        cls, orgs = cls[order], orgs[order]
        vals = counts[cls, orgs]
        wanted: dict[float, int] = {}
        parts: dict[int, dict[float, int]] = {}
        keep = set(bits)
        for ci, b, n in zip(cls.tolist(), orgs.tolist(), vals.tolist(), strict=True):
            if b not in keep:
                continue
            got = parts.get(b)
            if got is None:
                got = parts[b] = {}
                c = classes[ci]
                wanted[c] = wanted.get(c, 0) | (1 << b)
            got[classes[ci]] = n
        top: dict[int, int] = {}
        for target, c, mask in self.rows:
            want = wanted.get(c)
            if want and (hit := mask & want):
                wanted[c] = want & ~hit
                while hit:
                    low = hit & -hit
                    top[low.bit_length() - 1] = target
                    hit ^= low
        return {b: (p, top[b]) for b, p in parts.items()}
