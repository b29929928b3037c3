"""The exposure engine on small purpose-built graphs: cycles, diamonds, several parents,
dated ownership changes, expired relations, a dead end, a target beyond max_hops,
intermediaries, programmes, unverified claims, technology and confidence filters."""

from __future__ import annotations

import pytest

from graph.errors import InvalidParameter, UnknownEntity
from graph.exposure import (
    Filters,
    chokepoints,
    exposure,
    paths_between,
    ranking,
    suppliers,
    why_not,
)
from graph.projection import Projection, ProjectionCache
from tests.exposure_helpers import iri, projection_from, store_from

SRC = "x:src/s a skg:PressArticle ; dcterms:title \"A\" ; dcterms:publisher \"P\" ; " \
      "skg:date \"2020-01-02\"^^xsd:date ; skg:url \"https://e.org/a\"^^xsd:anyURI .\n"


def supply(name: str, frm: str, to: str | None = None, *, via: str | None = None,
           prog: str | None = None, conf: str = "ReportedByPress", status: str = "Reported",
           extra: str = "", tech: str = "technology/network-cameras") -> str:
    parts = [f"x:supply/{name} a skg:Supply ; skg:supplier x:org/{frm} ; skg:evidence x:src/s",
             f"skg:confidence skg:{conf} ; skg:status skg:{status}",
             f"skg:technology x:{tech}"]
    if to:
        parts.append(f"skg:recipient x:{to}")
    if via:
        parts.append(f"skg:intermediary x:org/{via}")
    if prog:
        parts.append(f"skg:forProgramme x:programme/{prog}")
    if extra:
        parts.append(extra)
    return " ; ".join(parts) + " .\n"


def claim(kind: str, name: str, body: str) -> str:
    return (f"x:{name} a skg:{kind} ; {body} ; skg:evidence x:src/s ; "
            "skg:confidence skg:StatedInReport ; skg:status skg:Reported .\n")


GRAPH = SRC + """
x:place/land a skg:Country ; rdfs:label "Land" .
x:place/region a skg:Region ; rdfs:label "Region" ; skg:locatedIn x:place/land .
x:place/city a skg:City ; rdfs:label "City" ; skg:locatedIn x:place/region .
x:org/a a skg:Company ; rdfs:label "Alpha" ; skos:altLabel "Alfa" .
x:org/b a skg:Company ; rdfs:label "Beta Resellers" .
x:org/b2 a skg:Company ; rdfs:label "Beta Two" .
x:org/c a skg:GovernmentBody ; rdfs:label "City Bureau" ; skg:locatedIn x:place/city .
x:org/c2 a skg:GovernmentBody ; rdfs:label "Other Bureau" ; skg:locatedIn x:place/region .
x:org/c3 a skg:GovernmentBody ; rdfs:label "Unflagged Office" .
x:org/d a skg:Company ; rdfs:label "Dead End" .
x:org/p1 a skg:Company ; rdfs:label "Parent New" .
x:org/p2 a skg:Company ; rdfs:label "Parent Old" .
x:org/p3 a skg:Company ; rdfs:label "Minority Investor" .
x:org/f1 a skg:Company ; rdfs:label "F1" . x:org/f2 a skg:Company ; rdfs:label "F2" .
x:org/f3 a skg:Company ; rdfs:label "F3" . x:org/f4 a skg:Company ; rdfs:label "F4" .
x:org/g a skg:GovernmentBody ; rdfs:label "Far Target" ; skg:locatedIn x:place/region .
x:org/q a skg:Company ; rdfs:label "Q" . x:org/w a skg:Company ; rdfs:label "W" .
x:org/m a skg:Company ; rdfs:label "Middleman" .
x:org/t2 a skg:GovernmentBody ; rdfs:label "T2" ; skg:locatedIn x:place/region .
x:org/old a skg:Company ; rdfs:label "Old Name" .
x:programme/p a skg:SurveillanceProgramme ; rdfs:label "Programme P" .
""" + "".join([
    claim("RiskFlag", "flag/region", "skg:flagged x:place/region ; "
          "skg:indicator x:risk/high-risk-region"),
    claim("RiskFlag", "flag/p", "skg:flagged x:programme/p ; "
          "skg:indicator x:risk/mass-surveillance-programme"),
    # diamond + cycle
    supply("s1", "a", "org/b", extra='skg:date "2016"^^xsd:gYear'),
    supply("s2", "a", "org/b2"),
    supply("s3", "b", "org/c"),
    supply("s4", "b2", "org/c"),
    supply("s5", "b", "org/b2"),
    supply("s6", "b2", "org/b"),
    # dead end, expired, unverified
    supply("s7", "a", "org/d"),
    supply("s8", "a", "org/c2", extra='skg:startDate "2005"^^xsd:gYear ; '
           'skg:endDate "2010-06"^^xsd:gYearMonth'),
    supply("s9", "old", "org/t2", status="Unverified"),
    # a target beyond four hops
    supply("f-1", "a", "org/f1"), supply("f-2", "f1", "org/f2"),
    supply("f-3", "f2", "org/f3"), supply("f-4", "f3", "org/f4"),
    supply("f-5", "f4", "org/g"),
    # intermediaries: W -> M -> T2 is one claim; Q's own supply to M must not join it
    supply("w-1", "w", "org/t2", via="m"),
    supply("q-1", "q", "org/m"),
    # programme hop, facial recognition, inferred confidence
    supply("prog", "a", "org/c3", prog="p", conf="Inferred",
           tech="technology/facial-recognition"),
    # corporate structure: p1 owns a from 2015, p2 until 2014, p3 minority; a renamed from old
    claim("Ownership", "ownership/p1-a", 'skg:parentOrganisation x:org/p1 ; '
          'skg:subsidiary x:org/a ; skg:startDate "2015"^^xsd:gYear'),
    claim("Ownership", "ownership/p2-a", 'skg:parentOrganisation x:org/p2 ; '
          'skg:subsidiary x:org/a ; skg:endDate "2014"^^xsd:gYear'),
    claim("Ownership", "ownership/p3-a", 'skg:parentOrganisation x:org/p3 ; '
          'skg:subsidiary x:org/a ; skg:controlling false'),
    claim("Succession", "succession/old-a", "skg:predecessor x:org/old ; skg:successor x:org/a"),
    supply("early", "a", "org/c2", extra='skg:date "2012"^^xsd:gYear'),
])


@pytest.fixture(scope="module")
def proj() -> Projection:
    return projection_from(GRAPH)


def ends(e: object) -> set[str]:
    return {p.target.id for p in e.paths}  # type: ignore[attr-defined]


def test_diamond_and_cycle_give_each_simple_path_once(proj: Projection) -> None:
    e = exposure(proj, iri("org/a"))
    to_c = [tuple(n.id for n in p.nodes) for p in e.paths if p.target.id == "org/c"]
    assert sorted(to_c) == [("org/a", "org/b", "org/b2", "org/c"),
                            ("org/a", "org/b", "org/c"),
                            ("org/a", "org/b2", "org/b", "org/c"),
                            ("org/a", "org/b2", "org/c")]
    assert len(to_c) == len(set(to_c))
    best = next(t for t in e.targets if t.target.id == "org/c")
    assert best.severity == 1.0 and best.best_path == pytest.approx(0.7 * 0.7 * 0.8)


def test_dead_end_expired_and_beyond_max_hops(proj: Projection) -> None:
    e = exposure(proj, iri("org/a"))
    assert "org/d" not in ends(e)
    assert "org/g" not in ends(e)
    assert "org/g" in ends(exposure(proj, iri("org/a"), Filters(max_hops=5)))
    assert "org/c2" in ends(e)
    later = exposure(proj, iri("org/a"), Filters(as_of="2011"))
    rels = {h.relation["id"] for p in later.paths for h in p.hops}
    assert "supply/s8" not in rels and "supply/s1" not in rels  # expired / not yet started
    assert "supply/early" not in rels
    during = exposure(proj, iri("org/a"), Filters(as_of="2008-03-01"))
    assert "supply/s8" in {h.relation["id"] for p in during.paths for h in p.hops}


def test_why_not_names_the_obstacles(proj: Projection) -> None:
    far = why_not(proj, iri("org/a"), iri("org/g"))
    assert not far.reachable and {r["reason"] for r in far.reasons} == {"beyond-max-hops"}
    assert why_not(proj, iri("org/a"), iri("org/g"), Filters(max_hops=5)).reachable
    exp = why_not(proj, iri("org/a"), iri("org/c2"), Filters(as_of="2011"))
    reasons = {(r["reason"], r.get("relation", {}).get("id")) for r in exp.reasons}
    assert {("expired", "supply/s8"), ("not-yet-started", "supply/early")} <= reasons
    sold = why_not(proj, iri("org/p2"), iri("org/c2"), Filters(as_of="2020"))
    assert "not-in-group" in {r["reason"] for r in sold.reasons}
    unv = why_not(proj, iri("org/old"), iri("org/t2"))
    assert {r["reason"] for r in unv.reasons} == {"unverified"}
    dead = why_not(proj, iri("org/a"), iri("org/d"))
    assert not dead.target_is_risk and dead.reasons[0]["reason"] == "target-not-at-risk"
    none = why_not(proj, iri("org/d"), iri("org/c"))
    assert [r["reason"] for r in none.reasons] == ["no-path"]


def test_groups_follow_dated_ownership_and_ignore_minority_stakes(proj: Projection) -> None:
    new = exposure(proj, iri("org/p1"))
    old = exposure(proj, iri("org/p2"))
    assert {m.entity.id for m in new.group} >= {"org/p1", "org/a", "org/old"}
    new_rels = {p.hops[0].relation["id"] for p in new.paths}
    old_rels = {p.hops[0].relation["id"] for p in old.paths}
    assert "supply/s1" in new_rels and "supply/early" not in new_rels   # 2016 vs 2012
    assert "supply/early" in old_rels and "supply/s1" not in old_rels
    assert "supply/s2" in new_rels and "supply/s2" in old_rels          # undated: both
    minority = exposure(proj, iri("org/p3"))
    assert [m.entity.id for m in minority.group] == ["org/p3"] and minority.score == 0
    assert all(p.nodes[0].id in {m.entity.id for m in new.group} for p in new.paths)
    # as of 2013 p1 does not own a yet
    assert [m.entity.id for m in exposure(proj, iri("org/p1"), Filters(as_of="2013")).group] \
        == ["org/p1"]


def test_predecessor_history_and_unverified_marking(proj: Projection) -> None:
    a = exposure(proj, iri("org/a"))
    assert "org/old" in {m.entity.id for m in a.group}
    assert "org/t2" not in ends(a)                      # s9 is unverified
    marked = exposure(proj, iri("org/a"), Filters(include_unverified=True))
    p = next(p for p in marked.paths if p.target.id == "org/t2")
    assert not p.counts and p.hops[0].status == "unverified" and not p.hops[0].counts


def test_intermediary_hops_continue_their_own_claim(proj: Projection) -> None:
    w = exposure(proj, iri("org/w"))
    assert [[n.id for n in p.nodes] for p in w.paths] == [["org/w", "org/m", "org/t2"]]
    assert [h.role for h in w.paths[0].hops] == ["via-in", "via-out"]
    # one claim, one confidence term
    assert len(w.paths[0].score_terms["confidence"]) == 1
    assert exposure(proj, iri("org/q")).paths == []


def test_programme_hop_technology_and_confidence(proj: Projection) -> None:
    e = exposure(proj, iri("org/a"))
    p = next(p for p in e.paths if p.target.id == "programme/p")
    assert [h.role for h in p.hops] == ["supply", "programme"]
    assert p.target.risk_indicators[0].inherited["how"] == "direct"
    bio = exposure(proj, iri("org/a"), Filters(technology="technology/biometric-surveillance"))
    assert ends(bio) == {"programme/p"}
    assert "programme/p" not in ends(exposure(proj, iri("org/a"),
                                              Filters(min_confidence="reported-by-press")))
    assert "programme/p" not in ends(exposure(proj, iri("org/a"), Filters(min_confidence=0.5)))
    assert "programme/p" in ends(exposure(proj, iri("org/a"), Filters(min_confidence=0.4)))


def test_score_terms_add_up(proj: Projection) -> None:
    e = exposure(proj, iri("org/a"), Filters(max_paths=1000))
    assert e.score == pytest.approx(sum(t.contribution for t in e.targets), abs=1e-5)
    for t in e.targets:
        best = max(p.score for p in e.paths if p.target.id == t.target.id)
        assert t.contribution == pytest.approx(best, abs=1e-5)
    for p in e.paths:
        terms = p.score_terms
        prod = 1.0
        for c in terms["confidence"]:
            prod *= c["weight"]
        assert p.score == pytest.approx(terms["severity"] * prod * terms["decay_factor"],
                                        abs=1e-5)
    d = e.to_dict()
    assert d["paths"][0]["hops"][0]["from"] == "org/a"
    assert {"id", "iri", "label"} <= set(d["subject"])


def test_reverse_between_ranking_chokepoints(proj: Projection) -> None:
    s = suppliers(proj, iri("org/c"))
    assert {e.supplier.id for e in s.suppliers} == {"org/a", "org/b", "org/b2"}
    b = paths_between(proj, iri("org/a"), iri("org/c"), Filters(max_hops=2))
    assert b.total_paths == 2
    r = ranking(proj)
    scores = {x.subject.id: x.score for x in r.entries}
    assert scores["org/a"] == pytest.approx(exposure(proj, iri("org/a")).score, abs=1e-5)
    assert scores["org/p1"] > 0 and "org/p3" not in scores
    c = chokepoints(proj, exporters=[iri("org/w")])
    assert c.cut_size == 1 and c.min_cut[0]["relations"][0]["id"] == "supply/w-1"
    full = chokepoints(proj)
    assert full.cut_size >= 1 and full.total_paths > 0


def test_bad_input() -> None:
    proj = projection_from(GRAPH)
    with pytest.raises(UnknownEntity):
        exposure(proj, iri("org/nobody"))
    with pytest.raises(InvalidParameter):
        exposure(proj, iri("org/a"), Filters(as_of="soon"))
    with pytest.raises(InvalidParameter):
        exposure(proj, iri("org/a"), Filters(min_confidence="certain"))
    with pytest.raises(InvalidParameter):
        exposure(proj, iri("org/a"), Filters(max_hops=0))


def test_cache_refreshes_on_write() -> None:
    store = store_from(GRAPH)
    cache = ProjectionCache(store)
    first = cache.get()
    assert cache.get() is first
    store.update("INSERT DATA { <https://w3id.org/survkg/id/org/z> a "
                 "<https://w3id.org/survkg/ontology#Company> }")
    assert cache.get() is not first
