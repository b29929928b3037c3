"""CSV of supplies with their evidence, in the findings sheet's own columns.

So a researcher can take the graph's supplies into a spreadsheet, add rows, and import the
sheet again (:func:`graph.interchange.csv_findings.read_csv_findings`). One row per
(supply, source): a supply with three sources is three rows with the same ``finding id``,
which is also how the import reads several sources of one supply. Names are written for
people (``supplier``, ``recipient``, ``product``) and ids beside them (``supplier id``...)
for the import, which prefers the id, so the round trip links to the same organisations.

What does not fit the sheet (documented in ``docs/csv-findings.md``): intermediaries,
start and end dates (``skg:startDate`` / ``skg:endDate``; the ``date text`` keeps the date
as the source gives it), the instrument, sheet ids, and more than one recipient or product
(the first, by id, is written). Product alternatives ("FaceReader and/or The Observer XT",
``skg:productAlternative``) have no column: the product is left empty and the technology
column lists the alternatives' families; the note keeps the words.

Cells that a spreadsheet would run as formulas (starting with ``=``, ``+``, ``-``, ``@``)
are written with a leading apostrophe, which the import removes again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO

import pyoxigraph as ox

from graph.interchange.csv_findings import REQUIRED_COLUMNS, technology_label
from graph.lookup.labels import label_of
from graph.namespaces import DCTERMS, RDF_TYPE, SKG, local_id, skg
from graph.store import Store

#: The export's columns: the required ones in the import's order, then the optional ones.
EXPORT_COLUMNS = (
    "finding id", *REQUIRED_COLUMNS, "date text", "supplier id", "supplier country",
    "recipient id", "recipient country", "programme", "product id",
    "source publisher", "assessment", "language", "archived url")

#: Header spelling of the export (the import accepts any case).
_HEADER = {"source url": "source URL", "archived url": "archived URL"}


def _neutralise(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


class _Reader:
    """Small cached look-ups on the store (each triple once, whatever graph holds it)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._labels: dict[str, str] = {}

    def objects(self, s: ox.NamedNode, p: str) -> list[ox.NamedNode | ox.Literal]:
        seen: dict[str, ox.NamedNode | ox.Literal] = {}
        for q in self.store.quads(s, ox.NamedNode(p), None, None):
            if isinstance(q.object, ox.NamedNode | ox.Literal):
                seen.setdefault(str(q.object), q.object)
        return [seen[k] for k in sorted(seen)]

    def one(self, s: ox.NamedNode, p: str) -> ox.NamedNode | ox.Literal | None:
        found = self.objects(s, p)
        return found[0] if found else None

    def label(self, iri: ox.NamedNode) -> str:
        """By the one label rule (graph.lookup.labels), else the resource's id."""
        if iri.value not in self._labels:
            self._labels[iri.value] = label_of(self.store, iri.value) or local_id(iri.value)
        return self._labels[iri.value]


def _supplies(store: Store) -> list[ox.NamedNode]:
    found = {q.subject.value for q in store.quads(None, RDF_TYPE, skg("Supply"), None)
             if isinstance(q.subject, ox.NamedNode)}
    return [ox.NamedNode(s) for s in sorted(found)]


def supply_rows(store: Store) -> Iterable[dict[str, str]]:
    """One dict per (supply, source), keyed by :data:`EXPORT_COLUMNS`."""
    r = _Reader(store)
    for supply in _supplies(store):
        yield from _rows_of(r, supply)


def _iri(term: ox.NamedNode | ox.Literal | None) -> ox.NamedNode | None:
    return term if isinstance(term, ox.NamedNode) else None


def _text(term: ox.NamedNode | ox.Literal | None) -> str:
    return term.value if term is not None else ""


def _rows_of(r: _Reader, supply: ox.NamedNode) -> Iterable[dict[str, str]]:
    base: dict[str, str] = {c: "" for c in EXPORT_COLUMNS}
    base["finding id"] = local_id(supply.value)
    for role in ("supplier", "recipient"):
        party = _iri(r.one(supply, SKG + role))
        if party is not None:
            base[role] = r.label(party)
            base[f"{role} id"] = local_id(party.value)
            country = _iri(r.one(party, SKG + "country"))
            base[f"{role} country"] = r.label(country) if country is not None else ""
    base["programme"] = "; ".join(local_id(p.value)
                                  for p in r.objects(supply, SKG + "forProgramme"))
    product = _iri(r.one(supply, SKG + "product"))
    if product is not None:
        base["product"] = r.label(product)
        base["product id"] = local_id(product.value)
    techs = list(r.objects(supply, SKG + "technology"))
    if product is None and not techs:
        techs = [t for alt in r.objects(supply, SKG + "productAlternative")
                 if isinstance(alt, ox.NamedNode) for t in r.objects(alt, SKG + "technology")]
    base["technology"] = "; ".join(dict.fromkeys(technology_label(t.value) or local_id(t.value)
                                                 for t in techs))
    base["date"] = _text(r.one(supply, SKG + "date"))
    base["date text"] = _text(r.one(supply, SKG + "dateText"))
    level = _iri(r.one(supply, SKG + "confidence"))
    base["confidence"] = r.label(level) if level is not None else ""
    status = _iri(r.one(supply, SKG + "status"))
    base["status"] = status.value.removeprefix(SKG).lower() if status is not None else ""
    note = r.one(supply, SKG + "statement")
    base["note"] = _text(note)
    base["assessment"] = _text(r.one(supply, SKG + "assessment"))
    if isinstance(note, ox.Literal) and note.language:
        base["language"] = note.language
    sources: list[ox.NamedNode | None] = [
        s for s in r.objects(supply, SKG + "evidence") if isinstance(s, ox.NamedNode)]
    for source in sources or [None]:
        row = dict(base)
        if source is not None:
            url = r.one(source, SKG + "url")
            row["source url"] = _text(url) if url is not None else local_id(source.value)
            row["source title"] = _text(r.one(source, DCTERMS + "title")) or r.label(source)
            row["source publisher"] = _text(r.one(source, DCTERMS + "publisher"))
            row["archived url"] = _text(r.one(source, SKG + "archivedUrl"))
        yield row


def write_supplies_csv(store: Store, out: IO[bytes]) -> int:
    """Supplies and their sources as UTF-8 CSV (with a BOM, for Excel); returns the rows."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([_HEADER.get(c, c) for c in EXPORT_COLUMNS])
    count = 0
    for row in supply_rows(store):
        writer.writerow([_neutralise(row[c]) for c in EXPORT_COLUMNS])
        count += 1
    out.write(text.getvalue().encode("utf-8-sig"))
    return count
