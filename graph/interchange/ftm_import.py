"""FollowTheMoney entities (JSON lines, as Aleph and OpenSanctions export them) mapped onto
survkg's ontology.

Why a mapper and not a generic converter: survkg records *claims* with evidence, a
confidence and a status, and FtM records facts without them. Every claim made from an FtM
relation therefore gets evidence from the entity's own ``sourceUrl`` / ``publisher`` (or,
lacking those, a source standing for the FtM file), the lowest confidence
(``skg:Inferred``: survkg has read none of the sources) and the status
``skg:Unverified`` with an assessment saying so, unless the caller passes others. What
has no counterpart (people, memberships, e-mails...) is counted in :class:`Mapped`
notes, never dropped silently. The mapping is tabulated in docs/ftm.md.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox
from followthemoney import registry

from graph.errors import InvalidData, InvalidParameter
from graph.interchange.ftm_model import (
    MINORITY_STAKE,
    ORG_SCHEMATA,
    RECIPIENT_PROJECT,
    UNMAPPED_REASONS,
    country_iris,
    entity_problems,
    org_classes_for,
    technology_iris,
)
from graph.interchange.model import Mapped, Mint, Problem
from graph.namespaces import (
    DCTERMS,
    RDF_TYPE,
    RDFS_COMMENT,
    RDFS_LABEL,
    SKOS_ALTLABEL,
    XSD,
    skg,
)
from graph.store import Store
from graph.vocabulary import claim_statuses, confidence_levels

#: Looks an FtM id up among entities already in the store (by skg:ftmId).
Resolve = Callable[[str], ox.NamedNode | None]

DEFAULT_CONFIDENCE = skg("Inferred")
DEFAULT_STATUS = skg("Unverified")
CONFIDENCES = frozenset(level.node for level in confidence_levels())
STATUSES = frozenset(status.node for status in claim_statuses())

_TITLE = ox.NamedNode(DCTERMS + "title")
_PUBLISHER = ox.NamedNode(DCTERMS + "publisher")
_ANYURI = ox.NamedNode(XSD + "anyURI")
#: The FtM properties each mapped schema reads; anything else set is counted in the notes.
_NAME_PROPS = ("name", "alias", "previousName", "abbreviation")
_COUNTRY_PROPS = ("mainCountry", "jurisdiction", "country")
_ORG_PROPS = frozenset({*_NAME_PROPS, *_COUNTRY_PROPS, "description", "classification"})
_EVIDENCE_PROPS = frozenset({"sourceUrl", "publisher"})
_CLAIM_PROPS: dict[str, frozenset[str]] = {
    "Ownership": frozenset({"owner", "asset", "startDate", "endDate", "percentage",
                            "ownershipType", "summary", "description", *_EVIDENCE_PROPS}),
    "Succession": frozenset({"predecessor", "successor", "date", "startDate", "role",
                             "summary", "description", *_EVIDENCE_PROPS}),
    "ProjectParticipant": frozenset({"participant", "project", "role", "startDate", "endDate",
                                     "summary", "description", *_EVIDENCE_PROPS}),
    "ContractAward": frozenset({"contract", "supplier", "date", "startDate", "endDate", "role",
                                "summary", "description", *_EVIDENCE_PROPS}),
}
_CONTRACT_PROPS = frozenset({"title", "authority", "project", "classification", "contractDate",
                             "method", "description", *_EVIDENCE_PROPS})
_PROJECT_PROPS = frozenset({*_NAME_PROPS, "country", "description"})


@dataclass
class _Entity:
    """One FtM entity of the file (fragments with the same id merged)."""

    id: str
    schema: str
    props: dict[str, list[str]]
    line: int

    def first(self, prop: str) -> str | None:
        values = self.props.get(prop)
        return values[0] if values else None


@dataclass
class _Mapper:
    """The state of one mapping: what is minted, the quads, problems and notes."""

    name: str
    mint: Mint
    resolve: Resolve | None
    confidence: ox.NamedNode
    status: ox.NamedNode
    entities: dict[str, _Entity] = field(default_factory=dict)
    #: ids of entities refused with a problem: references to them add no second problem.
    invalid: set[str] = field(default_factory=set)
    quads: list[ox.Quad] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    iris: dict[str, ox.NamedNode] = field(default_factory=dict)
    countries: dict[str, ox.NamedNode] = field(default_factory=dict)
    sources: dict[str, ox.NamedNode] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    unmapped_props: Counter[str] = field(default_factory=Counter)
    legal_entities: int = 0
    records: int = 0

    # ------------------------------------------------------------------ helpers

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, p, o, ox.DefaultGraph()))

    def problem(self, entity: _Entity, prop: str | None, message: str) -> None:
        where = f"properties.{prop}" if prop else None
        self.problems.append(Problem(f"{entity.schema} {entity.id!r}: {message}",
                                     file=self.name, line=entity.line, field=where))

    def count_unmapped(self, entity: _Entity, used: frozenset[str]) -> None:
        for prop in entity.props:
            if prop not in used and entity.props[prop]:
                self.unmapped_props[f"{entity.schema}.{prop}"] += 1

    def ref(self, entity: _Entity, prop: str) -> list[tuple[str, _Entity | None]]:
        """The entities ``prop`` refers to: in the file, or (entity None) in the store.

        A reference to neither is a problem; a reference into the file is returned even if
        that entity does not map (the caller decides whether to skip the claim).
        """
        out: list[tuple[str, _Entity | None]] = []
        for target in entity.props.get(prop, []):
            if target in self.entities:
                out.append((target, self.entities[target]))
            elif target in self.invalid:
                continue
            elif self.resolve is not None and (iri := self.resolve(target)) is not None:
                self.iris[target] = iri
                out.append((target, None))
            else:
                self.problem(entity, prop, f"refers to entity {target!r}, which is neither "
                             "in the file nor (by skg:ftmId) in the store")
        return out

    def country(self, code: str) -> ox.NamedNode:
        code = code.lower()
        if code in self.countries:
            return self.countries[code]
        iri = country_iris().get(code)
        if iri is None:
            iri = self.mint("place", code)
            self.add(iri, RDF_TYPE, skg("Country"))
            self.add(iri, RDFS_LABEL, ox.Literal(registry.country.caption(code) or code.upper()))
            self.add(iri, skg("countryCode"), ox.Literal(code))
        self.countries[code] = iri
        return iri

    def evidence(self, *entities: _Entity) -> list[ox.NamedNode]:
        """Sources for a claim: one per http(s) ``sourceUrl`` of its entities, else one per
        ``publisher``, else the FtM file itself."""
        out: list[ox.NamedNode] = []
        publishers = [p for e in entities for p in e.props.get("publisher", [])]
        for url in dict.fromkeys(u for e in entities for u in e.props.get("sourceUrl", [])):
            if urlsplit(url).scheme not in {"http", "https"}:
                continue
            publisher = publishers[0] if publishers else urlsplit(url).hostname or url
            out.append(self.source(url, title=url, publisher=publisher, url=url))
        if not out:
            for pub in dict.fromkeys(publishers):
                out.append(self.source(f"publisher:{pub}", publisher=pub,
                                       title=f"{pub} (as cited in FollowTheMoney file "
                                             f"{self.name})"))
        if not out:
            out.append(self.source(f"file:{self.name}", title=f"FollowTheMoney file {self.name}",
                                   publisher="not stated (FollowTheMoney import)"))
        return out

    def source(self, key: str, *, title: str, publisher: str,
               url: str | None = None) -> ox.NamedNode:
        if key in self.sources:
            return self.sources[key]
        iri = self.mint("source", key)
        self.add(iri, RDF_TYPE, skg("Source"))
        self.add(iri, _TITLE, ox.Literal(title))
        self.add(iri, RDFS_LABEL, ox.Literal(title))
        self.add(iri, _PUBLISHER, ox.Literal(publisher))
        if url is not None:
            self.add(iri, skg("url"), ox.Literal(url, datatype=_ANYURI))
        self.sources[key] = iri
        return iri

    def claim(self, iri: ox.NamedNode, cls: str, label: str, *entities: _Entity) -> None:
        """The parts every claim has: type, FtM id, label, statement, evidence, grades."""
        main = entities[0]
        self.add(iri, RDF_TYPE, skg(cls))
        self.add(iri, skg("ftmId"), ox.Literal(main.id))
        self.add(iri, RDFS_LABEL, ox.Literal(main.first("summary") or label))
        for e in entities:
            for text in e.props.get("description", []):
                self.add(iri, skg("statement"), ox.Literal(text))
        for src in self.evidence(*entities):
            self.add(iri, skg("evidence"), src)
        self.add(iri, skg("confidence"), self.confidence)
        self.add(iri, skg("status"), self.status)
        if self.status in {skg("Unverified"), skg("Disputed")}:
            self.add(iri, skg("assessment"), ox.Literal(
                f"Imported from the FollowTheMoney file {self.name}; not checked by a "
                "researcher against its sources."))
        self.records += 1

    def date(self, iri: ox.NamedNode, pred: str, entity: _Entity, *props: str) -> None:
        for prop in props:
            if (value := entity.first(prop)) is not None:
                self.add(iri, skg(pred), _date_literal(value))
                return

    def label_of(self, target: str) -> str:
        e = self.entities.get(target)
        return (e.first("name") or e.first("title") or target) if e else target

    # ------------------------------------------------------------------ entities

    def organisation(self, e: _Entity) -> None:
        iri = self.mint("org", e.id)
        self.iris[e.id] = iri
        for cls in org_classes_for(e.schema, e.props.get("classification", [])):
            self.add(iri, RDF_TYPE, cls)
        self.add(iri, skg("ftmId"), ox.Literal(e.id))
        self._names(iri, e)
        codes = list(dict.fromkeys(c.lower() for p in _COUNTRY_PROPS for c in e.props.get(p, [])))
        if codes:
            self.add(iri, skg("country"), self.country(codes[0]))
        for code in codes:
            self.add(iri, skg("locatedIn"), self.country(code))
        if e.schema == "LegalEntity":
            self.legal_entities += 1
        self.count_unmapped(e, _ORG_PROPS)
        self.records += 1

    def programme(self, e: _Entity) -> None:
        iri = self.mint("programme", e.id)
        self.iris[e.id] = iri
        self.add(iri, RDF_TYPE, skg("SurveillanceProgramme"))
        self.add(iri, skg("ftmId"), ox.Literal(e.id))
        self._names(iri, e)
        for code in dict.fromkeys(c.lower() for c in e.props.get("country", [])):
            self.add(iri, skg("locatedIn"), self.country(code))
        self.count_unmapped(e, _PROJECT_PROPS)
        self.records += 1

    def _names(self, iri: ox.NamedNode, e: _Entity) -> None:
        names = e.props.get("name", [])
        label = names[0] if names else e.id
        self.add(iri, RDFS_LABEL, ox.Literal(label))
        others = [n for p in _NAME_PROPS for n in e.props.get(p, [])]
        for alt in dict.fromkeys(n for n in others if n != label):
            self.add(iri, SKOS_ALTLABEL, ox.Literal(alt))
        for text in e.props.get("description", []):
            self.add(iri, RDFS_COMMENT, ox.Literal(text))

    def _parties(self, e: _Entity, *props_kinds: tuple[str, str]) -> list[list[str]] | None:
        """The FtM ids each (property, kind) refers to, or None when the claim cannot map:
        a broken reference (a problem, already recorded) or a party of the wrong kind."""
        out: list[list[str]] = []
        broken = False
        for prop, kind in props_kinds:
            ids: list[str] = []
            for target, found in self.ref(e, prop):
                if found is not None and _kind(found) != kind:
                    self.skipped[f"{e.schema}: {prop} is a {found.schema}, "
                                 f"which survkg does not record as {kind}"] += 1
                    return None
                ids.append(target)
            broken = broken or not ids
            out.append(ids)
        return None if broken else out

    def ownership(self, e: _Entity) -> None:
        parties = self._parties(e, ("owner", "organisation"), ("asset", "organisation"))
        if parties is None:
            return
        (owner, *_), (asset, *_) = parties
        iri = self.mint("ownership", e.id)
        self.claim(iri, "Ownership", f"{self.label_of(owner)} owns {self.label_of(asset)}", e)
        self.add(iri, skg("parentOrganisation"), self.iris[owner])
        self.add(iri, skg("subsidiary"), self.iris[asset])
        self.date(iri, "startDate", e, "startDate")
        self.date(iri, "endDate", e, "endDate")
        share = _percentage(e.first("percentage"))
        minority = (share is not None and share < 50) or any(
            t.strip().lower() == MINORITY_STAKE for t in e.props.get("ownershipType", []))
        if minority:
            self.add(iri, skg("controlling"), ox.Literal("false", datatype=ox.NamedNode(
                XSD + "boolean")))
        if share is not None:
            self.add(iri, skg("statement"), ox.Literal(f"FollowTheMoney percentage: {share:g}%"))
        self.count_unmapped(e, _CLAIM_PROPS["Ownership"])

    def succession(self, e: _Entity) -> None:
        parties = self._parties(e, ("predecessor", "organisation"),
                                ("successor", "organisation"))
        if parties is None:
            return
        preds, (succ, *_) = parties
        iri = self.mint("succession", e.id)
        self.claim(iri, "Succession",
                   f"{self.label_of(preds[0])} succeeded by {self.label_of(succ)}", e)
        for pred in preds:
            self.add(iri, skg("predecessor"), self.iris[pred])
        self.add(iri, skg("successor"), self.iris[succ])
        self.date(iri, "date", e, "date", "startDate")
        for role in e.props.get("role", []):
            self.add(iri, skg("changeKind"), ox.Literal(role))
        self.count_unmapped(e, _CLAIM_PROPS["Succession"])

    def participation(self, e: _Entity) -> None:
        parties = self._parties(e, ("participant", "organisation"), ("project", "programme"))
        if parties is None:
            return
        (member, *_), (project, *_) = parties
        iri = self.mint("participation", e.id)
        self.claim(iri, "Participation",
                   f"{self.label_of(member)} takes part in {self.label_of(project)}", e)
        self.add(iri, skg("participant"), self.iris[member])
        self.add(iri, skg("inProgramme"), self.iris[project])
        for role in e.props.get("role", []):
            self.add(iri, skg("role"), ox.Literal(role))
        self.date(iri, "startDate", e, "startDate")
        self.date(iri, "endDate", e, "endDate")
        self.count_unmapped(e, _CLAIM_PROPS["ProjectParticipant"])

    def supply(self, e: _Entity) -> None:
        """A ContractAward and its Contract: supplier -> the contract's authority (or its
        project), for the technology the contract's classification names."""
        parties = self._parties(e, ("supplier", "organisation"))
        contracts = [c for c in e.props.get("contract", []) if c in self.entities]
        for missing in set(e.props.get("contract", [])) - set(contracts):
            self.problem(e, "contract", f"refers to contract {missing!r}, which is not in the "
                         "file (a supply needs the contract's authority)")
        if parties is None or not contracts:
            return
        contract = self.entities[contracts[0]]
        if contract.schema != "Contract":
            self.problem(e, "contract", f"{contracts[0]!r} is a {contract.schema}, not a Contract")
            return
        supplier = parties[0][0]
        authorities = self._parties(contract, ("authority", "organisation"))
        projects = self._parties(contract, ("project", "programme"))
        techs = [technology_iris().get(c.strip().lower())
                 for c in contract.props.get("classification", [])]
        if not [t for t in techs if t is not None]:
            self.skipped["ContractAward: its contract's classification names no "
                         "surveillance technology known to survkg"] += 1
            return
        if authorities is None and projects is None:
            self.skipped["ContractAward: its contract has no authority or project "
                         "survkg records"] += 1
            return
        iri = self.mint("supply", e.id)
        label = contract.first("title") or f"{self.label_of(supplier)} supply"
        self.claim(iri, "Supply", label, e, contract)
        self.add(iri, skg("supplier"), self.iris[supplier])
        for org in authorities[0] if authorities is not None else []:
            self.add(iri, skg("recipient"), self.iris[org])
        to_project = RECIPIENT_PROJECT in (r.strip().lower() for r in e.props.get("role", []))
        for prog in projects[0] if projects is not None else []:
            self.add(iri, skg("recipient" if to_project else "forProgramme"), self.iris[prog])
        for tech in dict.fromkeys(t for t in techs if t is not None):
            self.add(iri, skg("technology"), tech)
        if (when := e.first("date") or contract.first("contractDate")) is not None:
            self.add(iri, skg("date"), _date_literal(when))
        self.date(iri, "startDate", e, "startDate")
        self.date(iri, "endDate", e, "endDate")
        for method in contract.props.get("method", []):
            self.add(iri, skg("instrument"), ox.Literal(method))
        self.count_unmapped(e, _CLAIM_PROPS["ContractAward"])
        self.count_unmapped(contract, _CONTRACT_PROPS)


def _kind(e: _Entity) -> str:
    if e.schema in ORG_SCHEMATA:
        return "organisation"
    if e.schema == "Project":
        return "programme"
    return e.schema


def _date_literal(value: str) -> ox.Literal:
    """An FtM date (an ISO prefix, perhaps with a time) as xsd:gYear / gYearMonth / date."""
    value = value[:10]
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(value), "date")
    return ox.Literal(value, datatype=ox.NamedNode(XSD + kind))


def _percentage(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip().rstrip("%").replace(",", "."))
    except ValueError:
        return None


def _lines(data: bytes, name: str) -> Iterator[tuple[int, str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidData(f"not UTF-8 text ({exc.reason})", file=name, line=line,
                          problems=[Problem(f"not UTF-8 text ({exc.reason})", file=name,
                                            line=line)]) from exc
    for number, line_text in enumerate(text.split("\n"), start=1):
        if line_text.strip():
            yield number, line_text


def _parse(data: bytes, name: str) -> tuple[dict[str, _Entity], set[str], list[Problem]]:
    """Every entity of the file, each checked against the FtM model; fragments of one
    entity (same id, same schema, as Aleph exports them) are merged."""
    entities: dict[str, _Entity] = {}
    invalid: set[str] = set()
    problems: list[Problem] = []
    for number, text in _lines(data, name):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"not JSON: {exc.msg}", file=name, line=number,
                                    column=exc.colno))
            continue
        if not isinstance(raw, dict):
            problems.append(Problem("an entity must be a JSON object", file=name, line=number))
            continue
        found = entity_problems(raw)
        label = f"{raw.get('schema')} {raw.get('id')!r}"
        for where, message in found:
            problems.append(Problem(f"{label}: {message}", file=name, line=number, field=where))
        if found:
            if isinstance(raw.get("id"), str):
                invalid.add(raw["id"])
            continue
        ident, schema, props = raw["id"], raw["schema"], raw.get("properties", {})
        if ident in entities:
            first = entities[ident]
            if first.schema != schema:
                problems.append(Problem(f"id {ident!r} is a {first.schema} on line "
                                        f"{first.line} and a {schema} here", file=name,
                                        line=number, field="schema"))
                continue
            for key, values in props.items():
                merged = first.props.setdefault(key, [])
                merged += [v for v in values if v not in merged]
        else:
            entities[ident] = _Entity(ident, schema, {k: list(v) for k, v in props.items()},
                                      number)
    return entities, invalid, problems


def read_ftm(data: bytes, *, name: str, mint: Mint, resolve: Resolve | None = None,
             confidence: ox.NamedNode = DEFAULT_CONFIDENCE,
             status: ox.NamedNode = DEFAULT_STATUS) -> Mapped:
    """Map FtM JSON lines onto survkg's ontology, or raise :class:`InvalidData` listing
    every problem (bad JSON, unknown schema, invalid property, dangling reference) with
    its line and field.

    ``resolve`` looks up FtM ids that the file refers to but does not contain among the
    entities already in the store (see :func:`ftm_id_resolver`). ``confidence`` and
    ``status`` are given to every claim; the defaults are the most cautious grades
    (docs/ftm.md says why).
    """
    if confidence not in CONFIDENCES:
        raise InvalidParameter("confidence", f"{confidence.value} is not a confidence level")
    if status not in STATUSES:
        raise InvalidParameter("status", f"{status.value} is not a claim status")
    entities, invalid, problems = _parse(data, name)
    m = _Mapper(name, mint, resolve, confidence, status, entities, invalid, problems=problems)
    for e in entities.values():
        if e.schema in ORG_SCHEMATA:
            m.organisation(e)
        elif e.schema == "Project":
            m.programme(e)
    awarded = {c for e in entities.values() if e.schema == "ContractAward"
               for c in e.props.get("contract", [])}
    handlers = {"Ownership": m.ownership, "Succession": m.succession,
                "ProjectParticipant": m.participation, "ContractAward": m.supply}
    for e in entities.values():
        if e.schema in handlers:
            handlers[e.schema](e)
        elif e.schema not in ORG_SCHEMATA and e.schema != "Project" \
                and not (e.schema == "Contract" and e.id in awarded):
            reason = UNMAPPED_REASONS.get(e.schema, "no counterpart in survkg's ontology")
            m.skipped[f"{e.schema}: {reason}"] += 1
    if m.problems:
        first = m.problems[0]
        raise InvalidData(f"{len(m.problems)} problem(s) in FollowTheMoney file: {first.message}",
                          file=name, line=first.line, problems=list(m.problems))
    return Mapped(quads=m.quads, notes=_notes(m), records=m.records)


def _notes(m: _Mapper) -> list[str]:
    notes = [f"{n} {what.split(':', 1)[0]} entit{'y' if n == 1 else 'ies'} skipped:"
             f"{what.split(':', 1)[1]}" for what, n in sorted(m.skipped.items())]
    if m.legal_entities:
        notes.append(f"{m.legal_entities} LegalEntity entit"
                     f"{'y' if m.legal_entities == 1 else 'ies'} imported as skg:Organisation "
                     "(FtM does not say whether a LegalEntity is a company, a body or a person)")
    if m.unmapped_props:
        listed = ", ".join(f"{p} ({n})" for p, n in sorted(m.unmapped_props.items()))
        notes.append(f"FtM properties with no counterpart, not imported: {listed}")
    return notes


def ftm_id_resolver(store: Store) -> Resolve:
    """A :data:`Resolve` that finds FtM ids among the store's entities (skg:ftmId)."""
    cache: dict[str, ox.NamedNode | None] = {}

    def resolve(ftm_id: str) -> ox.NamedNode | None:
        if ftm_id not in cache:
            found = [q.subject for q in store.quads(None, skg("ftmId"), ox.Literal(ftm_id), None)
                     if isinstance(q.subject, ox.NamedNode)]
            cache[ftm_id] = found[0] if found else None
        return cache[ftm_id]

    return resolve


