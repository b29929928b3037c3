"""Fidelity of the seed graph to the Amnesty 2020 fact sheet.

The seeds (``seeds/*.ttl``) are checked against the sheet's YAML, read independently of
the generator that wrote part of them: every transaction, end user, product, programme,
source and fact is present with the sheet's sources and confidence (never upgraded), the
misstatements are never asserted, and the whole graph conforms to the SHACL shapes.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from graph.loading import parse_bytes
from graph.namespaces import (
    DCTERMS,
    RDF_TYPE,
    RDFS_LABEL,
    SEEDS_GRAPH,
    SKOS,
    XSD,
    rid,
    skg,
    sparql_prologue,
)
from graph.store import OxigraphStore
from graph.validation import validate_quads

SHEET = Path(__file__).resolve().parent / "data" / "reference" / "amnesty-2020-facts.yaml"

CONFIDENCE = {
    "stated in report": "StatedInReport",
    "reported by press": "ReportedByPress",
    "primary (non-report)": "PrimaryNonReport",
    "inferred": "Inferred",
}
SOURCE_CLASS = {
    "amnesty_abstract": "Report", "report_copy": "Report",
    "amnesty_press_release": "PressRelease", "press": "PressArticle",
    "press_low_reliability": "PressArticle", "company_statement": "CompanyStatement",
    "government": "GovernmentRecord", "law": "LegalText", "legal_analysis": "Analysis",
    "ngo": "Analysis", "analysis": "Analysis", "academic": "Analysis",
    "context": "ContextSource", "press_background": "ContextSource",
}
NOT_COUNTED = {skg("Disputed"), skg("Unverified")}
CJK = re.compile(r"[\u3400-\u9fff]")
PR_ID = re.compile(r"^PR-[A-Z]+(?:-[A-Z]+)*")


@cache
def sheet() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SHEET.read_text(encoding="utf-8"))
    return data


def sheet_rows() -> dict[str, dict[str, Any]]:
    """Every row of the sheet that has an id, by id (entities, facts, transactions...)."""
    rows: dict[str, dict[str, Any]] = {}
    s = sheet()
    for section in ("companies", "products", "end_users", "projects"):
        for entity in s[section]:
            rows[entity["id"]] = entity
            for fact in entity["facts"]:
                rows[fact["id"]] = fact
    for section in ("related_organisations", "transactions", "risk_context", "policy",
                    "company_responses", "other_mentions", "misstatements", "sources"):
        for row in s[section]:
            rows[row["id"]] = row
    return rows


# ---------------------------------------------------------------- store helpers


def objects(store: OxigraphStore, subject: ox.NamedNode, pred: ox.NamedNode) -> list[Any]:
    return [q.object for q in store.quads(subject, pred, None, None)]


def with_sheet_id(store: OxigraphStore, sheet_id: str) -> list[ox.NamedNode]:
    subjects = {q.subject for q in store.quads(None, skg("sheetId"), ox.Literal(sheet_id))}
    return sorted((s for s in subjects if isinstance(s, ox.NamedNode)), key=lambda n: n.value)


def one_with_sheet_id(store: OxigraphStore, sheet_id: str, cls: str) -> ox.NamedNode:
    hits = [s for s in with_sheet_id(store, sheet_id) if has_type(store, s, cls)]
    assert len(hits) == 1, f"{sheet_id}: expected one skg:{cls}, found {hits}"
    return hits[0]


def has_type(store: OxigraphStore, node: ox.NamedNode, cls: str) -> bool:
    q = (sparql_prologue() +
         f"ASK {{ <{node.value}> a/rdfs:subClassOf* <{skg(cls).value}> }}")
    return bool(store.query(q))


def evidence_ids(store: OxigraphStore, claim: ox.NamedNode) -> set[str]:
    ids = set()
    for src in objects(store, claim, skg("evidence")):
        sheet_ids = objects(store, src, skg("sheetId"))
        assert sheet_ids, f"{claim.value}: evidence {src.value} has no skg:sheetId"
        ids.update(lit.value for lit in sheet_ids)
    return ids


def sheet_id_of(store: OxigraphStore, node: ox.NamedNode) -> set[str]:
    return {lit.value for lit in objects(store, node, skg("sheetId"))}


def check_claim(store: OxigraphStore, claim: ox.NamedNode, row: dict[str, Any]) -> None:
    """The claim has exactly the row's sources and the row's confidence."""
    assert evidence_ids(store, claim) == set(row["sources"]), claim.value
    assert objects(store, claim, skg("confidence")) == [skg(CONFIDENCE[row["confidence"]])], \
        claim.value


# ---------------------------------------------------------------- SHACL


def test_seed_graph_conforms_to_shapes(seed_store: OxigraphStore) -> None:
    quads = list(seed_store.quads(None, None, None, SEEDS_GRAPH))
    assert len(quads) > 2000
    report = validate_quads(quads)
    assert report.conforms, "\n".join(report.violations)


SNIPPET_PREFIXES = """
@prefix skg: <https://w3id.org/survkg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://w3id.org/survkg/id/test/> .
ex:maker a skg:Company ; <http://www.w3.org/2000/01/rdf-schema#label> "Maker" .
ex:buyer a skg:PublicSecurityBody ; <http://www.w3.org/2000/01/rdf-schema#label> "Buyer" .
ex:src a skg:PressArticle ; dcterms:title "A title" ; dcterms:publisher "A paper" ;
    skg:url "https://example.org/a"^^xsd:anyURI ; skg:date "2020-09-21"^^xsd:date .
"""


def _validate(turtle: str) -> tuple[bool, str]:
    quads = parse_bytes((SNIPPET_PREFIXES + turtle).encode(), ox.RdfFormat.TURTLE)
    report = validate_quads(quads)
    return report.conforms, "\n".join(report.violations)


SUPPLY = """
ex:s a skg:Supply ; skg:supplier ex:maker ; skg:recipient ex:buyer ;
    skg:technology <https://w3id.org/survkg/id/technology/facial-recognition> ;
    skg:confidence skg:ReportedByPress ; skg:status skg:Reported {evidence} .
"""


def test_snippet_with_source_conforms() -> None:
    conforms, violations = _validate(SUPPLY.format(evidence="; skg:evidence ex:src"))
    assert conforms, violations


def test_supply_without_source_fails_validation() -> None:
    conforms, violations = _validate(SUPPLY.format(evidence=""))
    assert not conforms
    assert "skg:evidence" in violations and "at least one source" in violations


def test_source_date_as_free_text_fails_validation() -> None:
    conforms, violations = _validate(
        SUPPLY.format(evidence="; skg:evidence ex:src") +
        'ex:src2 a skg:Report ; dcterms:title "T" ; dcterms:publisher "P" ; '
        'skg:date "sometime" .\n')
    assert not conforms
    assert "skg:date" in violations


# ---------------------------------------------------------------- transactions


#: Rows whose sheet notes say they are not a single sale: market presence, not a supply.
PRESENCE_ROWS = {"T-06"}  # "an attribute of the supply relation rather than a single sale"


@pytest.mark.parametrize("row", sheet()["transactions"], ids=lambda r: r["id"])
def test_transaction_is_a_supply_with_its_sources(seed_store: OxigraphStore,
                                                  row: dict[str, Any]) -> None:
    presence = row["id"] in PRESENCE_ROWS
    supply = one_with_sheet_id(seed_store, row["id"], "MarketPresence" if presence else "Supply")
    assert supply == rid(f"supply/{row['id'].lower()}")
    assert not (presence and has_type(seed_store, supply, "Supply")), "a listing is no sale"
    check_claim(seed_store, supply, row)
    status = objects(seed_store, supply, skg("status"))
    assert status in ([skg("Reported")], [skg("Confirmed")])
    (supplier,) = objects(seed_store, supply, skg("presentFirm" if presence else "supplier"))
    assert row["supplier"] in sheet_id_of(seed_store, supplier)
    recipients = objects(seed_store, supply, skg("presentAmong" if presence else "recipient"))
    assert len(recipients) == 1
    expected_recipient = row["end_user"] if row["end_user"].startswith("EU-") else row["id"]
    assert expected_recipient in sheet_id_of(seed_store, recipients[0])
    products = objects(seed_store, supply, skg("product"))
    alternatives = objects(seed_store, supply, skg("productAlternative"))
    named = set(re.findall(r"PR-[A-Z]+(?:-[A-Z]+)*", row["product"]))
    if "and/or" in row["product"]:  # "FaceReader and/or The Observer XT": never one for sure
        assert not products, f"{row['id']}: a certain product where the sheet has alternatives"
        expected = named | ({"PR-FACEREADER", "PR-OBSERVERXT"} if len(named) < 2 else set())
        assert {i for p in alternatives for i in sheet_id_of(seed_store, p)} == expected
        assert objects(seed_store, supply, skg("alternativesNote"))
    else:
        assert not alternatives
        assert {i for p in products for i in sheet_id_of(seed_store, p)} == named
    _check_supply_dates(seed_store, supply, str(row["date"]))


def _check_supply_dates(store: OxigraphStore, supply: ox.NamedNode, date: str) -> None:
    point = objects(store, supply, skg("date"))
    start = objects(store, supply, skg("startDate"))
    end = objects(store, supply, skg("endDate"))
    if re.fullmatch(r"\d{4}", date):
        assert [(d.value, d.datatype) for d in point] == [(date, ox.NamedNode(XSD + "gYear"))]
    elif m := re.match(r"(\d{4})-(\d{4})", date):
        assert [d.value for d in start] == [m.group(1)]
        assert [d.value for d in end] == [m.group(2)]
    else:  # 'not given ...': no typed date is invented
        assert not point and not start and not end


def test_supply_statuses_follow_the_sheet(seed_store: OxigraphStore) -> None:
    """Reported by default; Confirmed only where Noldus confirmed the MPS delivery."""
    confirmed = {s.value for s in
                 (q.subject for q in seed_store.quads(None, skg("status"), skg("Confirmed")))
                 if has_type(seed_store, s, "Supply")}
    assert confirmed == {rid("supply/t-07").value, rid("supply/vicarvision-mps").value}
    mps = rid("supply/vicarvision-mps")
    assert objects(seed_store, mps, skg("confidence")) == [skg("PrimaryNonReport")]
    assert {"F-CO-14", "F-EU-09"} <= sheet_id_of(seed_store, mps)


def test_axis_programme_supply_is_stated_in_report(seed_store: OxigraphStore) -> None:
    supply = rid("supply/axis-programmes")
    assert set(objects(seed_store, supply, skg("forProgramme"))) == {
        rid("programme/skynet"), rid("programme/sharp-eyes"), rid("programme/campaign-3-20")}
    assert objects(seed_store, supply, skg("confidence")) == [skg("StatedInReport")]
    assert evidence_ids(seed_store, supply) == {"S08", "S03"}


def test_t06_is_a_listing_with_period_and_intermediary(seed_store: OxigraphStore) -> None:
    supply = rid("supply/t-06")
    assert objects(seed_store, supply, skg("presenceKind")) == [skg("Listing")]
    assert objects(seed_store, supply, skg("presentVia")) == [rid("org/chinese-resellers")]
    assert objects(seed_store, supply, skg("presentAmong")) == [
        rid("org/chinese-surveillance-tender-issuers")]


# ---------------------------------------------------------------- entities and their facts

ENTITY_CLASS = {"companies": "Company", "products": "Product",
                "end_users": "Organisation", "projects": "SurveillanceProgramme"}


@pytest.mark.parametrize(
    ("section", "entity"),
    [(sec, e) for sec in ENTITY_CLASS for e in sheet()[sec]],
    ids=lambda x: x["id"] if isinstance(x, dict) else x)
def test_entity_and_its_facts(seed_store: OxigraphStore, section: str,
                              entity: dict[str, Any]) -> None:
    expected = ENTITY_CLASS[section]
    if entity["id"] == "EU-GUILIN-SKYNET":  # the sheet's 'end user' is a project
        expected = "SurveillanceProgramme"
    node = one_with_sheet_id(seed_store, entity["id"], expected)
    assert objects(seed_store, node, RDFS_LABEL)
    for fact in entity["facts"]:
        finding = one_with_sheet_id(seed_store, fact["id"], "Finding")
        assert node in objects(seed_store, finding, skg("about")), fact["id"]
        check_claim(seed_store, finding, fact)


@pytest.mark.parametrize("row", sheet()["related_organisations"], ids=lambda r: r["id"])
def test_related_organisation(seed_store: OxigraphStore, row: dict[str, Any]) -> None:
    node = one_with_sheet_id(seed_store, row["id"], "Organisation")
    findings = [f for f in with_sheet_id(seed_store, row["id"])
                if has_type(seed_store, f, "Finding")]
    assert len(findings) == 1
    assert node in objects(seed_store, findings[0], skg("about"))
    check_claim(seed_store, findings[0], row)


@pytest.mark.parametrize("section", ["risk_context", "policy", "other_mentions"])
def test_rowless_facts_are_findings(seed_store: OxigraphStore, section: str) -> None:
    for fact in sheet()[section]:
        finding = one_with_sheet_id(seed_store, fact["id"], "Finding")
        assert objects(seed_store, finding, skg("about")), fact["id"]
        check_claim(seed_store, finding, fact)


@pytest.mark.parametrize("row", sheet()["company_responses"], ids=lambda r: r["id"])
def test_company_response(seed_store: OxigraphStore, row: dict[str, Any]) -> None:
    response = one_with_sheet_id(seed_store, row["id"], "Response")
    check_claim(seed_store, response, row)
    assert objects(seed_store, response, skg("respondent"))
    answered = objects(seed_store, response, skg("respondsTo"))
    assert answered and all(has_type(seed_store, a, "Claim") for a in answered)
    if row["company"] != "ALL":
        company = one_with_sheet_id(seed_store, row["company"], "Company")
        assert company in objects(seed_store, response, skg("about"))
        suppliers = {s for a in answered for s in objects(seed_store, a, skg("supplier"))}
        assert suppliers <= {company, rid("org/vicarvision")} or row["id"] == "F-CR-09"


# ---------------------------------------------------------------- whole-graph rules


def test_every_claim_has_a_source(seed_store: OxigraphStore) -> None:
    q = sparql_prologue() + """
        SELECT ?c WHERE {
          ?c a/rdfs:subClassOf* skg:Claim .
          FILTER NOT EXISTS { ?c skg:evidence ?s . ?s a/rdfs:subClassOf* skg:Source } }"""
    assert [str(row[0]) for row in seed_store.query(q)] == []  # type: ignore[union-attr]


def test_confidence_matches_the_sheet_everywhere(seed_store: OxigraphStore) -> None:
    """Every record whose sheet row has a confidence carries exactly that one."""
    rows = sheet_rows()
    checked = 0
    for q in seed_store.quads(None, skg("sheetId"), None, None):
        row = rows.get(q.object.value)
        confidence = objects(seed_store, q.subject, skg("confidence"))  # type: ignore[arg-type]
        if row is None or "confidence" not in row or not confidence:
            continue
        assert confidence == [skg(CONFIDENCE[row["confidence"]])], \
            f"{q.subject} ({q.object.value}): {confidence} != {row['confidence']}"
        checked += 1
    assert checked > 140


def test_every_sheet_row_is_in_the_graph(seed_store: OxigraphStore) -> None:
    missing = [rid_ for rid_ in sheet_rows() if not with_sheet_id(seed_store, rid_)]
    assert missing == []


def test_statements_are_short_summaries(seed_store: OxigraphStore) -> None:
    for q in seed_store.quads(None, skg("statement"), None, None):
        assert len(q.object.value) <= 600, q.subject
        assert q.object.language == "en", q.subject  # type: ignore[attr-defined]


# ---------------------------------------------------------------- misstatements


@pytest.mark.parametrize("row", sheet()["misstatements"], ids=lambda r: r["id"])
def test_misstatement_is_never_asserted(seed_store: OxigraphStore, row: dict[str, Any]) -> None:
    records = with_sheet_id(seed_store, row["id"])
    assert rid(f"misstatement/{row['id'].lower()}") in records
    for record in records:
        if not has_type(seed_store, record, "Claim"):
            continue
        (status,) = objects(seed_store, record, skg("status"))
        assert status in NOT_COUNTED, record
        assessments = objects(seed_store, record, skg("assessment"))
        assert [a.value for a in assessments] == [" ".join(row["assessment"].split())]
        assert evidence_ids(seed_store, record) <= set(row["sources"])


def test_m04_supply_is_unverified_press_claim(seed_store: OxigraphStore) -> None:
    supply = rid("supply/m-04")
    assert objects(seed_store, supply, skg("status")) == [skg("Unverified")]
    assert objects(seed_store, supply, skg("confidence")) == [skg("ReportedByPress")]
    assert evidence_ids(seed_store, supply) == {"S24"}
    (recipient,) = objects(seed_store, supply, skg("recipient"))
    assert recipient == rid("org/unnamed-xinjiang-end-users")
    assert objects(seed_store, recipient, skg("locatedIn")) == [rid("place/xinjiang")]


def test_only_noldus_supplies_reach_xinjiang_by_default(seed_store: OxigraphStore) -> None:
    """M-01/M-04: no counted supply of Morpho or Axis goes to an end user in Xinjiang."""
    q = sparql_prologue() + f"""
        SELECT ?s WHERE {{
          ?s a skg:Supply ; skg:recipient ?r ; skg:status ?st .
          ?st skg:countsByDefault true .
          ?r skg:locatedIn+ <{rid("place/xinjiang").value}> }}"""
    hits = {str(row[0].value) for row in seed_store.query(q)}  # type: ignore[union-attr]
    assert hits == {rid("supply/t-09").value, rid("supply/t-10").value}


def test_no_xinjiang_university_node(seed_store: OxigraphStore) -> None:
    """M-05: 'de universiteit van Xinjiang' must not become a Xinjiang University node."""
    for q in seed_store.quads(None, RDFS_LABEL, None, None):
        assert q.object.value.strip().lower() != "xinjiang university", q.subject
    for q in seed_store.quads(None, ox.NamedNode(SKOS + "altLabel"), None, None):
        assert q.object.value.strip().lower() != "xinjiang university", q.subject


# ---------------------------------------------------------------- sources


@pytest.mark.parametrize("row", sheet()["sources"], ids=lambda r: r["id"])
def test_source(seed_store: OxigraphStore, row: dict[str, Any]) -> None:
    node = one_with_sheet_id(seed_store, row["id"], "Source")
    assert node == rid(f"source/{row['id'].lower()}")
    assert objects(seed_store, node, RDF_TYPE) == [skg(SOURCE_CLASS[row["kind"]])]
    assert [t.value for t in objects(seed_store, node, ox.NamedNode(DCTERMS + "title"))] == [
        " ".join(row["title"].split())]
    assert objects(seed_store, node, ox.NamedNode(DCTERMS + "publisher"))
    assert objects(seed_store, node, skg("url")) == [
        ox.Literal(row["url"], datatype=ox.NamedNode(XSD + "anyURI"))]
    assert [k.value for k in objects(seed_store, node, skg("sourceKind"))] == [row["kind"]]
    low = objects(seed_store, node, skg("lowReliability"))
    assert [v.value for v in low] == (["true"] if row["kind"] == "press_low_reliability" else [])
    _check_source_date(seed_store, node, str(row["date"]))


def _check_source_date(store: OxigraphStore, node: ox.NamedNode, date: str) -> None:
    typed = objects(store, node, skg("date"))
    for pattern, dtype in ((r"\d{4}-\d{2}-\d{2}", "date"), (r"\d{4}-\d{2}", "gYearMonth"),
                           (r"\d{4}", "gYear")):
        if re.fullmatch(pattern, date):
            assert typed == [ox.Literal(date, datatype=ox.NamedNode(XSD + dtype))]
            return
    assert [t.value for t in objects(store, node, skg("dateText"))] == [date]
    m = re.match(r"\d{4}-\d{2}-\d{2}\b", date)
    assert [t.value for t in typed] == ([m.group(0)] if m else [])


def test_every_source_has_title_and_url(seed_store: OxigraphStore) -> None:
    """Every source has a title; every sheet source (S01..S59) has its http(s) URL."""
    q = sparql_prologue() + """
        SELECT ?s WHERE { ?s a/rdfs:subClassOf* skg:Source .
          FILTER NOT EXISTS { ?s dcterms:title ?t } }"""
    assert [str(row[0]) for row in seed_store.query(q)] == []  # type: ignore[union-attr]
    q = sparql_prologue() + """
        SELECT ?s WHERE { ?s a/rdfs:subClassOf* skg:Source ; skg:sheetId ?sid .
          FILTER(STRSTARTS(?sid, "S"))
          FILTER NOT EXISTS { ?s skg:url ?u
                              FILTER(datatype(?u) = xsd:anyURI && STRSTARTS(STR(?u), "http")) } }"""
    assert [str(row[0]) for row in seed_store.query(q)] == []  # type: ignore[union-attr]


def test_no_url_the_sheet_does_not_give(seed_store: OxigraphStore) -> None:
    """survkg records only URLs its sheet gives: every seed URL appears in the sheet."""
    sheet_urls = {s["url"] for s in sheet()["sources"]}
    for quad in seed_store.quads(None, skg("url"), None, SEEDS_GRAPH):
        assert quad.object.value in sheet_urls, quad.subject


# ---------------------------------------------------------------- names


def test_chinese_names_are_language_tagged(seed_store: OxigraphStore) -> None:
    for pred in (skg("chineseName"), RDFS_LABEL, ox.NamedNode(SKOS + "altLabel"),
                 ox.NamedNode(SKOS + "prefLabel"), ox.NamedNode(DCTERMS + "title")):
        for q in seed_store.quads(None, pred, None, SEEDS_GRAPH):
            lit = q.object
            assert isinstance(lit, ox.Literal)
            if pred == skg("chineseName") or CJK.search(lit.value):
                assert lit.language is not None and lit.language.startswith("zh"), q
            if pred == skg("chineseName"):  # says whether the name was read or inferred
                assert objects(seed_store, q.subject, skg("nameNote")), q.subject  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "row", [r for sec in ("end_users", "projects") for r in sheet()[sec]
            if CJK.search(r["chinese_name"])], ids=lambda r: r["id"])
def test_chinese_names_of_the_sheet_are_kept(seed_store: OxigraphStore,
                                             row: dict[str, Any]) -> None:
    """Each Chinese name the sheet gives sits on the entity or on its place."""
    (node,) = [n for n in with_sheet_id(seed_store, row["id"])
               if not has_type(seed_store, n, "Claim")]
    holders = [node, *objects(seed_store, node, skg("locatedIn"))]
    names = {n.value for h in holders for n in objects(seed_store, h, skg("chineseName"))}
    for name in re.findall(r"[\u3400-\u9fff]+", row["chinese_name"]):
        assert name in names, (row["id"], name)
    note = " ".join(n.value for h in holders for n in objects(seed_store, h, skg("nameNote")))
    if "inferred" in row["chinese_name"]:
        assert "nferred" in note, row["id"]


# ---------------------------------------------------------------- corporate structure


def test_corporate_lineage(seed_store: OxigraphStore) -> None:
    canon = rid("ownership/canon-axis-communications")
    assert objects(seed_store, canon, skg("parentOrganisation")) == [rid("org/canon")]
    assert [d.value for d in objects(seed_store, canon, skg("startDate"))] == ["2015"]
    bpi = rid("ownership/bpifrance-idemia")
    assert [v.value for v in objects(seed_store, bpi, skg("controlling"))] == ["false"]
    for local in ("safran-morpho", "safran-safran-identity-security"):
        assert [d.value for d in objects(seed_store, rid(f"ownership/{local}"),
                                         skg("endDate"))] == ["2017"]
    chain = sparql_prologue() + f"""
        ASK {{ ?a skg:predecessor <{rid("org/morpho").value}> ;
                  skg:successor ?mid . ?b skg:predecessor ?mid ;
                  skg:successor <{rid("org/idemia").value}> }}"""
    assert bool(seed_store.query(chain))


# ---------------------------------------------------------------- issue 12 shapes

ALTERNATIVES = """
ex:fr a skg:Product ; <http://www.w3.org/2000/01/rdf-schema#label> "FR" ; skg:maker ex:maker .
ex:ox a skg:Product ; <http://www.w3.org/2000/01/rdf-schema#label> "OX" ; skg:maker ex:maker .
ex:s a skg:Supply ; skg:supplier ex:maker ; skg:recipient ex:buyer ; {body} ;
    skg:evidence ex:src ; skg:confidence skg:ReportedByPress ; skg:status skg:Reported .
"""


@pytest.mark.parametrize(("body", "ok", "message"), [
    ('skg:productAlternative ex:fr , ex:ox ; skg:alternativesNote "press not specific"@en',
     True, ""),
    ('skg:productAlternative ex:fr , ex:ox', False, "skg:alternativesNote"),
    ('skg:productAlternative ex:fr ; skg:alternativesNote "x"@en', False, "at least two"),
    ('skg:productAlternative ex:fr , ex:ox ; skg:product ex:fr ; skg:alternativesNote "x"@en',
     False, "no certain skg:product")])
def test_alternatives_shape(body: str, ok: bool, message: str) -> None:
    conforms, violations = _validate(ALTERNATIVES.format(body=body))
    assert conforms is ok, violations
    assert message in violations


PRESENCE = """
ex:p a skg:MarketPresence ; skg:presentFirm ex:maker ; {body}
    skg:evidence ex:src ; skg:confidence skg:ReportedByPress ; skg:status skg:Reported .
"""


@pytest.mark.parametrize(("body", "ok", "message"), [
    ("skg:presentAmong ex:buyer ; skg:presenceKind skg:Listing ;", True, ""),
    ("skg:presenceKind skg:Listing ;", False, "skg:presentAmong"),
    ("skg:presentAmong ex:buyer ;", False, "skg:presenceKind")])
def test_market_presence_shape(body: str, ok: bool, message: str) -> None:
    conforms, violations = _validate(PRESENCE.format(body=body))
    assert conforms is ok, violations
    assert message in violations
