"""The optimised ranking (one shared bit-parallel search, graph.exposure.rank) against the
straightforward reference: every organisation's own exposure() score, target count, top
target and group size, on random graphs and on the seeds."""

from __future__ import annotations

from collections import deque
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.exposure import Filters, exposure, ranking
from graph.exposure.engine import exporters
from graph.exposure.filters import resolve
from graph.exposure.paths import context
from graph.exposure.rank import reachable, scores
from graph.exposure.rank_tally import Tally
from graph.projection import Projection, ProjectionCache, build_projection
from graph.store import Store
from tests.exposure_helpers import iri, store_from
from tests.test_exposure_properties import N, filters, graphs, turtle

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def reference(proj: Projection, orgs: list[str], f: Filters) -> dict[str, tuple[float, int,
                                                                                   str, int]]:
    """Organisation -> (score, targets, top target, group size) from exposure() alone."""
    out = {}
    for org in orgs:
        e = exposure(proj, org, f)
        if e.targets:
            out[org] = (e.score, len(e.targets), e.targets[0].target.iri, len(e.group))
    return out


def optimised(proj: Projection, f: Filters) -> dict[str, tuple[float, int, str, int]]:
    got = {}
    for r in ranking(proj, f).entries:
        assert r.top_target is not None
        got[r.subject.iri] = (r.score, r.targets, r.top_target.iri, r.group_size)
    return got


@SETTINGS
@given(graphs, filters)
def test_ranking_equals_per_organisation_exposure(graph: object, f: Filters) -> None:
    proj = build_projection(store_from(turtle(graph)))  # type: ignore[arg-type]
    orgs = [iri(f"org/o{i}") for i in range(N)]
    assert optimised(proj, f) == reference(proj, orgs, f)


@SETTINGS
@given(graphs, filters)
def test_blocks_do_not_change_scores(graph: object, f: Filters) -> None:
    """Organisations split into one-bit blocks give the same results as one block."""
    proj = build_projection(store_from(turtle(graph)))  # type: ignore[arg-type]
    rf = resolve(proj, f)
    ctx = context(proj, rf)
    groups = {iri(f"org/o{i}"): [(iri(f"org/o{i}"), ((date.min, date.max),))]
              for i in range(N)}
    whole, tids = scores(ctx, groups)
    split, tids2 = scores(ctx, groups, block=1)
    assert tids == tids2
    assert {k: (v.total(), v.targets(), v.top()) for k, v in whole.items()} == \
        {k: (v.total(), v.targets(), v.top()) for k, v in split.items()}


@SETTINGS
@given(graphs, filters)
def test_shared_reachability_equals_bfs(graph: object, f: Filters) -> None:
    proj = build_projection(store_from(turtle(graph)))  # type: ignore[arg-type]
    ctx = context(proj, resolve(proj, f))
    sources = exporters(proj, ctx.rf)
    tids = sorted(ctx.targets)
    got = reachable(ctx, sources, f.max_hops)
    for s in sources:
        seen, frontier, found = {s}, deque([(s, 0)]), set()
        while frontier:
            node, d = frontier.popleft()
            if d == f.max_hops:
                continue
            for e in ctx.out.get(node, ()):
                if e.dst not in seen:
                    seen.add(e.dst)
                    frontier.append((e.dst, d + 1))
                    if e.dst in ctx.targets:
                        found.add(e.dst)
        assert {tids[i] for i in range(len(tids)) if got[s] >> i & 1} == found


@pytest.mark.parametrize("f", [
    Filters(), Filters(include_unverified=True), Filters(max_hops=2), Filters(max_hops=6),
    Filters(as_of="2016"), Filters(as_of="2019", min_confidence="stated-in-report"),
    Filters(technology="technology/facial-recognition"),
    Filters(technology="technology/network-cameras", include_unverified=True),
])
def test_seed_ranking_equals_per_organisation_exposure(any_seed_store: Store,
                                                       f: Filters) -> None:
    proj = ProjectionCache(any_seed_store).get()
    linked = {n for a, b, _ in proj.ownerships + proj.successions for n in (a, b)}
    orgs = sorted(n for n in set(proj.out) | set(proj.inn) | linked if "/org/" in n)
    got = optimised(proj, f)
    assert got == reference(proj, orgs, f)
    if f == Filters():
        assert got  # the seeds do rank organisations by default


@pytest.mark.parametrize("f", [Filters(), Filters(max_hops=6, include_unverified=True),
                               Filters(as_of="2018", min_confidence=0.7)])
def test_synthetic_ranking_equals_per_organisation_exposure(f: Filters) -> None:
    """A generated graph (resellers, programmes, dated ownership): longer paths with
    several claims, which the small random graphs rarely make best."""
    import pyoxigraph as ox

    from bench.generate import generate
    from graph.loading import ontology_files, open_store, parse_file
    from graph.namespaces import ONTOLOGY_GRAPH

    store = open_store(memory=True, seed=False)
    store.extend([q for p in ontology_files() for q in parse_file(p, graph=ONTOLOGY_GRAPH)])
    store.extend(ox.parse("".join(generate(30_000, seed=3)).encode(),
                          format=ox.RdfFormat.N_TRIPLES))
    proj = build_projection(store)
    linked = {n for a, b, _ in proj.ownerships + proj.successions for n in (a, b)}
    orgs = sorted(n for n in set(proj.out) | linked if "/org/" in n)
    got = optimised(proj, f)
    assert got == reference(proj, orgs, f)
    assert any(t > 1 for _, t, _, _ in got.values())


def test_a_path_never_returns_to_its_start() -> None:
    """o0 (at risk) -> o2 -> o0 is not a simple path: no exposure, in either function
    (the walk-based DP used to score it; hypothesis found the case)."""
    g = ([(0, 2, "StatedInReport", "Reported", None, None),
          (2, 0, "StatedInReport", "Reported", None, None)], {0}, [])
    proj = build_projection(store_from(turtle(g)))  # type: ignore[arg-type]
    assert exposure(proj, iri("org/o0")).targets == []
    assert iri("org/o0") not in optimised(proj, Filters())
    assert optimised(proj, Filters()) == reference(proj, [iri(f"org/o{i}") for i in range(N)],
                                                   Filters())


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from([0.9, 0.56, 0.4, 0.32]), st.integers(0, 2**70 - 1)),
                max_size=40),
       st.integers(1, 70))
def test_bit_sliced_tally_equals_counting_each_pair(rows: list[tuple[float, int]],
                                                    nbits: int) -> None:
    """The tally's carry-save counters and numpy unpacking give, per organisation bit,
    the contribution counts and the first target of the highest contribution that a
    plain loop over every (target, organisation) pair gives."""
    tally = Tally(nbits)
    rows = [(c, m & ((1 << nbits) - 1)) for c, m in rows]
    for target, (c, m) in enumerate(rows):
        tally.add(target, c, m)
    expect: dict[int, tuple[dict[float, int], int]] = {}
    for b in range(nbits):
        parts: dict[float, int] = {}
        for c, m in rows:
            if m >> b & 1:
                parts[c] = parts.get(c, 0) + 1
        if parts:
            top = min(t for t, (c, m) in enumerate(rows) if m >> b & 1 and c == max(parts))
            expect[b] = (parts, top)
    assert tally.results(list(range(nbits))) == expect
