"""The ontology is the model (STYLE 1, 3): lint it like code.

Every ``skg:`` term has a label and a comment; classes, properties and individuals are
kept apart; every property the exposure engine follows names a valid role; the value
individuals (confidence levels, statuses, risk indicators) carry the numbers the engine
reads; the SHACL shapes and the seeds only use terms the ontology defines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import rdflib.namespace as ns
from rdflib import Namespace, URIRef

from graph.loading import ontology_files, seed_files
from graph.namespaces import SKG

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "ontology" / "shapes.ttl"
S = Namespace(SKG)
SH = Namespace("http://www.w3.org/ns/shacl#")

CLASS_TYPES = {ns.OWL.Class, ns.RDFS.Class}
PROPERTY_TYPES = {ns.OWL.ObjectProperty, ns.OWL.DatatypeProperty, ns.OWL.AnnotationProperty,
                  ns.RDF.Property}
#: Vocabularies the ontology aligns with; terms from them are taken as defined.
EXTERNAL = ("http://www.w3.org/", "http://purl.org/dc/terms/", "https://schema.org/")


def _parse(paths: list[Path]) -> rdflib.Graph:
    g = rdflib.Graph()
    for path in paths:
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return _parse(ontology_files())


def skg_terms(g: rdflib.Graph) -> set[URIRef]:
    """Every IRI in the skg: namespace that the graph mentions, in any position."""
    return {t for t in g.all_nodes() if isinstance(t, URIRef) and str(t).startswith(SKG)} | {
        p for p in g.predicates() if str(p).startswith(SKG)}


def types_of(g: rdflib.Graph, term: URIRef) -> set[rdflib.term.Node]:
    return set(g.objects(term, ns.RDF.type))


def classes(g: rdflib.Graph) -> set[URIRef]:
    return {t for t in skg_terms(g) if types_of(g, t) & CLASS_TYPES}


def properties(g: rdflib.Graph) -> set[URIRef]:
    return {t for t in skg_terms(g) if types_of(g, t) & PROPERTY_TYPES}


def defined(g: rdflib.Graph) -> set[URIRef]:
    """skg: terms with an rdf:type in the ontology (classes, properties, individuals, schemes)."""
    return {t for t in skg_terms(g) if types_of(g, t)}


def short(term: rdflib.term.Node) -> str:
    return "skg:" + str(term)[len(SKG):] if str(term).startswith(SKG) else str(term)


def is_known(g: rdflib.Graph, term: rdflib.term.Node) -> bool:
    return (str(term).startswith(EXTERNAL) and not str(term).startswith(SKG)) or bool(
        types_of(g, term))  # type: ignore[arg-type]


# ------------------------------------------------------------------------- parsing

@pytest.mark.parametrize("path", [*ontology_files(), SHAPES], ids=lambda p: p.name)
def test_ontology_file_parses(path: Path) -> None:
    g = _parse([path])
    assert len(g) > 0


def test_ontology_header(onto: rdflib.Graph) -> None:
    header = URIRef(SKG.rstrip("#"))
    assert (header, ns.RDF.type, ns.OWL.Ontology) in onto
    for p in (ns.RDFS.label, ns.RDFS.comment, ns.OWL.versionInfo, URIRef("http://purl.org/dc/terms/license")):
        assert onto.value(header, p) is not None, f"the ontology header lacks {p}"


# ------------------------------------------------------------------------- labels

def test_every_skg_term_is_defined(onto: rdflib.Graph) -> None:
    """No skg: term is used in the ontology without being declared (catches typos)."""
    undefined = sorted(short(t) for t in skg_terms(onto) - defined(onto))
    assert not undefined, f"used but never declared: {undefined}"


def test_every_skg_term_has_label_and_comment(onto: rdflib.Graph) -> None:
    missing = []
    for term in sorted(defined(onto)):
        for p in (ns.RDFS.label, ns.RDFS.comment):
            values = [v for v in onto.objects(term, p) if str(v).strip()]
            if not values:
                missing.append(f"{short(term)} has no {onto.namespace_manager.normalizeUri(p)}")
            elif not any(getattr(v, "language", None) == "en" for v in values):
                missing.append(f"{short(term)}: {p} has no @en value")
    assert not missing, "\n".join(missing)


def test_one_english_label_per_term(onto: rdflib.Graph) -> None:
    many = [short(t) for t in defined(onto)
            if len([v for v in onto.objects(t, ns.RDFS.label) if v.language == "en"]) > 1]  # type: ignore[attr-defined]
    assert not many, f"several English labels: {many}"


# ------------------------------------------------------------------------- OWL hygiene

def test_classes_properties_and_individuals_are_disjoint(onto: rdflib.Graph) -> None:
    both = classes(onto) & properties(onto)
    assert not both, f"both class and property: {sorted(map(short, both))}"
    kinds = {ns.OWL.ObjectProperty, ns.OWL.DatatypeProperty, ns.OWL.AnnotationProperty}
    mixed = [short(p) for p in properties(onto) if len(types_of(onto, p) & kinds) != 1]
    assert not mixed, f"properties must be exactly one of object/datatype/annotation: {mixed}"


def test_classes_are_not_used_as_predicates_and_properties_not_as_types(onto: rdflib.Graph) -> None:
    data = onto + _parse(seed_files())
    cls, props = classes(onto), properties(onto)
    as_predicate = {p for p in data.predicates() if p in cls}
    as_type = {o for o in data.objects(None, ns.RDF.type) if o in props}
    assert not as_predicate, f"classes used as predicates: {sorted(map(short, as_predicate))}"
    assert not as_type, f"properties used as rdf:type: {sorted(map(short, as_type))}"


def test_domains_ranges_and_superclasses_are_classes(onto: rdflib.Graph) -> None:
    bad = []
    for s, p, o in onto.triples((None, None, None)):
        if not str(s).startswith(SKG) or p not in (ns.RDFS.domain, ns.RDFS.subClassOf):
            continue
        if not (o in classes(onto) or is_known(onto, o)):
            bad.append(f"{short(s)} {p} {o}: not a class")
    for prop in properties(onto):
        rng = onto.value(prop, ns.RDFS.range)
        if rng is None:
            continue
        datatype = str(rng).startswith(str(ns.XSD)) or rng == ns.RDF.langString
        if ns.OWL.DatatypeProperty in types_of(onto, prop) and not datatype:
            bad.append(f"{short(prop)} is a datatype property with class range {short(rng)}")
        if ns.OWL.ObjectProperty in types_of(onto, prop) and datatype:
            bad.append(f"{short(prop)} is an object property with datatype range {rng}")
        known = rng in classes(onto) or is_known(onto, rng)
        if ns.OWL.ObjectProperty in types_of(onto, prop) and not known:
            bad.append(f"{short(prop)} has an unknown range {rng}")
    assert not bad, "\n".join(bad)


def test_class_hierarchy_has_no_cycles(onto: rdflib.Graph) -> None:
    for cls in classes(onto):
        seen: set[rdflib.term.Node] = set()
        todo = list(onto.objects(cls, ns.RDFS.subClassOf))
        while todo:
            sup = todo.pop()
            assert sup != cls, f"{short(cls)} is its own superclass"
            if sup not in seen:
                seen.add(sup)
                todo += onto.objects(sup, ns.RDFS.subClassOf)


def test_individuals_are_typed_with_skg_classes(onto: rdflib.Graph) -> None:
    """An skg: term that is neither class nor property is an individual of a declared class."""
    individuals = defined(onto) - classes(onto) - properties(onto)
    bad = [short(i) for i in individuals
           if not any(t in classes(onto) or t == ns.SKOS.ConceptScheme or t == ns.OWL.Ontology
                      for t in types_of(onto, i))]
    assert not bad, f"individuals of no declared class: {bad}"


# ------------------------------------------------------------------------- exposure roles

def _roles(onto: rdflib.Graph) -> set[rdflib.term.Node]:
    return set(onto.subjects(ns.RDF.type, S.ExposureRole))


def test_exposure_roles_are_valid(onto: rdflib.Graph) -> None:
    roles = _roles(onto)
    assert len(roles) >= 13
    bad = []
    for prop, role in onto.subject_objects(S.exposureRole):
        if role not in roles:
            bad.append(f"{short(prop)} has exposure role {role}, not a skg:ExposureRole")
        if ns.OWL.ObjectProperty not in types_of(onto, prop):  # type: ignore[arg-type]
            bad.append(f"{short(prop)} carries skg:exposureRole but is not an object property")
        if len(set(onto.objects(prop, S.exposureRole))) != 1:
            bad.append(f"{short(prop)} has more than one exposure role")
    unused = roles - set(onto.objects(None, S.exposureRole))
    bad += [f"{short(r)} is a role no property plays" for r in unused]
    assert not bad, "\n".join(bad)


def test_edge_kinds_are_complete(onto: rdflib.Graph) -> None:
    """Each n-ary edge kind has both ends marked, so the engine can build it from the ontology."""
    role_of = {onto.value(p, S.exposureRole): p for p in onto.subjects(S.exposureRole, None)}
    for pair in [("SupplyFrom", "SupplyTo"), ("OwnershipParent", "OwnershipChild"),
                 ("SuccessionFrom", "SuccessionTo"),
                 ("ParticipationMember", "ParticipationProgramme"),
                 ("FlagTarget", "FlagIndicator")]:
        for role in pair:
            assert S[role] in role_of, f"no property plays skg:{role}"
    assert role_of[S.SupplyFrom] == S.supplier
    assert role_of[S.SupplyTo] == S.recipient
    assert role_of[S.Location] == S.locatedIn
    assert (S.locatedIn, ns.RDF.type, ns.OWL.TransitiveProperty) in onto


# ------------------------------------------------------------------------- value individuals

def test_confidence_levels(onto: rdflib.Graph) -> None:
    levels = set(onto.subjects(ns.RDF.type, S.ConfidenceLevel))
    assert levels == {S.StatedInReport, S.PrimaryNonReport, S.ReportedByPress, S.Inferred}
    for level in levels:
        weight, rank = onto.value(level, S.weight), onto.value(level, S.rank)
        assert weight is not None and 0 <= float(weight) <= 1, short(level)
        assert rank is not None and rank.datatype == ns.XSD.integer, short(level)  # type: ignore[union-attr]
    rank_of = {lv: int(onto.value(lv, S.rank)) for lv in levels}  # type: ignore[arg-type]
    assert rank_of[S.Inferred] < rank_of[S.ReportedByPress] < rank_of[S.StatedInReport]


def test_claim_statuses(onto: rdflib.Graph) -> None:
    statuses = set(onto.subjects(ns.RDF.type, S.ClaimStatus))
    assert {S.Confirmed, S.Reported, S.Alleged, S.Disputed, S.Unverified} <= statuses
    counts = {s: onto.value(s, S.countsByDefault) for s in statuses}
    assert all(v is not None and v.datatype == ns.XSD.boolean for v in counts.values())  # type: ignore[union-attr]
    assert not counts[S.Disputed].toPython() and not counts[S.Unverified].toPython()  # type: ignore[union-attr]
    assert counts[S.Confirmed].toPython() and counts[S.Reported].toPython()  # type: ignore[union-attr]


def test_risk_indicators(onto: rdflib.Graph) -> None:
    propagations = set(onto.subjects(ns.RDF.type, S.Propagation))
    assert propagations == {S.DirectOnly, S.ByLocation, S.ByParticipation}
    indicators = set(onto.subjects(ns.RDF.type, S.RiskIndicator))
    assert len(indicators) >= 5
    for ind in indicators:
        sev = onto.value(ind, S.severity)
        assert sev is not None and 0 <= float(sev) <= 1, ind
        assert onto.value(ind, S.propagation) in propagations, ind
        assert onto.value(ind, ns.RDFS.label) is not None, ind
        for cls in onto.objects(ind, S.appliesToClass):
            assert cls in classes(onto), f"{ind} applies to an undeclared class {cls}"


def test_technology_scheme(onto: rdflib.Graph) -> None:
    techs = set(onto.subjects(ns.RDF.type, S.Technology))
    assert len(techs) >= 10
    for tech in techs:
        assert (tech, ns.SKOS.inScheme, S.technologies) in onto, tech
        assert onto.value(tech, ns.SKOS.prefLabel) is not None, tech
        assert onto.value(tech, ns.SKOS.definition) is not None, tech
        broader = set(onto.objects(tech, ns.SKOS.broader))
        assert broader <= techs, f"{tech} has a broader concept outside the scheme"
        top = (tech, ns.SKOS.topConceptOf, S.technologies) in onto
        assert top != bool(broader), f"{tech} must be either a top concept or have a broader one"


# ------------------------------------------------------------------------- shapes and seeds

def _iter_shape_terms(shapes: rdflib.Graph) -> Iterator[tuple[str, rdflib.term.Node]]:
    for o in shapes.objects(None, SH.targetClass):
        yield "sh:targetClass", o
    for o in shapes.objects(None, SH["class"]):
        yield "sh:class", o
    for o in shapes.objects(None, SH.path):
        yield "sh:path", o
    for o in shapes.objects(None, SH.hasValue):
        yield "sh:hasValue", o


def test_shapes_use_declared_terms(onto: rdflib.Graph) -> None:
    shapes = _parse([SHAPES])
    bad = [f"{where} {o}" for where, o in _iter_shape_terms(shapes)
           if isinstance(o, URIRef) and str(o).startswith(SKG) and o not in defined(onto)]
    # sh:in lists (skg:Disputed skg:Unverified) as well
    for lst in shapes.objects(None, SH["in"]):
        bad += [f"sh:in {o}" for o in rdflib.collection.Collection(shapes, lst)  # type: ignore[arg-type]
                if str(o).startswith(SKG) and o not in defined(onto)]
    assert not bad, "shapes name undeclared skg: terms:\n" + "\n".join(bad)


def test_seeds_use_declared_terms(onto: rdflib.Graph) -> None:
    """A typo in a seed file (``skg:suplier``) would silently drop a claim from every query."""
    seeds = _parse(seed_files())
    undeclared = sorted(short(t) for t in skg_terms(seeds) - defined(onto))
    assert not undeclared, f"seeds use skg: terms the ontology does not declare: {undeclared}"
