"""The store as FollowTheMoney entities (JSON lines), so that Aleph / OpenAleph and
OpenSanctions users can load survkg's graph with their own tools.

Organisations become Company / Organization / PublicBody, programmes Project, ownership
Ownership, succession Succession, participation ProjectParticipant, and a supply becomes
the pair procurement data uses in FtM: a Contract (its authority the recipient, its
classification the technology) and a ContractAward (the supplier). Evidence travels as the
relations' ``sourceUrl`` and ``publisher``; countries as ISO codes. Every entity written
passes the ``followthemoney`` model's checks (:func:`entity_problems`); one that would not
is a bug, so it raises instead of writing a file Aleph would reject. docs/ftm.md has the
table and what is left out (findings, risk flags, products as entities...).
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import IO, Any, cast

import pyoxigraph as ox
from followthemoney import registry

from graph.interchange.ftm_model import (
    MINORITY_STAKE,
    RECIPIENT_PROJECT,
    entity_problems,
    export_org_schema,
)
from graph.lookup.labels import LABEL_PREDICATES, pick_label
from graph.namespaces import (
    RDF_TYPE,
    RDFS_COMMENT,
    RDFS_LABEL,
    SKG,
    SKOS_ALTLABEL,
    local_id,
    skg,
)
from graph.queries import with_prefixes
from graph.store import Store

#: subject -> predicate IRI -> objects (in store order).
Described = dict[ox.NamedNode, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]]

_ORG_CLASSES = ("Organisation", "Company", "GovernmentBody", "PublicSecurityBody",
                "ResearchInstitute", "UnnamedEndUser")


def _describe(store: Store, classes: Iterable[str]) -> Described:
    """Every triple of every resource with one of ``classes`` (IRIs only)."""
    values = " ".join(f"skg:{c}" for c in classes)
    result = store.query(with_prefixes(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?t {{ {values} }} ?s a ?t . ?s ?p ?o }}"))
    out: Described = defaultdict(lambda: defaultdict(list))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        s, p, o = row["s"], row["p"], row["o"]
        if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode) \
                and not isinstance(o, ox.Triple | None) and o not in out[s][p.value]:
            out[s][p.value].append(o)
    return out


def _texts(desc: dict[str, list[Any]], *preds: str) -> list[str]:
    seen: dict[str, None] = {}
    for pred in preds:
        for o in desc.get(pred, []):
            if isinstance(o, ox.Literal):
                seen.setdefault(o.value, None)
    return list(seen)


def _name(desc: dict[str, list[Any]]) -> list[str]:
    """The entity's name by the one label rule (graph.lookup.labels)."""
    name = pick_label((p, o) for p in LABEL_PREDICATES for o in desc.get(p, [])
                      if isinstance(o, ox.Literal))
    return [name] if name else []


def _aliases(desc: dict[str, list[Any]]) -> list[str]:
    """Every other label, alias and Chinese name (FtM ``alias``)."""
    name = _name(desc)
    return [n for n in _texts(desc, RDFS_LABEL.value, SKOS_ALTLABEL.value,
                              SKG + "chineseName") if n not in name]


def _iris(desc: dict[str, list[Any]], pred: str) -> list[ox.NamedNode]:
    return [o for o in desc.get(pred, []) if isinstance(o, ox.NamedNode)]


class _Ids:
    """FtM ids: the resource's own skg:ftmId when it came from FtM, else one made from
    its survkg id (``survkg-org-morpho``), each used once."""

    def __init__(self) -> None:
        self.ids: dict[ox.NamedNode, str] = {}
        self.used: set[str] = set()

    def assign(self, iri: ox.NamedNode, desc: dict[str, list[Any]]) -> str:
        for candidate in [*_texts(desc, SKG + "ftmId"), _slug(iri)]:
            if registry.entity.validate(candidate) and candidate not in self.used:
                self.ids[iri] = candidate
                self.used.add(candidate)
                return candidate
        raise AssertionError(f"no FtM id for {iri.value}")  # _slug is unique per IRI


def _slug(iri: ox.NamedNode) -> str:
    return "survkg-" + re.sub(r"[^A-Za-z0-9._-]+", "-", local_id(iri.value)).strip("-")


def _countries(store: Store) -> dict[ox.NamedNode, tuple[list[str], list[str]]]:
    """Resource -> (codes of its skg:country, codes of every country it is located in)."""
    result = store.query(with_prefixes("""
        SELECT DISTINCT ?e ?main ?c ?code ?label WHERE {
          { ?e skg:country ?c . BIND(true AS ?main) }
          UNION { ?e skg:locatedIn+ ?c . BIND(false AS ?main) }
          ?c a skg:Country .
          OPTIONAL { ?c skg:countryCode ?code }
          OPTIONAL { ?c rdfs:label ?label }
        }"""))
    assert isinstance(result, ox.QuerySolutions)
    out: dict[ox.NamedNode, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for row in result:
        e, main, code, label = row["e"], row["main"], row["code"], row["label"]
        if not isinstance(e, ox.NamedNode):
            continue
        iso = code.value.lower() if isinstance(code, ox.Literal) else None
        if iso is None and isinstance(label, ox.Literal):
            iso = registry.country.clean(label.value)
        if iso is None or not registry.country.validate(iso):
            continue
        mains, alls = out[e]
        target = mains if isinstance(main, ox.Literal) and main.value == "true" else alls
        if iso not in target:
            target.append(iso)
        if iso not in alls:
            alls.append(iso)
    return out


def _entity(ident: str, schema: str, props: dict[str, list[str]]) -> dict[str, Any]:
    clean = {k: list(dict.fromkeys(v)) for k, v in props.items() if v}
    entity = {"id": ident, "schema": schema, "properties": clean}
    problems = entity_problems(entity)
    if problems:
        raise AssertionError(f"FtM export made an invalid {schema} {ident}: {problems}")
    return entity


def _evidence(store: Store) -> dict[ox.NamedNode, tuple[list[str], list[str]]]:
    """Claim -> (http(s) URLs of its sources, their publishers)."""
    result = store.query(with_prefixes("""
        SELECT ?c ?url ?pub WHERE {
          ?c skg:evidence ?s .
          OPTIONAL { ?s skg:url ?url } OPTIONAL { ?s dcterms:publisher ?pub }
        }"""))
    assert isinstance(result, ox.QuerySolutions)
    out: dict[ox.NamedNode, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for row in result:
        c, url, pub = row["c"], row["url"], row["pub"]
        if not isinstance(c, ox.NamedNode):
            continue
        urls, pubs = out[c]
        if isinstance(url, ox.Literal) and re.match(r"https?://", url.value) \
                and registry.url.validate(url.value) and url.value not in urls:
            urls.append(url.value)
        if isinstance(pub, ox.Literal) and pub.value not in pubs:
            pubs.append(pub.value)
    return out


def _labels(store: Store) -> dict[ox.NamedNode, str]:
    """Every named resource's label, by the one label rule (graph.lookup.labels)."""
    names: dict[ox.NamedNode, list[tuple[str, ox.Literal]]] = defaultdict(list)
    for pred in LABEL_PREDICATES:
        for q in store.quads(None, ox.NamedNode(pred), None, None):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                names[q.subject].append((pred, q.object))
    return {s: label for s, found in names.items() if (label := pick_label(found))}


def ftm_entities(store: Store) -> Iterator[dict[str, Any]]:
    """The store's organisations, programmes and claims as FtM entity dicts."""
    ids = _Ids()
    countries = _countries(store)
    evidence = _evidence(store)
    labels = _labels(store)
    orgs = _describe(store, _ORG_CLASSES)
    programmes = _describe(store, ["SurveillanceProgramme"])
    for iri in sorted(orgs, key=lambda i: i.value):
        desc = orgs[iri]
        kind = export_org_schema({t.value for t in _iris(desc, RDF_TYPE.value)})
        assert kind is not None
        schema, classification = kind
        mains, alls = countries.get(iri, ([], []))
        yield _entity(ids.assign(iri, desc), schema, {
            "name": _name(desc),
            "alias": _aliases(desc),
            "description": _texts(desc, RDFS_COMMENT.value),
            "classification": classification,
            "mainCountry": mains[:1],
            "country": alls,
        })
    for iri in sorted(programmes, key=lambda i: i.value):
        desc = programmes[iri]
        yield _entity(ids.assign(iri, desc), "Project", {
            "name": _name(desc),
            "alias": _aliases(desc),
            "description": _texts(desc, RDFS_COMMENT.value),
            "country": countries.get(iri, ([], []))[1],
        })
    org_ids = {i: ids.ids[i] for i in orgs}
    prog_ids = {i: ids.ids[i] for i in programmes}

    def common(claim: ox.NamedNode, desc: dict[str, list[Any]]) -> dict[str, list[str]]:
        urls, pubs = evidence.get(claim, ([], []))
        status = [labels.get(s, local_id(s.value)) for s in _iris(desc, SKG + "status")]
        return {"summary": _texts(desc, RDFS_LABEL.value)[:1],
                "description": _texts(desc, SKG + "statement"),
                "sourceUrl": urls, "publisher": pubs, "status": status}

    def refs(desc: dict[str, list[Any]], pred: str, table: dict[ox.NamedNode, str]) -> list[str]:
        return [table[o] for o in _iris(desc, SKG + pred) if o in table]

    def dates(desc: dict[str, list[Any]], pred: str) -> list[str]:
        return _texts(desc, SKG + pred)[:1]

    claims = _describe(store, ["Ownership", "Succession", "Participation", "Supply"])
    # "FaceReader and/or The Observer XT": a supply with alternatives is classified by the
    # alternatives' technology families (docs/ftm.md)
    alt_techs: dict[ox.NamedNode, list[str]] = {}
    for alt in {o for d in claims.values() for o in _iris(d, SKG + "productAlternative")}:
        techs = [t.object for t in store.quads(alt, skg("technology"), None, None)]
        alt_techs[alt] = sorted(labels[t] for t in techs
                                if isinstance(t, ox.NamedNode) and t in labels)
    for iri in sorted(claims, key=lambda i: i.value):
        desc = claims[iri]
        types = {t.value for t in _iris(desc, RDF_TYPE.value)}
        base = common(iri, desc)
        if SKG + "Ownership" in types:
            owner, asset = refs(desc, "parentOrganisation", org_ids), refs(desc, "subsidiary",
                                                                         org_ids)
            if owner and asset:
                minority = _texts(desc, SKG + "controlling") == ["false"]
                yield _entity(ids.assign(iri, desc), "Ownership", {
                    **base, "owner": owner, "asset": asset,
                    "startDate": dates(desc, "startDate"), "endDate": dates(desc, "endDate"),
                    "ownershipType": [MINORITY_STAKE] if minority else []})
        elif SKG + "Succession" in types:
            pred, succ = refs(desc, "predecessor", org_ids), refs(desc, "successor", org_ids)
            if pred and succ:
                yield _entity(ids.assign(iri, desc), "Succession", {
                    **base, "predecessor": pred, "successor": succ,
                    "date": dates(desc, "date"), "role": _texts(desc, SKG + "changeKind")})
        elif SKG + "Participation" in types:
            member = refs(desc, "participant", org_ids)
            project = refs(desc, "inProgramme", prog_ids)
            if member and project:
                yield _entity(ids.assign(iri, desc), "ProjectParticipant", {
                    **base, "participant": member, "project": project,
                    "role": _texts(desc, SKG + "role"),
                    "startDate": dates(desc, "startDate"), "endDate": dates(desc, "endDate")})
        elif SKG + "Supply" in types:
            yield from _supply(iri, desc, base, ids, org_ids, prog_ids, labels, alt_techs)


def _supply(iri: ox.NamedNode, desc: dict[str, list[Any]], base: dict[str, list[str]],
            ids: _Ids, org_ids: dict[ox.NamedNode, str], prog_ids: dict[ox.NamedNode, str],
            labels: dict[ox.NamedNode, str],
            alt_techs: dict[ox.NamedNode, list[str]]) -> Iterator[dict[str, Any]]:
    """A supply as a Contract (authority = recipient organisations, project = recipient or
    target programmes, classification = technologies) and the ContractAward to its
    supplier (role :data:`RECIPIENT_PROJECT` when a programme is the recipient).
    Intermediaries and the product resource have no place in either (products' names go
    in the contract's keywords)."""
    supplier = [org_ids[o] for o in _iris(desc, SKG + "supplier") if o in org_ids]
    recipients = _iris(desc, SKG + "recipient")
    authority = [org_ids[o] for o in recipients if o in org_ids]
    to_project = [prog_ids[o] for o in recipients if o in prog_ids]
    project = [*to_project, *(prog_ids[o] for o in _iris(desc, SKG + "forProgramme")
                              if o in prog_ids)]
    if not supplier or not (authority or project):
        return
    award_id = ids.assign(iri, desc)
    contract_id = f"{award_id}-contract"
    ids.used.add(contract_id)
    date = _texts(desc, SKG + "date")[:1]
    yield _entity(contract_id, "Contract", {
        "title": base["summary"] or [award_id],
        "authority": authority,
        "project": project,
        "classification": [labels[t] for t in _iris(desc, SKG + "technology")
                           if t in labels] or [
            t for a in _iris(desc, SKG + "productAlternative") for t in alt_techs.get(a, [])],
        "keywords": [labels[p] for p in _iris(desc, SKG + "product") if p in labels],
        "method": _texts(desc, SKG + "instrument"),
        "contractDate": date,
        "sourceUrl": base["sourceUrl"], "publisher": base["publisher"],
    })
    yield _entity(award_id, "ContractAward", {
        **base, "contract": [contract_id], "supplier": supplier, "date": date,
        "role": [RECIPIENT_PROJECT] if to_project else [],
        "startDate": _texts(desc, SKG + "startDate")[:1],
        "endDate": _texts(desc, SKG + "endDate")[:1]})


def write_ftm(store: Store, out: IO[str] | IO[bytes]) -> int:
    """Write the store as FtM JSON lines to ``out`` (text or binary); return the count."""
    binary = isinstance(out, io.RawIOBase | io.BufferedIOBase) or "b" in getattr(out, "mode", "")
    count = 0
    for entity in ftm_entities(store):
        line = json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n"
        if binary:
            cast(IO[bytes], out).write(line.encode("utf-8"))
        else:
            cast(IO[str], out).write(line)
        count += 1
    return count

