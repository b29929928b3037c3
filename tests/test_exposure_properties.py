"""Property-based checks of the exposure invariants on random graphs (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.exposure import Filters, exposure
from graph.exposure.filters import failure, resolve
from graph.projection import build_projection
from tests.exposure_helpers import iri, store_from

N = 7
LEVELS = ["StatedInReport", "ReportedByPress", "Inferred"]
STATUSES = ["Reported", "Reported", "Confirmed", "Unverified", "Disputed"]

BASE = """
x:src/s a skg:Report ; dcterms:title "S" ; dcterms:publisher "P" .
x:place/r a skg:Region ; rdfs:label "R" .
x:flag/r a skg:RiskFlag ; skg:flagged x:place/r ; skg:indicator x:risk/high-risk-region ;
  skg:evidence x:src/s ; skg:confidence skg:StatedInReport ; skg:status skg:Reported .
x:programme/p a skg:SurveillanceProgramme ; rdfs:label "P" .
x:flag/p a skg:RiskFlag ; skg:flagged x:programme/p ;
  skg:indicator x:risk/mass-surveillance-programme ;
  skg:evidence x:src/s ; skg:confidence skg:StatedInReport ; skg:status skg:Reported .
""" + "".join(f'x:org/o{i} a skg:Company ; rdfs:label "O{i}" .\n' for i in range(N))

supplies = st.lists(st.tuples(
    st.integers(0, N - 1), st.integers(0, N),          # N means the programme
    st.sampled_from(LEVELS), st.sampled_from(STATUSES),
    st.one_of(st.none(), st.integers(2010, 2020)),
    st.one_of(st.none(), st.integers(0, N - 1))),      # intermediary
    min_size=1, max_size=12)
graphs = st.tuples(supplies, st.sets(st.integers(0, N - 1), max_size=3),
                   st.lists(st.tuples(st.integers(0, N - 1), st.integers(0, N - 1),
                                      st.booleans()), max_size=2))
filters = st.builds(Filters, max_hops=st.integers(1, 4),
                    as_of=st.sampled_from([None, "2012", "2016-05", "2019-01-01"]),
                    min_confidence=st.sampled_from([None, "reported-by-press", 0.85]),
                    include_unverified=st.booleans(), max_paths=st.just(10_000))


def turtle(graph: tuple[list[tuple[int, int, str, str, int | None, int | None]], set[int],
                        list[tuple[int, int, bool]]]) -> str:
    sups, located, owns = graph
    out = [BASE]
    out += [f"x:org/o{i} skg:locatedIn x:place/r .\n" for i in sorted(located)]
    for k, (a, b, conf, status, year, via) in enumerate(sups):
        to = "x:programme/p" if b == N else f"x:org/o{b}"
        body = (f"x:supply/s{k} a skg:Supply ; skg:supplier x:org/o{a} ; skg:recipient {to} ; "
                f"skg:technology x:technology/network-cameras ; skg:evidence x:src/s ; "
                f"skg:confidence skg:{conf} ; skg:status skg:{status}")
        if year is not None:
            body += f' ; skg:date "{year}"^^xsd:gYear'
        if via is not None and via not in (a, b):
            body += f" ; skg:intermediary x:org/o{via}"
        out.append(body + " .\n")
    for k, (p, c, dated) in enumerate(owns):
        if p != c:
            date = ' ; skg:startDate "2015"^^xsd:gYear' if dated else ""
            out.append(f"x:ownership/w{k} a skg:Ownership ; skg:parentOrganisation x:org/o{p} ; "
                       f"skg:subsidiary x:org/o{c} ; skg:evidence x:src/s ; "
                       f"skg:confidence skg:StatedInReport ; skg:status skg:Reported{date} .\n")
    return "".join(out)


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(graphs, filters)
def test_paths_satisfy_invariants(graph: object, f: Filters) -> None:
    proj = build_projection(store_from(turtle(graph)))  # type: ignore[arg-type]
    e = exposure(proj, iri("org/o0"), f)
    rf = resolve(proj, f)
    group = {m.entity.id for m in e.group}
    keys = set()
    best: dict[str, float] = {}
    for p in e.paths:
        assert p.nodes[0].id in group
        assert p.target.risk_indicators
        assert 1 <= len(p.hops) <= f.max_hops
        assert len({n.id for n in p.nodes}) == len(p.nodes)
        for h in p.hops:
            assert h.evidence
            assert failure(proj, proj.records[h.relation["iri"]], rf) is None
        key = tuple((h.relation["id"], h.from_, h.to) for h in p.hops)
        assert key not in keys
        keys.add(key)
        best[p.target.id] = max(best.get(p.target.id, 0.0), p.score)
    assert not e.truncated
    assert e.score == sum(t.contribution for t in e.targets) or \
        abs(e.score - sum(best.values())) < 1e-4
    assert abs(e.score - sum(best.values())) < 1e-4


@SETTINGS
@given(graphs, filters, st.tuples(st.integers(0, N - 1), st.integers(0, N),
                                  st.sampled_from(LEVELS)))
def test_adding_a_relation_is_monotone(graph: object, f: Filters,
                                       extra: tuple[int, int, str]) -> None:
    sups, located, owns = graph  # type: ignore[misc]
    before = exposure(build_projection(store_from(turtle(graph))), iri("org/o0"), f)  # type: ignore[arg-type]
    more = ([*sups, (extra[0], extra[1], extra[2], "Reported", None, None)], located, owns)
    after = exposure(build_projection(store_from(turtle(more))), iri("org/o0"), f)
    assert {t.target.id for t in before.targets} <= {t.target.id for t in after.targets}
    assert after.score >= before.score - 1e-9
