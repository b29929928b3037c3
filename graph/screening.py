"""Portfolio screening: a list of company names in, for each its match and its exposure.

A due-diligence team holds a list (a CSV export of a portfolio, a pasted column of names)
and asks which of them the graph knows and how exposed each is. Matching reuses the
import resolver's organisation index (:class:`graph.imports.resolve.EntityIndex`: its
:func:`normalise`, identifiers, countries and its rapidfuzz similarity threshold) and the
name index of :mod:`graph.entities` (which says whether a name is a label, an alias or a
Chinese name), so a name matches here exactly as it would link on import. Each row says
how it matched: ``identifier``, ``exact name``, ``alias``, ``Chinese name``, ``fuzzy``
(with its similarity), ``ambiguous`` (with the candidates) or ``none``. Nothing is merged
or written: screening is read-only.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import weakref
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz, process

from graph import entities
from graph.errors import InvalidData, TooLarge
from graph.exposure import EntityRef, Filters, exposure
from graph.exposure.filters import resolve as resolve_filters
from graph.exposure.group import group_of
from graph.exposure.model import ToDict
from graph.exposure.paths import context
from graph.imports.resolve import CLOSE, EntityIndex
from graph.lookup.names import normalise
from graph.namespaces import ID, local_id
from graph.projection import Projection
from graph.queries import value_rows
from graph.store import Store

#: Rows one request may screen (the HTTP API; the CLI takes any number).
MAX_ROWS = 5000
#: Columns read from a CSV header (case-insensitive); others are ignored.
COLUMNS = {"name": "name", "company": "name", "organisation": "name", "organization": "name",
           "country": "country", "identifier": "identifier", "id": "identifier",
           "lei": "identifier"}
_KIND = {"label": "exact name", "alias": "alias", "chinese": "Chinese name"}
#: Best fuzzy scores this close (in points of 100) to the best count as a tie.
TIE = 0.5


@dataclass(frozen=True)
class Row:
    """One input row: ``line`` is its line in the CSV (or its position in a JSON list)."""

    line: int
    name: str
    country: str | None = None
    identifier: str | None = None


@dataclass(frozen=True)
class ScreenRow(ToDict):
    line: int
    input: dict[str, str | None]
    match: str
    entity: EntityRef | None
    similarity: float | None
    candidates: list[dict[str, Any]]
    score: float | None
    targets: int
    top_targets: list[EntityRef]
    paths: int
    dossier: str | None
    note: str | None = None


@dataclass(frozen=True)
class Screening(ToDict):
    filters: Filters
    rows: list[ScreenRow]
    matched: int
    exposed: int
    counts: dict[str, int] = field(default_factory=dict)


# ------------------------------------------------------------------ input

def parse_csv(text: str, source: str = "<input>") -> list[Row]:
    """Rows of a CSV: with a header naming a ``name`` column (``country`` and
    ``identifier`` optional), or without a header: name, country, identifier by
    position. Blank lines are skipped; a row without a name is an error naming its line."""
    reader = csv.reader(io.StringIO(text))
    lines = [(reader.line_num, cells) for cells in reader]
    lines = [(n, c) for n, c in lines if any(x.strip() for x in c)]
    if not lines:
        return []
    head = [COLUMNS.get(c.strip().casefold()) for c in lines[0][1]]
    if "name" in head:
        body = lines[1:]
        where = {col: i for i, col in reversed(list(enumerate(head))) if col}
    else:
        body, where = lines, {"name": 0, "country": 1, "identifier": 2}
    rows = []
    for n, cells in body:
        name = _cell(cells, where, "name")
        if not name:
            raise InvalidData("a row has no name", file=source, line=n)
        rows.append(Row(n, name, _cell(cells, where, "country"),
                        _cell(cells, where, "identifier")))
    return rows


def _cell(cells: list[str], where: dict[str, int], col: str) -> str | None:
    i = where.get(col)
    v = cells[i].strip() if i is not None and i < len(cells) else ""
    return v or None


def parse_json(data: Any, source: str = "<input>") -> list[Row]:
    """A JSON list of names, or of objects with ``name`` (and ``country``,
    ``identifier``)."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise InvalidData(f"not JSON: {exc}", file=source) from exc
    if isinstance(data, dict) and isinstance(data.get("names"), list):
        data = data["names"]
    if not isinstance(data, list):
        raise InvalidData("expected a list of names or of {name, country, identifier}",
                          file=source)
    rows = []
    for i, item in enumerate(data, 1):
        obj = {"name": item} if isinstance(item, str) else item
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str) \
                or not obj["name"].strip():
            raise InvalidData(f"item {i} has no name", file=source, line=i)
        extra = {k: str(obj[k]).strip() or None for k in ("country", "identifier")
                 if obj.get(k) is not None}
        rows.append(Row(i, obj["name"].strip(), extra.get("country"), extra.get("identifier")))
    return rows


def check_size(rows: list[Row], limit: int = MAX_ROWS) -> None:
    if len(rows) > limit:
        raise TooLarge(f"{len(rows)} rows; at most {limit} per request")


# ------------------------------------------------------------------ matching

@dataclass
class _Names:
    """The store's organisation index and country names, built once per store version."""

    version: int
    index: EntityIndex
    keys: list[str]
    country_names: dict[str, set[str]]
    names: entities.NameIndex


_CACHE: weakref.WeakKeyDictionary[Any, _Names] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _names(store: Store) -> _Names:
    with _LOCK:
        got = _CACHE.get(store)
        if got is None or got.version != store.version:
            countries: dict[str, set[str]] = {}
            for r in value_rows(store, """
                SELECT ?c ?v WHERE { ?c a skg:Country .
                  ?c rdfs:label|skos:altLabel|skos:notation|skg:countryCode ?v }"""):
                countries.setdefault(r["c"], {local_id(r["c"]).rsplit("/", 1)[-1]}).add(
                    r["v"].casefold())
            index = EntityIndex.from_store(store)
            got = _Names(store.version, index, list(index.by_name), countries,
                         entities.build_index(store))
            _CACHE[store] = got
        return got


def _country_ok(names: _Names, iri: str, country: str | None) -> bool:
    """No country given, none known, or one of the organisation's countries is it."""
    known = names.index.countries.get(iri)
    if not country or not known:
        return True
    c = country.strip().casefold()
    return any(c in names.country_names.get(k, {local_id(k).casefold()}) for k in known)


def _kind(store: Store, iri: str, name: str) -> str:
    """Which of ``iri``'s names ``name`` is: exact first, then normalised."""
    own = entities.names_of(_names(store).names, iri)
    for same in (lambda n: n.casefold() == name.casefold(),
                 lambda n: normalise(n) == normalise(name)):
        for kind in ("label", "alias", "chinese"):
            if any(k == kind and same(n) for k, n in own):
                return _KIND[kind]
    return "exact name"


def _similarity(store: Store, iri: str, name: str) -> float:
    norm = normalise(name)
    own = entities.names_of(_names(store).names, iri)
    return max((fuzz.ratio(norm, normalise(n)) for _, n in own), default=0.0)


def match(store: Store, row: Row) -> tuple[str, list[str], float | None, str | None]:
    """(how, matched IRIs, similarity, note): one IRI unless ``ambiguous`` or ``none``."""
    names = _names(store)
    idx = names.index
    if row.identifier:
        ident = row.identifier.strip()
        iri = idx.by_id.get(ident) or (ID + ident.lstrip("/") if "://" not in ident
                                        else ident)
        if iri in idx.labels:
            return "identifier", [iri], None, None
    found = sorted(idx.by_name.get(normalise(row.name), ()))
    if found:
        ok = [i for i in found if _country_ok(names, i, row.country)]
        if len(ok) == 1:
            return _kind(store, ok[0], row.name), ok, None, None
        if ok:
            return "ambiguous", ok, None, "several organisations have this name"
        return "none", found, None, "same name, different country"
    close = idx.close_matches([row.name]) or [
        i for key, _, _ in process.extract(normalise(row.name), names.keys,
                                           scorer=fuzz.ratio, score_cutoff=CLOSE * 100,
                                           limit=5)
        for i in sorted(idx.by_name[key])]
    close = [i for i in dict.fromkeys(close) if _country_ok(names, i, row.country)]
    if not close:
        return "none", [], None, None
    scored = sorted(((round(_similarity(store, i, row.name), 1), i) for i in close),
                    key=lambda t: (-t[0], t[1]))
    best = scored[0][0]
    tied = [i for s, i in scored if best - s <= TIE]
    if len(tied) == 1:
        return "fuzzy", tied, best, None
    return "ambiguous", [i for _, i in scored], best, "similar names"


# ------------------------------------------------------------------ screening

def screen(store: Store, proj: Projection, rows: list[Row], filters: Filters | None = None,
           top: int = 3) -> Screening:
    """Match every row and give each match its exposure (score, top targets, paths)."""
    filters = replace(filters or Filters(), max_paths=0)
    rf = resolve_filters(proj, filters)
    ctx = context(proj, rf)
    cache: dict[str, Any] = {}
    out = []
    for row in rows:
        how, iris, sim, note = match(store, row)
        ent = _ref(store, iris[0]) if how not in ("ambiguous", "none") else None
        cands = [] if ent else [{**_ref(store, i).to_dict(),
                                 "similarity": round(_similarity(store, i, row.name), 1)}
                                for i in iris]
        x = None
        if ent is not None and proj.known(ent.iri):
            if ent.iri not in cache:
                # No member of the group within max_hops of a risk target: score 0, no
                # path (exposure() would say the same, slower).
                near = any(m.node in ctx.dist for m in group_of(proj, ent.iri, rf))
                cache[ent.iri] = exposure(proj, ent.iri, filters, explain=False) \
                    if near else None
            x = cache[ent.iri]
        out.append(ScreenRow(
            line=row.line, input={"name": row.name, "country": row.country,
                                  "identifier": row.identifier},
            match=how, entity=ent, similarity=sim, candidates=cands,
            score=x.score if x else (0.0 if ent else None),
            targets=len(x.targets) if x else 0,
            top_targets=[t.target for t in x.targets[:top]] if x else [],
            paths=x.total_paths if x else 0,
            dossier=f"/dossier/{ent.id}" if ent else None, note=note))
    counts: dict[str, int] = {}
    for r in out:
        counts[r.match] = counts.get(r.match, 0) + 1
    return Screening(filters, out, sum(r.entity is not None for r in out),
                     sum(bool(r.score) for r in out), counts)


def _ref(store: Store, iri: str) -> EntityRef:
    e = entities.entity(_names(store).names, iri)
    return EntityRef(e.id, e.iri, e.label, e.types)


# ------------------------------------------------------------------ output

CSV_COLUMNS = ("line", "name", "country", "identifier", "match", "entity_id", "entity",
               "similarity", "candidates", "score", "targets", "top_targets", "paths",
               "dossier", "note")


def to_csv(s: Screening, base_url: str = "") -> str:
    """One line per input row (the CSV download of the page, ``--format csv``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in s.rows:
        w.writerow([r.line, r.input["name"], r.input["country"] or "",
                    r.input["identifier"] or "", r.match, r.entity.id if r.entity else "",
                    r.entity.label if r.entity else "",
                    "" if r.similarity is None else r.similarity,
                    "; ".join(f"{c['label']} ({c['id']})" for c in r.candidates),
                    "" if r.score is None else r.score, r.targets,
                    "; ".join(t.label for t in r.top_targets), r.paths,
                    base_url + r.dossier if r.dossier else "", r.note or ""])
    return buf.getvalue()


def rows_csv(rows: list[Row]) -> str:
    """Input rows back as CSV with a header (what the page re-posts for its download)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(("name", "country", "identifier"))
    w.writerows((r.name, r.country or "", r.identifier or "") for r in rows)
    return buf.getvalue()


def to_text(s: Screening) -> str:
    """A plain table for the terminal."""
    lines = [f"{'line':>5}  {'input':<32} {'match':<13} {'entity':<32} {'score':>7} "
             f"{'paths':>6}  top targets"]
    for r in s.rows:
        how = r.match + (f" {r.similarity:g}" if r.similarity is not None else "")
        ent = r.entity.label if r.entity else "; ".join(c["label"] for c in r.candidates)
        score = "" if r.score is None else f"{r.score:.3f}"
        lines.append(f"{r.line:>5}  {(r.input['name'] or '')[:32]:<32} {how[:13]:<13} "
                     f"{ent[:32]:<32} {score:>7} {r.paths:>6}  "
                     + ", ".join(t.label for t in r.top_targets))
    lines.append(f"{len(s.rows)} row(s): {s.matched} matched, {s.exposed} exposed; "
                 + ", ".join(f"{k} {v}" for k, v in sorted(s.counts.items())))
    return "\n".join(lines)
