"""Entity resolution on import: link an incoming organisation to the one already in the
graph, never duplicate it, never merge on a guess.

An incoming organisation is *linked* (its IRI rewritten to the existing one) when it has
the same IRI or identifier (fact-sheet id, FtM id, ``dcterms:identifier``) as an existing
organisation, or the same normalised name (labels, aliases and Chinese names all count)
and no conflicting country, and that name points at exactly one organisation. A close
but uncertain match (a similar name, a same-name organisation in another country, a
name shared by several) is *reported* with its candidates for a person to confirm and
the incoming organisation is kept as a new one. Sources with the same URL are linked too,
so a source cited by two imports is one node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from graph.lookup.names import normalise
from graph.namespaces import DCTERMS, RDF_TYPE, RDFS_LABEL, SKG, SKOS
from graph.queries import subclasses_of, value_rows
from graph.store import Store

#: Identifier properties: equal values mean the same organisation.
IDENTIFIERS = (SKG + "sheetId", SKG + "ftmId", DCTERMS + "identifier")
_NAMES = (RDFS_LABEL.value, SKOS + "altLabel", SKOS + "prefLabel", SKG + "chineseName")
#: Similarity (normalised Indel ratio of normalised names, as difflib's ``ratio``; computed
#: with rapidfuzz, ~500x faster than difflib on an import of thousands of similar names)
#: from which a match is worth reporting.
CLOSE = 0.86
#: Most existing names a similar-name search compares one incoming name with.
BLOCK = 500


@dataclass(frozen=True)
class Link:
    """An incoming resource that was linked to an existing one, and why."""

    incoming: str
    existing: str
    matched_by: str
    label: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"incoming": self.incoming, "existing": self.existing,
                "matched_by": self.matched_by, "label": self.label}


@dataclass(frozen=True)
class Candidate:
    """An uncertain match, reported and not merged: the incoming resource stays new."""

    incoming: str
    label: str
    candidates: tuple[tuple[str, str], ...]  # (existing IRI, its label)
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"incoming": self.incoming, "label": self.label, "reason": self.reason,
                "candidates": [{"id": i, "label": lab} for i, lab in self.candidates]}


@dataclass
class EntityIndex:
    """The store's organisations by normalised name and identifier, and sources by URL."""

    org_classes: set[str]
    by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_id: dict[str, str] = field(default_factory=dict)
    countries: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, str] = field(default_factory=dict)
    source_by_url: dict[str, str] = field(default_factory=dict)
    _words: dict[str, list[str]] | None = None

    @classmethod
    def from_store(cls, store: Store) -> EntityIndex:
        idx = cls(org_classes=set(subclasses_of(store, SKG + "Organisation")))
        for r in value_rows(store, """
            SELECT ?e ?name ?country ?ident WHERE {
              ?e a ?c . ?c rdfs:subClassOf* skg:Organisation .
              { ?e rdfs:label|skos:altLabel|skos:prefLabel|skg:chineseName ?name }
              UNION { ?e skg:country ?country }
              UNION { ?e skg:sheetId|skg:ftmId|dcterms:identifier ?ident } }"""):
            e = r["e"]
            if r.get("name"):
                idx.by_name[normalise(r["name"])].add(e)
                idx.labels.setdefault(e, r["name"])
            if r.get("country"):
                idx.countries[e].add(r["country"])
            if r.get("ident"):
                idx.by_id[r["ident"]] = e
        for r in value_rows(store, "SELECT ?s ?url WHERE { ?s a/rdfs:subClassOf* skg:Source ;"
                                    " skg:url ?url }"):
            idx.source_by_url.setdefault(r["url"], r["s"])
        return idx

    def lookup_name(self, name: str) -> str | None:
        """The one organisation called ``name`` (normalised), else None (CSV cells)."""
        found = self.by_name.get(normalise(name), set())
        return next(iter(found)) if len(found) == 1 else None

    def close_matches(self, names: Iterable[str], limit: int = 5) -> list[str]:
        """Organisations with a similar name. Only names sharing a word with the incoming
        one are compared (its rarest words first, at most :data:`BLOCK` names), so an
        import of thousands of organisations does not compare every pair."""
        if self._words is None:
            self._words = defaultdict(list)
            for key in self.by_name:
                for word in set(key.split()):
                    self._words[word].append(key)
        words = self._words
        found: list[str] = []
        for name in names:
            norm = normalise(name)
            pool: list[str] = []
            for word in sorted(set(norm.split()), key=lambda w: len(words.get(w, ()))):
                pool.extend(words.get(word, [])[:BLOCK])
                if len(pool) >= BLOCK:
                    break
            for key, _score, _ in process.extract(
                    norm, list(dict.fromkeys(pool)), scorer=fuzz.ratio,
                    score_cutoff=CLOSE * 100, limit=limit):
                found.extend(sorted(self.by_name[key]))
        return list(dict.fromkeys(found))[:limit]


def resolve(quads: list[ox.Quad], index: EntityIndex, store: Store
            ) -> tuple[list[ox.Quad], list[Link], list[Candidate]]:
    """``quads`` with linked resources rewritten to their existing IRIs, the links made
    and the uncertain matches left for a person to confirm."""
    types: dict[str, set[str]] = defaultdict(set)
    names: dict[str, list[str]] = defaultdict(list)
    countries: dict[str, set[str]] = defaultdict(set)
    idents: dict[str, list[str]] = defaultdict(list)
    urls: dict[str, str] = {}
    for q in quads:
        if not isinstance(q.subject, ox.NamedNode):
            continue
        s, p, o = q.subject.value, q.predicate.value, q.object
        if p == RDF_TYPE.value and isinstance(o, ox.NamedNode):
            types[s].add(o.value)
        elif p in _NAMES and isinstance(o, ox.Literal):
            names[s].append(o.value)
        elif p == SKG + "country" and isinstance(o, ox.NamedNode):
            countries[s].add(o.value)
        elif p in IDENTIFIERS and isinstance(o, ox.Literal):
            idents[s].append(o.value)
        elif p == SKG + "url" and isinstance(o, ox.Literal | ox.NamedNode):
            urls[s] = o.value

    rewrite: dict[str, str] = {}
    links: list[Link] = []
    candidates: list[Candidate] = []
    for s, kinds in types.items():
        if not kinds & index.org_classes or typed_in_store(store, s):
            continue
        label = names[s][0] if names[s] else s
        link, cand = _match(s, label, names[s], countries[s], idents[s], index)
        if link is not None:
            rewrite[s] = link.existing
            links.append(link)
        elif cand is not None:
            candidates.append(cand)
    for s, url in urls.items():
        existing = index.source_by_url.get(url)
        if existing and existing != s and not typed_in_store(store, s):
            rewrite[s] = existing
            links.append(Link(s, existing, "same source URL", url))
    if not rewrite:
        return quads, links, candidates
    nodes = {k: ox.NamedNode(v) for k, v in rewrite.items()}

    def swap(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
        return nodes.get(term.value, term) if isinstance(term, ox.NamedNode) else term

    out = [ox.Quad(swap(q.subject), q.predicate, swap(q.object), q.graph_name)  # type: ignore[arg-type]
           for q in quads]
    return out, links, candidates


def _match(s: str, label: str, names: list[str], countries: set[str], idents: list[str],
           index: EntityIndex) -> tuple[Link | None, Candidate | None]:
    for ident in idents:
        if ident in index.by_id:
            return Link(s, index.by_id[ident], f"same identifier {ident!r}", label), None
    same_name = sorted({e for n in names for e in index.by_name.get(normalise(n), ())})
    if same_name:
        compatible = [e for e in same_name
                      if not (countries and index.countries[e]
                              and not countries & index.countries[e])]
        if len(compatible) == 1:
            how = "same name and country" if countries & index.countries[compatible[0]] \
                else "same name (no conflicting country)"
            return Link(s, compatible[0], how, label), None
        reason = ("several organisations have this name" if len(compatible) > 1
                  else "same name, different country")
        return None, Candidate(s, label, _labelled(same_name, index), reason)
    close = index.close_matches(names)
    if close:
        return None, Candidate(s, label, _labelled(close, index), "similar name")
    return None, None


def _labelled(iris: list[str], index: EntityIndex) -> tuple[tuple[str, str], ...]:
    return tuple((i, index.labels.get(i, i)) for i in iris)


def typed_in_store(store: Store, node: object) -> bool:
    """Whether the store already describes ``node`` (an IRI or a node) with a type."""
    if isinstance(node, str):
        node = ox.NamedNode(node)
    if not isinstance(node, ox.NamedNode | ox.BlankNode):
        return False
    return next(iter(store.quads(node, RDF_TYPE, None, None)), None) is not None


