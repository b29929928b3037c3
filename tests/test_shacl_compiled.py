"""The compiled validator (shapes.ttl as SPARQL in pyoxigraph) against pySHACL, the reference.

Differential: the seeds, a generated findings file and a fixed set of mutations (one or
more per constraint kind the shapes use, each on a resource of its own) must give the
same violations, compared as (focus node, path, constraint component) multisets, with
every mutation's expected violation present so that agreement cannot come from both
finding nothing. Plus: unknown SHACL terms are refused, not skipped.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.bench_import import turtle as findings_turtle
from graph.loading import parse_bytes
from graph.namespaces import SEEDS_GRAPH, SH
from graph.shacl.engine import checks
from graph.shacl.model import UnsupportedShape
from graph.store import OxigraphStore
from graph.validation import ValidationReport, validate_quads

logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # ill-typed literals are the point

T = "https://w3id.org/survkg/id/test/"
SKG = "https://w3id.org/survkg/ontology#"
PREFIXES = f"""
@prefix skg: <{SKG}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix t: <{T}> .
@prefix org: <https://w3id.org/survkg/id/org/> .
@prefix tech: <https://w3id.org/survkg/id/technology/> .
@prefix src: <https://w3id.org/survkg/id/source/> .
@prefix risk: <https://w3id.org/survkg/id/risk/> .
"""
CLAIM = "skg:evidence src:s28 ; skg:confidence skg:ReportedByPress ; skg:status skg:Reported"
SUPPLY = ("a skg:Supply ; skg:supplier org:axis-communications ; "
          f"skg:technology tech:network-cameras ; {CLAIM}")

#: name -> (Turtle of one defective record, the (focus, path, component) it must yield).
MUTATIONS: dict[str, tuple[str, tuple[str, str | None, str]]] = {
    "supply without a source": (
        "t:m1 a skg:Supply ; skg:supplier org:axis-communications ; "
        "skg:recipient org:shanghai-psb ; skg:technology tech:network-cameras ; "
        "skg:confidence skg:ReportedByPress ; skg:status skg:Reported .",
        ("t:m1", "skg:evidence", "MinCount")),
    "ill-typed date": (
        f't:m2 {SUPPLY} ; skg:recipient org:shanghai-psb ; skg:date "2020-02-30"^^xsd:date .',
        ("t:m2", "skg:date", "Node")),
    "wrong class (recipient is a technology)": (
        f"t:m3 {SUPPLY} ; skg:recipient tech:facial-recognition .",
        ("t:m3", "skg:recipient", "Or")),
    "wrong class (maker is a place)": (
        't:m4 a skg:Product ; rdfs:label "P" ; '
        "skg:maker <https://w3id.org/survkg/id/place/china> .",
        ("t:m4", "skg:maker", "Class")),
    "two confidences": (
        f"t:m5 {SUPPLY} ; skg:recipient org:shanghai-psb ; skg:confidence skg:Inferred .",
        ("t:m5", "skg:confidence", "MaxCount")),
    "no recipient nor programme": (
        f"t:m6 {SUPPLY} .", ("t:m6", None, "Or")),
    "no product nor technology": (
        "t:m7 a skg:Supply ; skg:supplier org:axis-communications ; "
        f"skg:recipient org:shanghai-psb ; {CLAIM} .", ("t:m7", None, "Or")),
    "technology outside the scheme": (
        't:m8 a skg:Technology ; skos:prefLabel "x" ; rdfs:label "x" ; skos:inScheme t:other .',
        ("t:m8", "skos:inScheme", "HasValue")),
    "url not http": (
        't:m9 a skg:PressArticle ; dcterms:title "T" ; dcterms:publisher "P" ; '
        'skg:url "ftp://example.org/a"^^xsd:anyURI .', ("t:m9", "skg:url", "Pattern")),
    "url as a plain string": (
        't:m10 a skg:PressArticle ; dcterms:title "T" ; dcterms:publisher "P" ; '
        'skg:url "https://example.org/a" .', ("t:m10", "skg:url", "Datatype")),
    "severity above 1": (
        't:m11 a skg:RiskIndicator ; rdfs:label "r" ; skg:severity 1.5 ; '
        "skg:propagation skg:DirectOnly .", ("t:m11", "skg:severity", "MaxInclusive")),
    "severity below 0": (
        't:m12 a skg:RiskIndicator ; rdfs:label "r" ; skg:severity -0.5 ; '
        "skg:propagation skg:DirectOnly .", ("t:m12", "skg:severity", "MinInclusive")),
    "severity a string": (
        't:m13 a skg:RiskIndicator ; rdfs:label "r" ; skg:severity "high" ; '
        "skg:propagation skg:DirectOnly .", ("t:m13", "skg:severity", "Datatype")),
    "disputed without assessment": (
        "t:m14 a skg:Supply ; skg:supplier org:axis-communications ; "
        "skg:recipient org:shanghai-psb ; skg:technology tech:network-cameras ; "
        "skg:evidence src:s28 ; skg:confidence skg:ReportedByPress ; skg:status skg:Disputed .",
        ("t:m14", None, "Or")),
    "label an integer": (
        "t:m15 a skg:Company ; rdfs:label 42 .", ("t:m15", "rdfs:label", "Or")),
    "no label": ("t:m16 a skg:Company .", ("t:m16", "rdfs:label", "MinCount")),
    "controlling not a boolean": (
        "t:m17 a skg:Ownership ; skg:parentOrganisation org:canon ; "
        f'skg:subsidiary org:axis-communications ; skg:controlling "yes"^^xsd:boolean ; {CLAIM} .',
        ("t:m17", "skg:controlling", "Datatype")),
    "participant a literal": (
        't:m18 a skg:Participation ; skg:participant "someone" ; '
        f"skg:inProgramme <https://w3id.org/survkg/id/programme/skynet> ; {CLAIM} .",
        ("t:m18", "skg:participant", "Or")),
    "response about nothing": (
        "t:m19 a skg:Response ; skg:respondent org:axis-communications ; "
        f'skg:statement "s" ; {CLAIM} .', ("t:m19", None, "Or")),
    "flag without indicator": (
        f"t:m20 a skg:RiskFlag ; skg:flagged org:shanghai-psb ; {CLAIM} .",
        ("t:m20", "skg:indicator", "MinCount")),
    "a blank supply": ("[] a skg:Supply .", ("_", "skg:supplier", "MinCount")),
    "country not a country": (
        't:m22 a skg:Company ; rdfs:label "c" ; skg:country org:canon .',
        ("t:m22", "skg:country", "Class")),
}


def _short(key: tuple[str, str | None, str]) -> tuple[str, str | None, str]:
    focus, path, comp = key
    focus = focus.replace(f"<{T}", "t:").rstrip(">") if focus.startswith("<") else "_"
    if path is not None:
        path = (path.strip("<>").replace(SKG, "skg:")
                .replace("http://www.w3.org/2000/01/rdf-schema#", "rdfs:")
                .replace("http://www.w3.org/2004/02/skos/core#", "skos:")
                .replace("http://purl.org/dc/terms/", "dcterms:"))
    return focus, path, comp.removeprefix(SH).removesuffix("ConstraintComponent")


def _keys(report: ValidationReport) -> Counter[tuple[str, str | None, str]]:
    return Counter(_short(r.key()) for r in report.results)


def _both(quads: list[ox.Quad], context: OxigraphStore | None) -> tuple[
        ValidationReport, ValidationReport]:
    fast = validate_quads(quads, context=context, validator="sparql")
    ref = validate_quads(quads, context=context, validator="pyshacl")
    return fast, ref


def _turtle(text: str) -> list[ox.Quad]:
    return parse_bytes((PREFIXES + text).encode(), ox.RdfFormat.TURTLE)


def test_seeds_with_every_mutation_agree_with_pyshacl(seed_store: OxigraphStore) -> None:
    seeds = list(seed_store.quads(None, None, None, SEEDS_GRAPH))
    clean_fast, clean_ref = _both(seeds, None)
    assert clean_fast.conforms and clean_ref.conforms, clean_fast.violations
    mutated = seeds + _turtle("\n".join(text for text, _ in MUTATIONS.values()))
    fast, ref = _both(mutated, None)
    assert _keys(fast) == _keys(ref)
    found = _keys(fast)
    missing = [name for name, (_, key) in MUTATIONS.items() if key not in found]
    assert not missing, f"mutations no validator caught: {missing}"
    assert not fast.conforms
    # The shapes' own messages are the same; pySHACL's generic ones dump nested shapes.
    generic = ("Node ", "Value ", "Less than", "More than")
    assert [r.message for r in fast.results if not r.message.startswith(generic)] == [
        r.message for r in ref.results if not r.message.startswith(generic)]


def test_generated_file_with_the_store_as_context_agrees(seed_store: OxigraphStore) -> None:
    quads = parse_bytes(findings_turtle(40).encode(), ox.RdfFormat.TURTLE)
    fast, ref = _both(quads, seed_store)
    assert fast.conforms and ref.conforms, fast.violations
    # Without the store the recipients (existing police bureaus) are unknown: refused.
    alone = validate_quads(quads, validator="sparql")
    assert not alone.conforms
    assert {_short(r.key())[1:] for r in alone.results} == {("skg:recipient", "Or")}
    # The same file with a defect every few findings.
    text = findings_turtle(12)
    broken = (text.replace('skg:date "2020"^^xsd:gYear ; skg:evidence ex:s3 ;',
                           'skg:date "2020-02-30"^^xsd:date ;')
              .replace("skg:product ex:p5 ;", "skg:product ex:c5 ;")
              .replace("skg:supplier ex:c7 ;", ""))
    assert broken != text
    fast, ref = _both(parse_bytes(broken.encode(), ox.RdfFormat.TURTLE), seed_store)
    assert _keys(fast) == _keys(ref)
    assert {(r.focus.rsplit("/", 1)[-1], r.path and r.path.rsplit("#", 1)[-1].rstrip(">"))
            for r in fast.results} >= {("x3>", "evidence"), ("x3>", "date"),
                                       ("x5>", "product"), ("x7>", "supplier")}


def test_ill_formed_years_are_refused_where_pyshacl_is_lenient(
        seed_store: OxigraphStore) -> None:
    """The one deliberate difference: rdflib does not check xsd:gYear / gYearMonth lexical
    forms, so pySHACL accepts "2020-13"^^xsd:gYearMonth; the engine refuses it."""
    quads = _turtle(f't:y {SUPPLY} ; skg:recipient org:shanghai-psb ; '
                    'skg:date "2020-13"^^xsd:gYearMonth .')
    report = validate_quads(quads, context=seed_store, validator="sparql")
    assert [_short(r.key()) for r in report.results] == [("t:y", "skg:date", "Node")]


@pytest.mark.parametrize("extra", [
    "sh:languageIn ( \"en\" )",
    "sh:path ( skg:a skg:b )",
    "sh:equals skg:supplier",
    "sh:qualifiedValueShape [ sh:class skg:A ] ; sh:qualifiedMinCount 1",
    "sh:sparql [ sh:select \"SELECT $this WHERE {}\" ]",
])
def test_unknown_shacl_is_refused_not_skipped(tmp_path: Path, extra: str) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(f"""@prefix sh: <{SH}> . @prefix skg: <{SKG}> .
skg:S a sh:NodeShape ; sh:targetClass skg:Supply ;
  sh:property [ sh:path skg:supplier ; sh:minCount 1 ] ;
  sh:property [ sh:path skg:recipient ; {extra} ] .
""")
    with pytest.raises(UnsupportedShape, match="shape"):
        checks(shapes)


def test_every_shape_of_shapes_ttl_is_compiled() -> None:
    """Each targeted shape and each of its property shapes yields at least one query."""
    compiled = checks()
    shapes = {c.shape.label for c in compiled}
    text = (Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl").read_text()
    targeted = {line.split()[0].replace("shp:", "https://w3id.org/survkg/shapes#")
                for line in text.splitlines() if line.startswith("shp:")
                and "sh:targetClass" in text.split(line, 1)[1].split("\n\n", 1)[0]}
    assert targeted <= shapes
    assert len(compiled) >= text.count("sh:minCount") + text.count("sh:maxCount")


FURTHER_SHAPES = f"""@prefix sh: <{SH}> . @prefix ex: <{T}> .
ex:A a sh:NodeShape ; sh:targetNode ex:n1 , ex:n2 , ex:n3 ;
  sh:property [ sh:path ex:name ; sh:minLength 2 ; sh:maxLength 5 ] ;
  sh:property [ sh:path ex:score ; sh:minExclusive 0 ; sh:maxExclusive 10 ] ;
  sh:property [ sh:path ex:link ; sh:nodeKind sh:IRI ] .
ex:B a sh:NodeShape ; sh:targetSubjectsOf ex:owns ;
  sh:xone ( [ sh:path ex:a ; sh:minCount 1 ] [ sh:path ex:b ; sh:minCount 1 ] ) ;
  sh:and ( [ sh:path ex:c ; sh:maxCount 1 ] [ sh:path ex:c ; sh:nodeKind sh:Literal ] ) .
ex:C a sh:NodeShape ; sh:targetObjectsOf ex:owns ;
  sh:property [ sh:path ex:kind ; sh:minCount 1 ; sh:nodeKind sh:BlankNodeOrIRI ] .
"""
FURTHER_DATA = """@prefix ex: <https://w3id.org/survkg/id/test/> .
ex:n1 ex:name "a" ; ex:score 0 ; ex:link "x" .
ex:n2 ex:name "abcdef" ; ex:score 10.5 ; ex:link ex:z .
ex:n3 ex:name "abc" ; ex:score 5 ; ex:link ex:z .
ex:p1 ex:owns ex:q1 ; ex:a 1 ; ex:b 2 ; ex:c 1 , 2 .
ex:p2 ex:owns ex:q2 ; ex:a 1 ; ex:c ex:iri .
ex:p3 ex:owns ex:q1 ; ex:b 1 ; ex:c "one" .
ex:q1 ex:kind "lit" .
"""


def test_further_constraint_kinds_agree_with_pyshacl(tmp_path: Path) -> None:
    """Kinds shapes.ttl does not use yet (so that a new shape using them is checked, not
    refused): lengths, exclusive bounds, node kinds, sh:and, sh:xone, and targets by node,
    by subject and by object; same violations as pySHACL on data breaking each."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(FURTHER_SHAPES, encoding="utf-8")
    quads = parse_bytes(FURTHER_DATA.encode(), ox.RdfFormat.TURTLE)
    fast = validate_quads(quads, validator="sparql", shapes=shapes)
    ref = validate_quads(quads, validator="pyshacl", shapes=shapes)
    assert _keys(fast) == _keys(ref)
    found = {(focus, comp) for focus, _, comp in _keys(fast)}
    assert found == {("t:n1", "MinLength"), ("t:n1", "MinExclusive"), ("t:n1", "NodeKind"),
                     ("t:n2", "MaxLength"), ("t:n2", "MaxExclusive"), ("t:p1", "Xone"),
                     ("t:p1", "And"), ("t:p2", "And"), ("t:q1", "NodeKind"),
                     ("t:q2", "MinCount")}


def test_the_validator_is_chosen_by_setting(monkeypatch: pytest.MonkeyPatch,
                                            seed_store: OxigraphStore) -> None:
    quads = _turtle(MUTATIONS["supply without a source"][0])
    assert validate_quads(quads, context=seed_store).validator == "sparql"
    monkeypatch.setenv("SURVKG_VALIDATOR", "pyshacl")
    report = validate_quads(quads, context=seed_store)
    assert report.validator == "pyshacl"
    assert [_short(r.key()) for r in report.results] == [("t:m1", "skg:evidence", "MinCount")]
    monkeypatch.setenv("SURVKG_VALIDATOR", "fast")
    with pytest.raises(ValueError, match="SURVKG_VALIDATOR"):
        validate_quads(quads)
