"""Media types of SPARQL results and RDF graphs, and content negotiation between them.

The names, media types and extensions are the format registry's (``graph/formats.py``);
this module only arranges them for the protocol's negotiation.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.sparql.inspect import Form
from graph import formats

#: Formats of SELECT / ASK results and of CONSTRUCT / DESCRIBE graphs, from the format
#: registry (graph/formats.py).
_RESULT_FORMATS = formats.RESULTS
_GRAPH_FORMATS = formats.GRAPH_SYNTAXES
#: SELECT / ASK results: media type -> short name (the worker's serialiser key).
RESULTS: dict[str, str] = {m: f.name for f in _RESULT_FORMATS for m in f.media_types}
#: CONSTRUCT / DESCRIBE results (and the service description).
GRAPHS: dict[str, str] = {m: f.name for f in _GRAPH_FORMATS for m in f.media_types}
#: The media type a short name is served as.
CANONICAL: dict[str, str] = {f.name: f.content_type
                             for f in (*_RESULT_FORMATS, *_GRAPH_FORMATS)}
#: The file extension of a download in each format.
EXTENSIONS: dict[str, str] = {f.name: f.extension for f in (*_RESULT_FORMATS, *_GRAPH_FORMATS)}
#: ``format=`` / ``output=`` parameter values (the editor's downloads, curl users,
#: SPARQLWrapper): (name for SELECT/ASK results, name for graph results).
BY_PARAM: dict[str, tuple[str | None, str | None]] = {
    value: (next((f.name for f in _RESULT_FORMATS if value in f.names), None),
            next((f.name for f in _GRAPH_FORMATS if value in f.names), None))
    for f in (*_RESULT_FORMATS, *_GRAPH_FORMATS) for value in f.names}
_RESULT_NAMES = frozenset(f.name for f in _RESULT_FORMATS)
_GRAPH_NAMES = frozenset(f.name for f in _GRAPH_FORMATS)


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
