"""Every file format survkg reads or writes, in one registry: names, other names, media
types and file extensions.

RDF syntaxes and SPARQL results formats take their canonical media type and extension
from pyoxigraph's own :class:`~pyoxigraph.RdfFormat` / :class:`~pyoxigraph.QueryResultsFormat`
(so the engine and survkg cannot disagree); the rows add only what survkg accepts beyond
them (short names such as ``ttl``, loose media types such as ``application/x-turtle``).
Loading, imports, exports, the SPARQL endpoint and the pages look formats up here and
keep no table of their own.

Three families, because one name or media type means different things in each:
``application/json`` is JSON-LD for a graph but SPARQL JSON for a table of results, and
``csv`` is a results table for a query but the findings template for an import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.errors import InvalidParameter


@dataclass(frozen=True)
class Format:
    """One format: ``name`` is survkg's (CLI ``--format``, ``?format=``); ``media_type``
    and ``extension`` are canonical; ``aliases``, ``accepts`` and ``extensions`` are the
    other names, media types and extensions that also mean it."""

    name: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    #: The Content-Type a response in this format carries, when not ``media_type``.
    served_as: str | None = None

    @property
    def content_type(self) -> str:
        return self.served_as or self.media_type

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type.split(";")[0].strip(), *self.accepts)

    @property
    def all_extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.extensions)


def _rdf(name: str, fmt: ox.RdfFormat, aliases: tuple[str, ...] = (),
         accepts: tuple[str, ...] = (), extensions: tuple[str, ...] = (),
         served_as: str | None = None) -> Format:
    return Format(name, fmt.media_type, fmt.file_extension, aliases, accepts, extensions,
                  rdf=fmt, served_as=served_as)


def _results(name: str, fmt: ox.QueryResultsFormat, accepts: tuple[str, ...] = ()
             ) -> Format:
    return Format(name, fmt.media_type.split(";")[0], fmt.file_extension, accepts=accepts,
                  results=fmt, served_as=fmt.media_type)


#: RDF syntaxes (graphs and datasets), in the order lists show them.
RDF: tuple[Format, ...] = (
    _rdf("turtle", ox.RdfFormat.TURTLE, ("ttl",), ("application/x-turtle", "text/n3"),
         ("turtle",), served_as="text/turtle; charset=utf-8"),
    _rdf("ntriples", ox.RdfFormat.N_TRIPLES, ("nt", "n-triples"), ("text/plain",)),
    _rdf("nquads", ox.RdfFormat.N_QUADS, ("nq",)),
    _rdf("trig", ox.RdfFormat.TRIG),
    _rdf("jsonld", ox.RdfFormat.JSON_LD, ("json-ld", "json"), ("application/json",),
         ("json-ld",)),
    _rdf("rdfxml", ox.RdfFormat.RDF_XML, ("xml", "rdf", "rdf+xml"),
         ("application/xml", "text/xml"), ("xml", "owl")),
)

#: The syntaxes a single graph is served in (SPARQL CONSTRUCT / DESCRIBE results, the
#: ontology at its IRI): the ones made for datasets (N-Quads, TriG) are left out; JSON-LD
#: stays (a graph is its default graph).
GRAPH_SYNTAXES: tuple[Format, ...] = tuple(
    f for f in RDF if f.rdf is not None
    and (not f.rdf.supports_datasets or f.rdf == ox.RdfFormat.JSON_LD))

#: SPARQL SELECT / ASK results formats.
RESULTS: tuple[Format, ...] = (
    _results("json", ox.QueryResultsFormat.JSON, ("application/json",)),
    _results("xml", ox.QueryResultsFormat.XML, ("application/xml", "text/xml")),
    _results("csv", ox.QueryResultsFormat.CSV),
    _results("tsv", ox.QueryResultsFormat.TSV),
)

#: Formats that are not RDF: findings (CSV template), FollowTheMoney entities, Gephi's.
CSV_FINDINGS = Format("csv", "text/csv", "csv", accepts=("application/csv",),
                      served_as="text/csv; charset=utf-8")
FTM = Format("ftm", "application/x-ftm+json", "ftm.json",
             accepts=("application/x-ndjson", "application/jsonl", "application/x-jsonlines"),
             extensions=("ftm.jsonl", "ftm.ndjson", "ftm", "ijson"),
             served_as="application/x-ndjson")
GRAPHML = Format("graphml", "application/graphml+xml", "graphml")
GEXF = Format("gexf", "application/gexf+xml", "gexf")

#: What ``survkg export`` / ``/api/graph?format=`` write, by name (the writers are in
#: ``graph/interchange/exports.py``, imported only when a format is written).
EXPORTS: dict[str, Format] = {f.name: f for f in (*RDF, GRAPHML, GEXF, CSV_FINDINGS, FTM)}
#: What ``survkg import`` / ``POST /api/import`` read: the RDF syntaxes, findings, FtM.
IMPORTS: dict[str, Format] = {f.name: f for f in (*RDF, CSV_FINDINGS, FTM)}

EXPORT_NAMES: tuple[str, ...] = tuple(sorted(EXPORTS))
RESULT_NAMES: tuple[str, ...] = tuple(r.name for r in RESULTS)


def find(family: tuple[Format, ...] | dict[str, Format], *, name: str | None = None,
         media_type: str | None = None, filename: str | None = None) -> Format | None:
    """The format of ``family`` a name, alias, media type (parameters such as charset
    ignored) or file name (longest extension first: ``x.ftm.json`` is FtM) designates."""
    rows = list(family.values()) if isinstance(family, dict) else list(family)
    if name is not None:
        key = name.strip().lower()
        return next((f for f in rows if key in f.names), None)
    if media_type is not None:
        key = media_type.split(";")[0].strip().lower()
        return next((f for f in rows if key in f.media_types), None)
    if filename is not None:
        lower = filename.lower()
        found = [(len(ext), f) for f in rows for ext in f.all_extensions
                 if lower.endswith("." + ext)]
        return max(found, key=lambda e: e[0])[1] if found else None
    return None


def by_name(name: str) -> ox.RdfFormat:
    """The RDF syntax called ``name`` (case-insensitive), or an error listing the names."""
    fmt = find(RDF, name=name)
    if fmt is None or fmt.rdf is None:
        raise InvalidParameter("format", f"unknown RDF format {name!r}; use one of "
                               + ", ".join(sorted(n for f in RDF for n in f.names)))
    return fmt.rdf


def for_path(path: Path) -> ox.RdfFormat:
    """The RDF syntax a file's extension names (``.ttl``, ``.nt``, ``.nq``, ``.trig``, ...)."""
    fmt = find(RDF, filename=path.name)
    if fmt is None or fmt.rdf is None:
        raise InvalidParameter("file", f"{path}: cannot tell the RDF format from {path.suffix!r}")
    return fmt.rdf
