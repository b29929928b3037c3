"""The trust boundary around imports (docs/security.md): an import cannot change how
anyone's exposure is scored, nor write outside its own graph, and configuration written
into any other graph (by an operator's SPARQL Update, say) is not read by the engine."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import InvalidData
from graph.exposure.engine import exposure
from graph.imports import kinds
from graph.imports.catalogue import list_imports
from graph.imports.pipeline import import_data
from graph.loading import open_store
from graph.namespaces import GRAPH, ID, IMPORTS_GRAPH, SEEDS_GRAPH
from graph.projection import build_projection
from graph.store import OxigraphStore

AXIS = ID + "org/axis-communications"
CANON = ID + "org/canon"
PREFIXES = b"""@prefix skg: <https://w3id.org/survkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/research/> .
"""

# The four imports that changed Axis's and Canon's scores (issue 10), each with a phrase
# its refusal must contain.
SCORE_CHANGING = {
    "counts-disputed": (b"skg:Disputed skg:countsByDefault true .\n",
                        "ontology term skg:Disputed"),
    "new-weight": (b'skg:ReportedByPress skg:weight "1.0"^^xsd:decimal .\n',
                   "ontology term skg:ReportedByPress"),
    "subclass": (b"skg:Company rdfs:subClassOf skg:PublicSecurityBody .\n",
                 "ontology term skg:Company"),
    "second-status": (b"<https://w3id.org/survkg/id/supply/m-04> skg:status skg:Confirmed .\n",
                      "existing claim id:supply/m-04"),
}


def scores(store: OxigraphStore) -> tuple[float, float]:
    proj = build_projection(store)
    return exposure(proj, AXIS).score, exposure(proj, CANON).score


def dump(store: OxigraphStore) -> bytes:
    data = store.export(None, ox.RdfFormat.N_QUADS)
    assert data is not None
    return data


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    """Seeded, in memory; every import here is refused, and each test checks that."""
    return open_store(memory=True)


def refused(store: OxigraphStore, data: bytes, name: str) -> InvalidData:
    before, before_scores = dump(store), scores(store)
    with pytest.raises(InvalidData) as info:
        import_data(store, data, kind=kinds.for_filename(name), filename=name, actor="t")
    assert dump(store) == before, "a refused import changed the store"
    assert scores(store) == before_scores
    assert list_imports(store) == []
    return info.value


@pytest.mark.parametrize("case", sorted(SCORE_CHANGING))
def test_score_changing_import_is_refused(store: OxigraphStore, case: str) -> None:
    body, phrase = SCORE_CHANGING[case]
    # Among an otherwise valid finding of the importer's own, on line 6.
    data = PREFIXES + b"ex:acme a skg:Company ; rdfs:label \"Acme Vision\" .\n" + body
    err = refused(store, data, f"{case}.ttl")
    text = "\n".join(map(str, err.problems))
    assert phrase in text, text
    assert "import" in text and f"{case}.ttl:6" in text, text


def test_a_new_level_or_hierarchy_on_own_terms_is_refused_too(store: OxigraphStore) -> None:
    data = PREFIXES + b"""ex:Certain a skg:ConfidenceLevel ; skg:weight "1.0"^^xsd:decimal .
ex:Shell rdfs:subClassOf skg:PublicSecurityBody .
"""
    err = refused(store, data, "own-terms.ttl")
    text = "\n".join(map(str, err.problems))
    assert "skg:weight is refused" in text and "rdfs:subClassOf is refused" in text, text
    assert [p.line for p in err.problems] == [5, 6]


@pytest.mark.parametrize("graph", [SEEDS_GRAPH.value, IMPORTS_GRAPH.value,
                                   GRAPH + "import/20260101T000000Z-00000000-0000"])
def test_trig_naming_a_survkg_graph_is_refused(store: OxigraphStore, graph: str) -> None:
    data = PREFIXES + f"""<{graph}> {{
  ex:forged a skg:Company ; rdfs:label "Forged Ltd" .
}}
""".encode()
    err = refused(store, data, "forged.trig")
    assert f"named graph <{graph}> are refused" in str(err.problems[0])
    assert err.problems[0].line == 5


def test_nquads_naming_the_seeds_graph_is_refused(store: OxigraphStore) -> None:
    data = (f"<https://example.org/x> <{ID}p> \"x\" <{SEEDS_GRAPH.value}> .\n").encode()
    err = refused(store, data, "forged.nq")
    assert "named graph" in str(err.problems[0]) and err.problems[0].line == 1


def test_responding_to_an_existing_claim_is_still_allowed(store: OxigraphStore) -> None:
    """A claim of the importer's own that points *at* someone else's claim is fine."""
    data = PREFIXES + b"""ex:article a skg:PressArticle ; rdfs:label "Axis denies it" ;
    <http://purl.org/dc/terms/title> "Axis denies it" ;
    <http://purl.org/dc/terms/publisher> "Example Press" ;
    skg:url "https://example.org/press/denial"^^xsd:anyURI .
ex:reply a skg:Response ; rdfs:label "Axis reply" ;
    skg:respondsTo <https://w3id.org/survkg/id/supply/m-04> ;
    skg:respondent <https://w3id.org/survkg/id/org/axis-communications> ;
    skg:evidence ex:article .
"""
    result = import_data(store, data, kind=kinds.by_name("turtle"), filename="reply.ttl",
                         actor="t", dry_run=True, shacl=False)
    assert result.triples > 0 and not result.committed


def test_another_import_s_catalogue_record_cannot_be_forged() -> None:
    s = open_store(memory=True)
    good = (Path(__file__).parent / "data" / "imports" / "good.ttl").read_bytes()
    first = import_data(s, good, kind=kinds.by_name("turtle"), filename="good.ttl",
                        actor="alice")
    forged = PREFIXES + (f"<{ID}import/{first.id}> skg:importedBy \"mallory\" .\n").encode()
    before = dump(s)
    with pytest.raises(InvalidData) as info:
        import_data(s, forged, kind=kinds.by_name("turtle"), filename="forged.ttl",
                    actor="mallory")
    assert "record of the imports catalogue" in str(info.value.problems[0])
    assert info.value.problems[0].line == 5 and dump(s) == before


def test_configuration_in_other_graphs_is_not_read(tmp_path: object) -> None:
    """What an operator's SPARQL Update (or anything else) writes outside the ontology
    graph never configures scoring: the engine reads it from the ontology graph only."""
    s = open_store(memory=True)
    before = scores(s)
    s.update("""PREFIX skg: <https://w3id.org/survkg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA { GRAPH <https://w3id.org/survkg/graph/admin> {
          skg:Disputed skg:countsByDefault true .
          skg:Unverified skg:countsByDefault true .
          skg:Alleged skg:countsByDefault true .
          skg:ReportedByPress skg:weight "1.0"^^xsd:decimal ; skg:rank 9 .
          skg:Company rdfs:subClassOf skg:PublicSecurityBody .
          <https://w3id.org/survkg/id/risk/high-risk-region> skg:severity "5.0"^^xsd:decimal .
          skg:customer skg:exposureRole skg:SupplyTo .
          skg:PresenceFrom skg:relationWeight "1.0"^^xsd:decimal .
        } }""")
    assert scores(s) == before


def test_a_claim_with_several_statuses_is_scored_by_the_weakest() -> None:
    """Only an operator's update can give someone else's claim a second status or
    confidence; the engine then takes the one that adds least exposure."""
    s = open_store(memory=True)
    before = scores(s)
    s.update("""PREFIX skg: <https://w3id.org/survkg/ontology#>
        PREFIX supply: <https://w3id.org/survkg/id/supply/>
        INSERT DATA { GRAPH <https://w3id.org/survkg/graph/admin> {
          supply:m-04 skg:status skg:Confirmed ; skg:confidence skg:StatedInReport .
        } }""")
    assert scores(s) == before
    s.update("""PREFIX skg: <https://w3id.org/survkg/ontology#>
        INSERT { GRAPH <https://w3id.org/survkg/graph/admin> { ?c skg:status skg:Disputed } }
        WHERE { GRAPH <https://w3id.org/survkg/graph/seeds> { ?c a skg:Supply ;
                  skg:supplier <https://w3id.org/survkg/id/org/axis-communications> } }""")
    axis, canon = scores(s)
    assert axis < before[0] and canon < before[1]
