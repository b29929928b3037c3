"""Media types of SPARQL results and RDF graphs, and content negotiation between them."""

from __future__ import annotations

from dataclasses import dataclass

from api.sparql.inspect import Form

#: SELECT / ASK results: media type -> short name (the worker's serialiser key).
RESULTS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
#: CONSTRUCT / DESCRIBE results (and the service description).
GRAPHS: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
#: The media type a short name is served as (the first, canonical one).
CANONICAL: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
#: ``format=`` / ``output=`` parameter values (the editor's downloads, curl users,
#: SPARQLWrapper): (name for SELECT/ASK results, name for graph results).
BY_PARAM: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None),
    "tsv": ("tsv", None), "turtle": (None, "turtle"), "ttl": (None, "turtle"),
    "ntriples": (None, "ntriples"), "nt": (None, "ntriples"), "n-triples": (None, "ntriples"),
    "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"), "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"),
}
_RESULT_NAMES = frozenset(("json", "xml", "csv", "tsv"))
_GRAPH_NAMES = frozenset(("turtle", "ntriples", "jsonld", "rdfxml"))


@dataclass(frozen=True)
class Accepted:
    media: str
    q: float
    order: int


def parse_accept(header: str | None) -> list[Accepted]:
    """An Accept header as entries, best first (quality, then specificity, then order)."""
    out: list[Accepted] = []
    for order, part in enumerate((header or "*/*").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media:
            out.append(Accepted(media.lower(), q, order))
    return sorted(out, key=lambda a: (-a.q, a.media.count("*"), a.order))


def wants_html(header: str | None) -> bool:
    """True when a browser asks (text/html preferred to every RDF or results type)."""
    for entry in parse_accept(header):
        if entry.media in ("text/html", "application/xhtml+xml"):
            return entry.q > 0
        if entry.media in RESULTS or entry.media in GRAPHS:
            return False
    return False


def negotiate(form: Form | None, header: str | None, params: list[str] | None = None
              ) -> str | None:
    """The short format name for a query form (None: nothing acceptable, 406).

    A ``format`` parameter that names a usable format wins over the Accept header; an
    unusable one is ignored (clients send them freely), and Accept decides.
    """
    graph = form in ("CONSTRUCT", "DESCRIBE") or form is None
    table, names, default = (GRAPHS, _GRAPH_NAMES, "turtle") if graph else \
        (RESULTS, _RESULT_NAMES, "json")
    if form == "ASK":  # CSV and TSV define no boolean result
        names = frozenset(("json", "xml"))
    for value in params or []:
        value = value.strip().lower()
        name = BY_PARAM.get(value, (None, None))[1 if graph else 0] or table.get(value)
        if name in names:
            return name
    for entry in parse_accept(header):
        if entry.q <= 0:
            continue
        if entry.media in table and table[entry.media] in names:
            return table[entry.media]
        if entry.media in ("*/*", "application/*", "text/*"):
            return "turtle" if entry.media == "text/*" and graph else default
    return None
