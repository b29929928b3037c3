"""FollowTheMoney in and out (graph/interchange/ftm*.py, docs/ftm.md).

The export of the seed graph is checked with the ``followthemoney`` library's own model
(schema, property types, required properties, cleaning that changes nothing); the round
trip exports the seeds, imports the file into a fresh store and compares the documented
subset; hand-written files cover the mapping, the notes and every kind of problem.
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from followthemoney import model

from graph.errors import InvalidData
from graph.interchange.ftm import entity_problems, ftm_id_resolver, read_ftm, write_ftm
from graph.interchange.model import Mapped
from graph.loading import open_store
from graph.namespaces import ID, SKG, skg
from graph.queries import select_rows
from graph.store import OxigraphStore, Store
from graph.validation import validate_quads

IMPORT_GRAPH = ox.NamedNode("https://w3id.org/survkg/graph/import/test")


def mint(kind: str, key: str) -> ox.NamedNode:
    """Like the pipeline's: IRIs under an import namespace of their own."""
    return ox.NamedNode(f"{ID}import/test/{kind}/{quote(key, safe='')}")


def lines(*entities: dict[str, Any] | str) -> bytes:
    return "\n".join(e if isinstance(e, str) else json.dumps(e) for e in entities).encode()


def ent(ident: str, schema: str, **props: list[str]) -> dict[str, Any]:
    return {"id": ident, "schema": schema, "properties": props}


@pytest.fixture(scope="module")
def exported(seed_store: OxigraphStore) -> list[dict[str, Any]]:
    buf = io.StringIO()
    count = write_ftm(seed_store, buf)
    entities = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert count == len(entities) > 0
    return entities


def imported_store(mapped: Mapped) -> OxigraphStore:
    """A fresh store with the ontology, the seed places and technologies only (what the
    mapper links to) and the mapped quads in a named graph of their own."""
    store = open_store(memory=True, seed=False)
    from graph.loading import ONTOLOGY_DIR, SEEDS_DIR, parse_file

    store.extend(parse_file(ONTOLOGY_DIR / "technologies.ttl", graph=IMPORT_GRAPH))
    for name in ("countries.ttl", "places.ttl"):
        store.extend(parse_file(SEEDS_DIR / name, graph=IMPORT_GRAPH))
    store.extend(ox.Quad(q.subject, q.predicate, q.object, IMPORT_GRAPH) for q in mapped.quads)
    return store


# ---------------------------------------------------------------------------- export


def test_export_passes_the_followthemoney_model(exported: list[dict[str, Any]]) -> None:
    ids = {e["id"] for e in exported}
    assert len(ids) == len(exported), "FtM ids must be unique"
    for e in exported:
        assert entity_problems(e) == [], e["id"]
        schema = model.get(e["schema"])
        assert schema is not None and not schema.abstract
        assert schema.validate(e) is None  # raises followthemoney.exc.InvalidData otherwise
        proxy = model.get_proxy(e, cleaned=False)  # re-validates and normalises every value
        assert proxy.to_dict()["properties"] == e["properties"], e["id"]
        for name, values in e["properties"].items():
            if schema.properties[name].type.name == "entity":
                assert set(values) <= ids, f"{e['id']}.{name} refers outside the file"


def test_export_covers_the_seed_organisations_and_claims(
        seed_store: OxigraphStore, exported: list[dict[str, Any]]) -> None:
    by_schema: dict[str, int] = {}
    for e in exported:
        by_schema[e["schema"]] = by_schema.get(e["schema"], 0) + 1

    def count(cls: str) -> int:
        _, rows = select_rows(seed_store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) "
                                          f"WHERE {{ ?x a {cls} }}")
        return int(rows[0][0])

    orgs = count("?c . VALUES ?c { skg:Organisation skg:Company skg:GovernmentBody "
                 "skg:PublicSecurityBody skg:ResearchInstitute skg:UnnamedEndUser }")
    assert by_schema["Company"] + by_schema["Organization"] + by_schema["PublicBody"] == orgs
    assert by_schema["Ownership"] == count("skg:Ownership")
    assert by_schema["Succession"] == count("skg:Succession")
    assert by_schema["ContractAward"] == by_schema["Contract"] == count("skg:Supply")
    assert by_schema["Project"] == count("skg:SurveillanceProgramme")
    morpho = next(e for e in exported if e["id"] == "survkg-org-morpho")
    assert morpho["schema"] == "Company"
    assert morpho["properties"]["country"] == ["fr"]
    psb = next(e for e in exported if e["id"] == "survkg-org-shanghai-psb")
    assert psb["schema"] == "PublicBody"
    assert psb["properties"]["classification"] == ["public-security / law-enforcement body"]
    assert psb["properties"]["country"] == ["cn"]


def test_export_supply_as_contract_and_award(exported: list[dict[str, Any]]) -> None:
    by_id = {e["id"]: e for e in exported}
    award = by_id["survkg-supply-t-01"]
    contract = by_id[award["properties"]["contract"][0]]
    assert award["schema"] == "ContractAward" and contract["schema"] == "Contract"
    assert award["properties"]["supplier"] == ["survkg-org-morpho"]
    assert contract["properties"]["authority"] == ["survkg-org-shanghai-psb"]
    assert contract["properties"]["classification"] == ["facial recognition"]
    assert contract["properties"]["contractDate"] == ["2015"]
    assert award["properties"]["status"] == ["reported"]
    assert all(u.startswith("http") for u in award["properties"]["sourceUrl"])
    # a recipient that is a programme becomes the contract's project
    t02 = by_id[by_id["survkg-supply-t-02"]["properties"]["contract"][0]]
    assert t02["properties"]["project"] == ["survkg-programme-guilin-skynet-upgrade"]
    assert "authority" not in t02["properties"]


def test_export_writes_bytes_too(seed_store: OxigraphStore) -> None:
    text, raw = io.StringIO(), io.BytesIO()
    assert write_ftm(seed_store, text) == write_ftm(seed_store, raw)
    assert raw.getvalue().decode("utf-8") == text.getvalue()


# ---------------------------------------------------------------------------- round trip


ORGS = """SELECT ?label ?code WHERE {
  ?o a ?c . VALUES ?c { skg:Organisation skg:Company skg:GovernmentBody skg:PublicSecurityBody
                        skg:ResearchInstitute skg:UnnamedEndUser }
  ?o rdfs:label ?label .
  OPTIONAL { ?o skg:country ?country . ?country skg:countryCode ?code
             FILTER(STRLEN(?code) = 2) } }"""
ORG_CLASSES = """SELECT ?label ?c WHERE {
  ?o a ?c . VALUES ?c { skg:Organisation skg:Company skg:GovernmentBody skg:PublicSecurityBody
                        skg:ResearchInstitute skg:UnnamedEndUser }
  ?o rdfs:label ?label }"""
OWNERSHIPS = """SELECT ?p ?s ?start ?end ?controlling WHERE {
  ?x a skg:Ownership ; skg:parentOrganisation/rdfs:label ?p ; skg:subsidiary/rdfs:label ?s .
  OPTIONAL { ?x skg:startDate ?start } OPTIONAL { ?x skg:endDate ?end }
  OPTIONAL { ?x skg:controlling ?controlling } }"""
OWNERSHIP_SOURCES = """SELECT ?p ?s ?url WHERE {
  ?x a skg:Ownership ; skg:parentOrganisation/rdfs:label ?p ; skg:subsidiary/rdfs:label ?s ;
     skg:evidence/skg:url ?url }"""
SUCCESSIONS = """SELECT ?p ?s ?date ?kind WHERE {
  ?x a skg:Succession ; skg:predecessor/rdfs:label ?p ; skg:successor/rdfs:label ?s .
  OPTIONAL { ?x skg:date ?date } OPTIONAL { ?x skg:changeKind ?kind } }"""
SUPPLIES = """SELECT ?supplier ?recipient ?programme ?tech ?date WHERE {
  ?x a skg:Supply ; skg:supplier/rdfs:label ?supplier ;
     skg:technology|(skg:productAlternative/skg:technology) ?tech .
  OPTIONAL { ?x skg:recipient/rdfs:label ?recipient }
  OPTIONAL { ?x skg:forProgramme/rdfs:label ?programme }
  OPTIONAL { ?x skg:date ?date } }"""
PARTICIPATIONS = """SELECT ?member ?programme ?role WHERE {
  ?x a skg:Participation ; skg:participant ?m ; skg:inProgramme/rdfs:label ?programme ;
     skg:role ?role . ?m rdfs:label ?member ; a ?c .
  VALUES ?c { skg:Organisation skg:Company skg:GovernmentBody skg:PublicSecurityBody
              skg:ResearchInstitute skg:UnnamedEndUser } }"""


def rows(store: Store, sparql: str) -> set[tuple[str, ...]]:
    _, found = select_rows(store, sparql)
    return {tuple(r) for r in found}


@pytest.fixture(scope="module")
def round_trip(exported: list[dict[str, Any]]) -> tuple[Mapped, OxigraphStore]:
    data = "\n".join(json.dumps(e) for e in exported).encode()
    mapped = read_ftm(data, name="seeds.ftm.jsonl", mint=mint)
    return mapped, imported_store(mapped)


@pytest.mark.parametrize("query", [ORGS, ORG_CLASSES, OWNERSHIPS, OWNERSHIP_SOURCES,
                                   SUCCESSIONS, SUPPLIES])
def test_round_trip_keeps_the_documented_subset(
        seed_store: OxigraphStore, round_trip: tuple[Mapped, OxigraphStore],
        query: str) -> None:
    before = rows(seed_store, query)
    assert before, "the seeds have something to compare"
    assert rows(round_trip[1], query) == before


def test_round_trip_keeps_participations_of_organisations(
        seed_store: OxigraphStore, round_trip: tuple[Mapped, OxigraphStore]) -> None:
    # ProjectParticipant.participant is a LegalEntity: a programme inside a programme has
    # no FtM form (docs/ftm.md), so only organisations' participations come back.
    before = rows(seed_store, PARTICIPATIONS)
    assert before and rows(round_trip[1], PARTICIPATIONS) == before


def test_round_trip_import_conforms_to_the_shapes(
        seed_store: OxigraphStore, round_trip: tuple[Mapped, OxigraphStore]) -> None:
    mapped, _ = round_trip
    report = validate_quads(mapped.quads, context=seed_store)
    assert report.conforms, report.violations[:5]


def test_round_trip_grades_are_the_cautious_defaults(
        round_trip: tuple[Mapped, OxigraphStore]) -> None:
    store = round_trip[1]
    grades = rows(store, "SELECT DISTINCT ?c ?s WHERE { ?x skg:confidence ?c ; skg:status ?s }")
    assert grades == {("skg:Inferred", "skg:Unverified")}
    missing = rows(store, "SELECT ?x WHERE { ?x skg:status skg:Unverified "
                          "FILTER NOT EXISTS { ?x skg:assessment ?a } }")
    assert missing == set()


def test_round_trip_keeps_ftm_ids_and_reexports_them(
        round_trip: tuple[Mapped, OxigraphStore], exported: list[dict[str, Any]]) -> None:
    mapped, store = round_trip
    assert mapped.records == len([e for e in exported if e["schema"] != "Contract"])
    again = io.StringIO()
    write_ftm(store, again)
    ids_again = {json.loads(line)["id"] for line in again.getvalue().splitlines()}
    assert ids_again == {e["id"] for e in exported}


# ---------------------------------------------------------------------------- good files

GOOD = lines(
    ent("acme", "Company", name=["Acme Vision"], alias=["Acme"], previousName=["Acme Optics"],
        country=["de", "cn"], jurisdiction=["de"], website=["https://acme.example"]),
    ent("psb", "PublicBody", name=["Example Public Security Bureau"],
        classification=["public-security / law-enforcement body"], country=["cn"]),
    ent("holding", "LegalEntity", name=["Acme Holding"]),
    ent("own-1", "Ownership", owner=["holding"], asset=["acme"], startDate=["2019-03"],
        percentage=["30"], sourceUrl=["https://registry.example/acme"],
        publisher=["Example Registry"]),
    ent("own-2", "Ownership", owner=["psb"], asset=["acme"], endDate=["2021-05-03"]),
    ent("ceo", "Person", name=["Jane Doe"]),
    ent("dir-1", "Directorship", director=["ceo"], organization=["acme"]),
    ent("own-3", "Ownership", owner=["ceo"], asset=["acme"]),
    ent("mail", "Email", subject=["hello"]),
    ent("c-1", "Contract", title=["Cameras for the bureau"], authority=["psb"],
        classification=["Network (IP) surveillance cameras"], contractDate=["2018"]),
    ent("aw-1", "ContractAward", contract=["c-1"], supplier=["acme"]),
    ent("c-2", "Contract", title=["Office chairs"], authority=["psb"],
        classification=["furniture"]),
    ent("aw-2", "ContractAward", contract=["c-2"], supplier=["acme"]),
    "",
    ent("acme", "Company", name=["Acme Vision"], notes=["a second fragment of acme"]),
)


@pytest.fixture(scope="module")
def good() -> tuple[Mapped, OxigraphStore]:
    mapped = read_ftm(GOOD, name="good.ftm.jsonl", mint=mint)
    return mapped, imported_store(mapped)


def test_good_file_maps_organisations(good: tuple[Mapped, OxigraphStore]) -> None:
    store = good[1]
    assert rows(store, "SELECT ?l ?c WHERE { ?o skg:ftmId ?id ; rdfs:label ?l ; a ?c "
                       "FILTER(?id IN ('acme', 'psb', 'holding')) }") == {
        ("Acme Vision", "skg:Company"),
        ("Example Public Security Bureau", "skg:PublicSecurityBody"),
        ("Acme Holding", "skg:Organisation")}
    assert rows(store, "SELECT ?a WHERE { ?o skg:ftmId 'acme' ; skos:altLabel ?a }") == {
        ("Acme",), ("Acme Optics",)}
    # jurisdiction comes before country for skg:country; every country is a location;
    # every ISO country is in the seeds (seeds/countries.ttl), so none is minted
    assert rows(store, "SELECT ?c WHERE { ?o skg:ftmId 'acme' ; skg:country ?c }") == {
        ("id:place/germany",)}
    assert rows(store, "SELECT ?c WHERE { ?o skg:ftmId 'acme' ; skg:locatedIn ?c }") == {
        ("id:place/germany",), ("id:place/china",)}
    assert rows(store, "SELECT ?l ?code WHERE { id:place\\/germany a skg:Country ; "
                       "rdfs:label ?l ; skg:countryCode ?code }") == {("Germany", "de"),
                                                                     ("Germany", "deu")}


def test_good_file_maps_ownership_with_its_evidence(good: tuple[Mapped, OxigraphStore]) -> None:
    store = good[1]
    assert rows(store, """SELECT ?p ?s ?start ?controlling ?title ?pub ?url WHERE {
        ?x skg:ftmId 'own-1' ; skg:parentOrganisation/rdfs:label ?p ;
           skg:subsidiary/rdfs:label ?s ; skg:startDate ?start ; skg:controlling ?controlling ;
           skg:evidence ?src . ?src dcterms:title ?title ; dcterms:publisher ?pub ;
           skg:url ?url }""") == {(
        "Acme Holding", "Acme Vision", "2019-03", "false", "https://registry.example/acme",
        "Example Registry", "https://registry.example/acme")}
    # no sourceUrl, no publisher: the file itself is the source
    assert rows(store, """SELECT ?end ?title WHERE { ?x skg:ftmId 'own-2' ;
        skg:endDate ?end ; skg:evidence/dcterms:title ?title }""") == {
        ("2021-05-03", "FollowTheMoney file good.ftm.jsonl")}


def test_good_file_maps_a_contract_award_naming_a_known_technology(
        good: tuple[Mapped, OxigraphStore]) -> None:
    assert rows(good[1], """SELECT ?l ?s ?r ?t ?d WHERE { ?x a skg:Supply ; rdfs:label ?l ;
        skg:supplier/rdfs:label ?s ; skg:recipient/rdfs:label ?r ; skg:technology ?t ;
        skg:date ?d }""") == {("Cameras for the bureau", "Acme Vision",
                               "Example Public Security Bureau",
                               "id:technology/network-cameras", "2018")}


def test_good_file_notes_what_does_not_map(good: tuple[Mapped, OxigraphStore]) -> None:
    mapped = good[0]
    notes = "\n".join(mapped.notes)
    assert "1 Person entity skipped: survkg does not record people" in notes
    assert "1 Directorship entity skipped" in notes
    assert "1 Email entity skipped: no counterpart" in notes
    assert "1 Ownership entity skipped: owner is a Person" in notes
    assert "1 ContractAward entity skipped: its contract's classification names no " \
           "surveillance technology" in notes
    assert "1 LegalEntity entity imported as skg:Organisation" in notes
    assert "Company.website (1)" in notes and "Company.notes (1)" in notes
    # orgs 3 + ownerships 2 + supply 1
    assert mapped.records == 6


def test_good_file_conforms_to_the_shapes(seed_store: OxigraphStore,
                                          good: tuple[Mapped, OxigraphStore]) -> None:
    report = validate_quads(good[0].quads, context=seed_store)
    assert report.conforms, report.violations


def test_grades_can_be_given(seed_store: OxigraphStore) -> None:
    mapped = read_ftm(GOOD, name="good.ftm.jsonl", mint=mint,
                      confidence=skg("PrimaryNonReport"), status=skg("Reported"))
    graded = {(q.predicate.value, q.object) for q in mapped.quads
              if q.predicate in {skg("confidence"), skg("status"), skg("assessment")}}
    assert graded == {(SKG + "confidence", skg("PrimaryNonReport")),
                      (SKG + "status", skg("Reported"))}
    assert validate_quads(mapped.quads, context=seed_store).conforms


def test_references_resolve_against_the_store() -> None:
    store = open_store(memory=True)
    first = read_ftm(lines(ent("acme", "Company", name=["Acme Vision"]),
                           ent("parent", "Company", name=["Acme Parent"])),
                     name="first.jsonl", mint=mint)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, IMPORT_GRAPH) for q in first.quads)
    later = lines(ent("own", "Ownership", owner=["parent"], asset=["acme"]))
    with pytest.raises(InvalidData):
        read_ftm(later, name="later.jsonl", mint=mint)
    mapped = read_ftm(later, name="later.jsonl", mint=mint, resolve=ftm_id_resolver(store))
    parents = [q.object for q in mapped.quads if q.predicate == skg("parentOrganisation")]
    assert parents == [mint("org", "parent")]


# ---------------------------------------------------------------------------- bad files

BAD = lines(
    '{"id": "a", "schema": "Company", "properties": {"name": ["A"]}',          # 1 bad JSON
    ent("b", "Spaceship", name=["B"]),                                        # 2 schema
    ent("c", "Company", name=["C"], country=["Narnia"]),                      # 3 bad value
    ent("d", "Company", name=["D"], colour=["red"]),                          # 4 no such prop
    ent("e", "Company", alias=["E"]),                                         # 5 name missing
    ent("own", "Ownership", owner=["nowhere"], asset=["d"]),                  # 6 dangling
    '["not", "an", "entity"]',                                                # 7 not object
    ent("bad id!", "Company", name=["F"]),                                    # 8 bad id
    ent("g", "Company", name=["G"], incorporationDate=["yesterday"]),         # 9 bad date
)


def test_bad_file_lists_every_problem_with_line_and_field() -> None:
    with pytest.raises(InvalidData) as caught:
        read_ftm(BAD, name="bad.ftm.jsonl", mint=mint)
    err = caught.value
    assert err.file == "bad.ftm.jsonl" and err.line == 1
    found = {(p.line, p.field) for p in err.problems}  # type: ignore[attr-defined]
    assert found == {
        (1, None), (2, "schema"), (3, "properties.country"), (4, "properties.colour"),
        (5, "properties.name"), (6, "properties.owner"), (7, None), (8, "id"),
        (9, "properties.incorporationDate")}
    first = err.problems[0]
    assert first.column is not None  # type: ignore[attr-defined]
    assert all(p.file == "bad.ftm.jsonl" for p in err.problems)  # type: ignore[attr-defined]
    assert "nowhere" in str(next(p for p in err.problems if p.line == 6))
    # asset "d" is in the file but refused itself (line 4): no second problem for it


def test_conflicting_fragments_and_broken_text_are_refused() -> None:
    data = lines(ent("x", "Company", name=["X"]), ent("x", "Person", name=["X"]))
    with pytest.raises(InvalidData) as caught:
        read_ftm(data, name="f.jsonl", mint=mint)
    assert caught.value.line == 2
    with pytest.raises(InvalidData) as caught:
        read_ftm(b'{"id": "x"}\n\xff\xfe', name="g.jsonl", mint=mint)
    assert caught.value.line == 2 and "UTF-8" in caught.value.message
    lone = b'{"id": "x", "schema": "Company", "properties": {"name": ["\\ud800"]}}'
    with pytest.raises(InvalidData) as caught:
        read_ftm(lone, name="h.jsonl", mint=mint)
    assert [p.field for p in caught.value.problems] == [  # type: ignore[attr-defined]
        "properties.name"]
