"""The catalogue of imports: who imported which file into which graph, and retractions.

Each import is described by an ``skg:Import`` in the catalogue graph, written in the
same transaction as the import's data, so the catalogue and the data can never
disagree: after a crash either both are there or neither. A retraction adds to the
description (when, by whom, why) instead of deleting it, and the retracted triples are
archived as N-Quads beside the original file: nothing leaves the record without a trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from graph.errors import UnknownEntity
from graph.imports.resolve import Link
from graph.namespaces import GRAPH, ID, IMPORTS_GRAPH, PROV, RDF_TYPE, skg
from graph.queries import value_rows, with_prefixes
from graph.store import Store

XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def import_iri(import_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}import/{import_id}")


def graph_iri(import_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{GRAPH}import/{import_id}")


def timestamp(moment: datetime) -> ox.Literal:
    return ox.Literal(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD_DATETIME)


@dataclass(frozen=True)
class ImportRecord:
    """One import as the catalogue describes it."""

    id: str
    graph: str
    file: str
    media_type: str
    sha256: str
    imported_by: str
    imported_at: str
    triples: int
    retracted_at: str | None = None
    retracted_by: str | None = None
    retraction_reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def describe(import_id: str, *, file: str, media_type: str, sha256: str, actor: str,
             moment: datetime, triples: int, links: list[Link]) -> list[ox.Quad]:
    """The catalogue quads of a new import."""
    imp = import_iri(import_id)
    g = IMPORTS_GRAPH
    quads = [
        ox.Quad(imp, RDF_TYPE, skg("Import"), g),
        ox.Quad(imp, skg("importedGraph"), graph_iri(import_id), g),
        ox.Quad(imp, skg("importedBy"), ox.Literal(actor), g),
        ox.Quad(imp, ox.NamedNode(PROV + "startedAtTime"), timestamp(moment), g),
        ox.Quad(imp, skg("fileName"), ox.Literal(file), g),
        ox.Quad(imp, skg("sha256"), ox.Literal(sha256), g),
        ox.Quad(imp, skg("mediaType"), ox.Literal(media_type), g),
        ox.Quad(imp, skg("tripleCount"), ox.Literal(str(triples), datatype=XSD_INTEGER), g),
    ]
    for n, link in enumerate(links):
        node = ox.NamedNode(f"{imp.value}/link/{n}")
        quads += [
            ox.Quad(imp, skg("entityLink"), node, g),
            ox.Quad(node, RDF_TYPE, skg("EntityLink"), g),
            ox.Quad(node, skg("incoming"), ox.Literal(link.incoming), g),
            ox.Quad(node, skg("linkedTo"), ox.NamedNode(link.existing), g),
            ox.Quad(node, skg("matchedBy"), ox.Literal(link.matched_by), g),
        ]
    return quads


def retraction_update(import_id: str, *, actor: str, reason: str, moment: datetime) -> str:
    """One SPARQL update (one transaction): empty the graph, record the retraction."""
    lit = ox.Literal
    return with_prefixes(
        f"DROP SILENT GRAPH {graph_iri(import_id)} ;\n"
        f"INSERT DATA {{ GRAPH {IMPORTS_GRAPH} {{ {import_iri(import_id)} "
        f"skg:retractedAt {timestamp(moment)} ; skg:retractedBy {lit(actor)} ; "
        f"skg:retractionReason {lit(reason)} . }} }}")


_LIST = """
SELECT ?imp ?graph ?file ?media ?sha ?by ?at ?n ?rat ?rby ?why WHERE {
  GRAPH <%s> {
    ?imp a skg:Import ; skg:importedGraph ?graph ; skg:fileName ?file ; skg:mediaType ?media ;
         skg:sha256 ?sha ; skg:importedBy ?by ; prov:startedAtTime ?at ; skg:tripleCount ?n .
    OPTIONAL { ?imp skg:retractedAt ?rat ; skg:retractedBy ?rby ; skg:retractionReason ?why }
    %s
  } } ORDER BY ?at ?imp"""


def list_imports(store: Store, import_id: str | None = None) -> list[ImportRecord]:
    """Every import in the catalogue (retracted ones included), oldest first."""
    only = f"FILTER(?imp = {import_iri(import_id)})" if import_id else ""
    prefix = f"{ID}import/"
    return [ImportRecord(
        id=r["imp"][len(prefix):], graph=r["graph"], file=r["file"], media_type=r["media"],
        sha256=r["sha"], imported_by=r["by"], imported_at=r["at"], triples=int(r["n"]),
        retracted_at=r.get("rat"), retracted_by=r.get("rby"), retraction_reason=r.get("why"))
        for r in value_rows(store, _LIST % (IMPORTS_GRAPH.value, only))]


def get_import(store: Store, import_id: str) -> ImportRecord:
    found = list_imports(store, import_id) if _valid_id(import_id) else []
    if not found:
        known = [r.id for r in list_imports(store)][-5:]
        raise UnknownEntity(import_id, known)
    return found[0]


def _valid_id(import_id: str) -> bool:
    return bool(import_id) and all(c.isalnum() or c in "-_" for c in import_id)
