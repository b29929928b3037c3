"""Exposure by frontier expansion over a real ``oxigraph serve``: the same results as the
in-memory engine, from a small part of the store.

One server holds the seeds plus a generated 20,000-triple graph, compared with the
embedded store holding the same data. Every comparison is of the full
JSON result, for organisations chosen from the data (top exporters, a median one, ones
with a score of 0) under filters drawn at random from a fixed seed. The store counts its
HTTP requests: each question must take a bounded number of them and fetch a small part
of the store, never the whole graph.
"""

from __future__ import annotations

import json
import random

import pytest

import tests.test_remote_store as remote_tests
from bench.generate import write
from graph.exposure import Filters, exposure, frontier, paths_between, ranking, suppliers, why_not
from graph.exposure.engine import exporters
from graph.exposure.filters import resolve
from graph.exposure.partial_store import PartialStore
from graph.loading import load_files, open_remote_store
from graph.namespaces import ID
from graph.projection import Projection, build_projection
from graph.remote_store import SparqlHttpStore
from tests.generated import generated_store

GENERATED = 20_000
#: Requests one question may take: the fixed part (ontology, vocabularies, group and
#: risk claims, the places below flagged entities, a few rounds of missed subjects),
#: plus per hop one request per 1,000 frontier nodes and one per 1,000 claims found.
FIXED_REQUESTS = 40


#: A real ``oxigraph serve`` on loopback for this module (tests/test_remote_store.py's).
server = remote_tests.server


@pytest.fixture(scope="module")
def generated(server: str, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[SparqlHttpStore, Projection, int]:
    """The seeds plus a generated graph, remote and embedded (same file, same graph name):
    the remote store, the embedded store's projection, its size."""
    embedded = generated_store(GENERATED)
    path = tmp_path_factory.mktemp("generated") / f"generated-{GENERATED}.nt"
    write(path, GENERATED)
    remote = open_remote_store(server)
    load_files(remote, [path], validate="syntax")
    return remote, build_projection(embedded), len(embedded)


def _same(got: object, want: object) -> None:
    assert json.dumps(got.to_dict(), sort_keys=True) == \
        json.dumps(want.to_dict(), sort_keys=True)  # type: ignore[attr-defined]


def _filters(rng: random.Random) -> Filters:
    return Filters(max_hops=rng.choice([2, 3, 4, 5]),
                   as_of=rng.choice([None, None, "2012", "2016-06-30", "2019"]),
                   min_confidence=rng.choice([None, None, "reported-by-press", 0.6]),
                   include_unverified=rng.random() < 0.4,
                   technology=rng.choice([None, None, None, "technology/facial-recognition",
                                          "technology/behaviour-analysis"]),
                   max_paths=rng.choice([10, 50]))


def _picks(proj: Projection) -> dict[str, str]:
    """Top and second exporter, a median one, and an exporter with a score of 0."""
    ranked = [e.subject.iri for e in ranking(proj).entries]
    scored = set(ranked)
    exps = exporters(proj, resolve(proj, Filters()))
    by_degree = sorted(exps, key=lambda x: (-len(proj.out.get(x, ())), x))
    zero = sorted(x for x in exps if x not in scored)
    return {"top": ranked[0], "second": ranked[1], "median": by_degree[len(by_degree) // 2],
            "zero": zero[0]}


def _bounded(remote: SparqlHttpStore, before: int, fetched: list[PartialStore],
             size: int, filters: Filters) -> None:
    """Bounded requests, and a small part of the store read."""
    ps = fetched[-1]
    hops = max(filters.max_hops, 8)  # a score of 0 or a why-not looks up to 8 hops
    per_hop = 2 * (1 + len(ps.described) // ps.batch)
    assert remote.requests - before <= FIXED_REQUESTS + hops * per_hop
    assert len(ps) < size


def _check(data: tuple[SparqlHttpStore, Projection, int], kind: str, args: tuple[str, ...],
           filters: Filters) -> PartialStore:
    remote, proj, size = data
    run = {"exposure": (exposure, frontier.exposure), "why_not": (why_not, frontier.why_not),
           "paths": (paths_between, frontier.paths_between),
           "suppliers": (suppliers, frontier.suppliers)}[kind]
    before, fetched = remote.requests, []  # type: ignore[var-annotated]
    got = run[1](remote, *args, filters, fetched=fetched)  # type: ignore[operator]
    _same(got, run[0](proj, *args, filters))  # type: ignore[operator]
    _bounded(remote, before, fetched, size, filters)
    return fetched[-1]  # type: ignore[no-any-return]


@pytest.mark.parametrize("org", ["org/canon", "org/axis-communications", "org/idemia",
                                 "org/noldus", "org/advent-international"])
def test_seed_exposure_equals_the_in_memory_engine_under_random_filters(
        generated: tuple[SparqlHttpStore, Projection, int], org: str) -> None:
    rng = random.Random(org)
    for filters in [Filters(), _filters(rng), _filters(rng)]:
        _check(generated, "exposure", (ID + org,), filters)


def test_seed_why_not_suppliers_and_paths_equal_the_in_memory_engine(
        generated: tuple[SparqlHttpStore, Projection, int]) -> None:
    _, proj, _ = generated
    scored = {e.subject.iri for e in ranking(proj).entries}
    zero = sorted(x for x in proj.out if x not in scored and "/org/" in x and "/syn-" not in x)
    target = exposure(proj, ID + "org/canon").targets[0].target.iri
    _check(generated, "exposure", (zero[0],), Filters())
    _check(generated, "why_not", (zero[0], target), Filters())
    _check(generated, "why_not", (ID + "org/axis-communications", target),
           Filters(as_of="2010"))
    _check(generated, "suppliers", (target,), Filters())
    _check(generated, "suppliers", (target,), Filters(include_unverified=True, max_hops=3))
    _check(generated, "paths", (ID + "org/axis-communications", target), Filters())


@pytest.mark.parametrize("pick", ["top", "second", "median", "zero"])
def test_generated_exposure_equals_the_in_memory_engine_from_part_of_the_store(
        generated: tuple[SparqlHttpStore, Projection, int], pick: str) -> None:
    _, proj, size = generated
    org = _picks(proj)[pick]
    rng = random.Random(pick)
    for filters in [Filters(), _filters(rng)]:
        ps = _check(generated, "exposure", (org,), filters)
        if pick == "median":  # mostly the fixed part (ontology, risk and group claims)
            assert len(ps) < size / 3


def test_generated_why_not_suppliers_and_paths_equal_the_in_memory_engine(
        generated: tuple[SparqlHttpStore, Projection, int]) -> None:
    _, proj, _ = generated
    picks = _picks(proj)
    result = exposure(proj, picks["top"])
    target = result.targets[0].target.iri
    _check(generated, "why_not", (picks["zero"], target), Filters())
    _check(generated, "why_not", (picks["median"], target), Filters(max_hops=3))
    _check(generated, "suppliers", (target,), Filters(max_hops=3))
    _check(generated, "paths", (picks["top"], target), Filters(max_hops=3))


def test_the_cli_answers_by_frontier_expansion_over_a_remote_store(
        server: str, generated: tuple[SparqlHttpStore, Projection, int]) -> None:
    """``survkg exposure Canon --format json`` over the remote store prints the embedded
    engine's JSON; so does ``why-not`` (both now go through graph/exposure/frontier.py)."""
    from click.testing import CliRunner

    from graph.cli import cli
    _, proj, _ = generated
    target = exposure(proj, ID + "org/canon").targets[0].target.iri
    for args, want in (
            (["exposure", "Canon"], exposure(proj, ID + "org/canon", Filters(max_paths=50))),
            (["why-not", "org/idemia", target, "--as-of", "2010"],
             why_not(proj, ID + "org/idemia", target, Filters(as_of="2010", max_paths=50)))):
        got = CliRunner().invoke(cli, [*args, "--format", "json", "--store", server],
                                 catch_exceptions=False)
        assert got.exit_code == 0, got.stderr
        assert json.loads(got.stdout) == json.loads(json.dumps(want.to_dict()))
