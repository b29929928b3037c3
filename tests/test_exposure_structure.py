"""Exposure results say what the sources say (issue 12): alternative products, the kind of
each link and its weight, hops resting only on low-reliability sources (shown, not
scored), and the control status under the regime in force at the supply's date beside
today's. Seed facts from the fact sheet, plus tiny fixtures for the edges of the rules."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.exposure import Filters, exposure, paths_between, suppliers
from graph.exposure.evidence import LOW_RELIABILITY_WARNING
from graph.exposure.model import Path
from graph.exposure.render import exposure_text
from graph.loading import open_store, parse_bytes
from graph.namespaces import SKG
from graph.projection import Projection, ProjectionCache, build_projection
from graph.store import Store
from tests.exposure_helpers import iri, projection_from


@pytest.fixture(scope="module")
def proj(any_seed_store: Store) -> Projection:
    """Over the embedded store, then over ``oxigraph serve``: the same answers."""
    return ProjectionCache(any_seed_store).get()


def path_to(proj: Projection, org: str, target: str) -> Path:
    (path,) = [p for p in exposure(proj, iri(org)).paths if p.target.id == target]
    return path


# ---------------------------------------------------------------- alternatives (T-09, T-10)

@pytest.mark.parametrize("target", ["org/xinjiang-normal-university",
                                    "org/xinjiang-paramilitary-university"])
def test_alternative_products_are_never_one_for_sure(proj: Projection, target: str) -> None:
    (hop,) = path_to(proj, "org/noldus", target).hops
    assert hop.product is None
    assert hop.alternatives is not None
    assert hop.alternatives["text"] == "FaceReader and/or The Observer XT"
    assert {p["id"] for p in hop.alternatives["products"]} == {"product/facereader",
                                                               "product/observer-xt"}
    # the possible technologies are both families (a technology filter still finds it)
    assert {t["id"] for t in hop.technology} == {"technology/emotion-recognition",
                                                 "technology/behaviour-analysis"}


def test_facereader_certain_recipients_leave_out_the_alternatives(proj: Projection) -> None:
    certain = {p.target.id for p in exposure(proj, iri("org/noldus")).paths
               if any(h.product and h.product["id"] == "product/facereader" for h in p.hops)}
    assert certain == {"org/ministry-of-public-security", "programme/sharp-eyes"}
    text = exposure_text(exposure(proj, iri("org/noldus")))
    assert "FaceReader and/or The Observer XT (one or more;" in text


# ---------------------------------------------------------------- kinds of link (T-06)

def test_market_presence_hop_says_its_kind_and_weight(proj: Projection) -> None:
    (path,) = paths_between(proj, iri("org/axis-communications"),
                            iri("org/chinese-surveillance-tender-issuers")).paths
    kinds = {(h.link["kind"], h.link["presence_kind"]["label"], h.link["weight"])
             for h in path.hops}
    assert kinds == {("market-presence", "listing", 0.5)}
    (term,) = path.score_terms["confidence"]  # type: ignore[index]
    assert term == {"relation": "supply/t-06", "weight": 0.35, "link": "market-presence",
                    "link_weight": 0.5}
    supply = path_to(proj, "org/axis-communications", "org/shanghai-psb")
    assert {h.link["kind"] for h in supply.hops} == {"supply"}


def test_presence_weight_is_read_from_the_ontology() -> None:
    # A bundled indicator of severity 1.0: indicators, like the weights, are read from
    # the ontology graph only (docs/security.md), not from the test's own graph.
    turtle = """
    x:org/a a skg:Company ; rdfs:label "A" .
    x:org/b a skg:PublicSecurityBody ; rdfs:label "B" .
    x:src a skg:PressArticle ; dcterms:title "t" ; dcterms:publisher "p" .
    x:flag a skg:RiskFlag ; skg:flagged x:org/b ; skg:indicator x:risk/high-risk-region ;
        skg:evidence x:src ;
        skg:confidence skg:StatedInReport ; skg:status skg:Reported .
    x:p a skg:MarketPresence ; skg:presenceKind skg:ObservedDeployment ; skg:presentFirm x:org/a ;
        skg:presentAmong x:org/b ; skg:evidence x:src ; skg:confidence skg:StatedInReport ;
        skg:status skg:Reported .
    """
    proj = projection_from(turtle)
    e = exposure(proj, iri("org/a"))
    assert e.score == pytest.approx(0.9 * 0.5)
    proj.store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{SKG}PresenceFrom> <{SKG}relationWeight> "
                      "?w } }")
    assert exposure(build_projection(proj.store), iri("org/a")).score == pytest.approx(0.9)


# ---------------------------------------------------------------- weak foundations (F-PJ-04)

def test_low_reliability_hop_is_flagged(proj: Projection) -> None:
    paths = [p for p in exposure(proj, iri("org/axis-communications")).paths
             if p.target.id == "programme/skynet" and len(p.hops) == 2]
    (path,) = paths
    supply, part = path.hops
    assert supply.reliability == {"sources": 3, "low_reliability_sources": 1,
                                  "low_only": False, "warning": None}
    assert part.reliability["low_only"] and part.reliability["warning"] == \
        LOW_RELIABILITY_WARNING
    assert path.warnings == ["programme/guilin-skynet-upgrade -> programme/skynet "
                             f"[participation/guilin-skynet-upgrade-skynet]: "
                             f"{LOW_RELIABILITY_WARNING}"]
    assert f"! {LOW_RELIABILITY_WARNING}" in exposure_text(
        exposure(proj, iri("org/axis-communications")))


def test_low_reliability_does_not_enter_the_score() -> None:
    """Decision (docs/exposure.md): the grade already weighs the evidence; reliability is
    shown on the hop, never multiplied in a second time."""
    store = open_store(memory=True)
    before = exposure(build_projection(store), iri("org/axis-communications"))
    store.update(f"DELETE WHERE {{ GRAPH ?g {{ ?s <{SKG}lowReliability> ?v }} }}")
    after = exposure(build_projection(store), iri("org/axis-communications"))
    assert after.score == before.score
    assert [p.score for p in after.paths] == [p.score for p in before.paths]
    assert not any(p.warnings for p in after.paths)
    assert any(p.warnings for p in before.paths)


# ---------------------------------------------------------------- the law at the time

def test_morpho_2015_judged_under_428_2009_and_today(proj: Projection) -> None:
    path = path_to(proj, "org/idemia", "org/shanghai-psb")
    now, then = path.control_status, path.control_status_at_time
    assert then is not None
    assert (now.status, now.regulation_label) == ("catch-all-only",
                                                  "Regulation (EU) 2021/821")
    assert (then.status, then.regulation_label, then.basis) == (
        "not-controlled", "Council Regulation (EC) No 428/2009", "at-supply-date")
    assert [e["id"] for t in then.technologies for e in t["entries"]] == [
        "control/not-listed-428-2009"]
    assert then.note == "dated 2015: Council Regulation (EC) No 428/2009 applied"


def test_undated_supply_is_bounded_by_its_earliest_source(proj: Projection) -> None:
    then = path_to(proj, "org/axis-communications", "org/lingchuan-psb").control_status_at_time
    assert then is not None and then.regulation.endswith("regulation/ec-428-2009")
    assert then.note == ("undated; reported by 2020-09-22 (earliest dated source): "
                         "Council Regulation (EC) No 428/2009 applied")


@pytest.mark.parametrize(("date", "status", "regulation"), [
    ("2022", "catch-all-only", "regulation/eu-2021-821"),
    ("2019", "not-controlled", "regulation/ec-428-2009"),
    ("2021-09", "unknown", "")])
def test_regime_follows_the_supply_date(date: str, status: str, regulation: str) -> None:
    store = open_store(memory=True)
    kind = "gYearMonth" if "-" in date else "gYear"
    store.extend(parse_bytes(f"""@prefix skg: <https://w3id.org/survkg/ontology#> .
        @prefix x: <https://w3id.org/survkg/id/> .
        <https://w3id.org/survkg/id/supply/test> a skg:Supply ;
            skg:supplier <https://w3id.org/survkg/id/org/morpho> ;
            skg:recipient <https://w3id.org/survkg/id/org/shanghai-psb> ;
            skg:technology <https://w3id.org/survkg/id/technology/facial-recognition> ;
            skg:date "{date}"^^<http://www.w3.org/2001/XMLSchema#{kind}> ;
            skg:evidence <https://w3id.org/survkg/id/source/test> ;
            skg:confidence skg:StatedInReport ; skg:status skg:Reported .
        <https://w3id.org/survkg/id/source/test> a skg:PressArticle ;
            <http://purl.org/dc/terms/title> "t" ; <http://purl.org/dc/terms/publisher> "p" ;
            skg:date "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> .
        """.encode(), ox.RdfFormat.TURTLE,
                             graph=ox.NamedNode("https://w3id.org/survkg/graph/test")))
    got = suppliers(build_projection(store), iri("org/shanghai-psb"), Filters())
    (path,) = [p for p in got.paths if p.hops[0].relation["id"] == "supply/test"]
    then = path.control_status_at_time
    assert then is not None and then.status == status
    assert then.regulation.removeprefix("https://w3id.org/survkg/id/") == regulation \
        or (regulation == "" and "spans" in (then.note or ""))


def test_presence_relation_is_not_called_a_supply(proj: Projection) -> None:
    (path,) = paths_between(proj, iri("org/axis-communications"),
                            iri("org/chinese-surveillance-tender-issuers")).paths
    assert {h.relation["kind"] for h in path.hops} == {"market-presence"}


def test_presence_hop_is_never_worded_as_supplied(proj: Projection) -> None:
    from graph.exposure.render import paths_text
    text = paths_text(paths_between(proj, iri("org/axis-communications"),
                                    iri("org/chinese-surveillance-tender-issuers")))
    assert "present, via (market presence (listing)" in text
    assert "present among (market presence (listing)" in text
    assert "supplied" not in text.split("source:")[0]
