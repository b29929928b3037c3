"""What survkg does differently when its remote store is Virtuoso (7.2, open source).

Virtuoso is recognised by the ``Server`` header of its answers (``Virtuoso/07.20...``).
Its departures from the SPARQL 1.1 standards that matter to survkg, each shown by a test
in ``tests/test_virtuoso.py`` and described in ``docs/remote-store.md`` ("Virtuoso"):

- its default graph is the union of every graph, its own system graphs
  (:data:`SYSTEM_GRAPHS`) included: survkg leaves those out of its dataset;
- it answers ``xsd:boolean`` values as ``"1"`` and ``"0"`` and names blank nodes
  ``nodeID://b10000`` in JSON results (not a blank node label): survkg reads them back
  as ``true``, ``false`` and ``_:b10000`` (:func:`normalise_results`), so data
  round-trips unchanged;
- it serves a CONSTRUCT as a JSON result set when the client prefers JSON: survkg asks
  for N-Triples only when the query is a CONSTRUCT or DESCRIBE (:func:`accept_for`);
- it cuts results at ``ResultSetMaxRows`` (or at its query time limit) and still answers
  200: survkg refuses such a partial answer (:func:`refuse_partial`);
- it reports a query it will not run (a property path with both ends unbound) as a
  server error: survkg reports it as the query's fault (:data:`QUERY_ERRORS`);
- some queries it answers wrongly and survkg cannot tell: a zero-or-more path joined
  with other patterns over a dataset of several graphs loses rows, and ``p+``/``p*``
  give a row per route where SPARQL 1.1 gives one per node (the tests pin which).
"""

from __future__ import annotations

import re
from email.message import Message

from graph.errors import QueryTimeout, TooLarge

#: Virtuoso's own graphs (its RDF views' metadata, the LDP vocabulary, its service
#: description), which its union default graph and ``GRAPH ?g`` show beside the data.
SYSTEM_GRAPHS = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#",
                 "http://localuriqaserver/")

#: Virtuoso's HTTP 500 answers that are the query's fault, not the server's.
QUERY_ERRORS = re.compile(r"transitive start not given|Virtuoso 37000 Error SP\d")

_BOOLEAN = (rb"(http://www\.w3\.org/2001/XMLSchema#boolean\"\s*,\s*\"value\"\s*:\s*)\"([01])\""
            rb"|\"([01])\"(\^\^<http://www\.w3\.org/2001/XMLSchema#boolean>)")
_BOOLEAN_RE = re.compile(_BOOLEAN)
_NODE_ID = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
#: The prologue's IRIs and comments, then the first keyword: the query's form.
_IRI_OR_COMMENT = re.compile(r"<[^<>\s]*>|#[^\n]*")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)

RESULTS_ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
                  "application/n-triples;q=0.8, text/turtle;q=0.7")
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"


class PartialResultsError(TooLarge):
    """The server cut a result at its row limit but answered 200 (the message says so)."""


def is_virtuoso(server_header: str | None) -> bool:
    return (server_header or "").startswith("Virtuoso/")


def accept_for(sparql: str) -> str:
    """The Accept header for a query: RDF for CONSTRUCT and DESCRIBE, results otherwise."""
    form = _FORM.search(_IRI_OR_COMMENT.sub(" ", sparql))
    if form and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_ACCEPT
    return RESULTS_ACCEPT


def normalise_results(body: bytes) -> bytes:
    """JSON results or N-Triples with Virtuoso's ``"1"``/``"0"`` booleans made
    ``"true"``/``"false"`` (the canonical forms the data was written with) and its
    ``nodeID://`` blank nodes made plain blank node labels."""
    body = _NODE_ID.sub(rb"\1", body)
    def fix(m: re.Match[bytes]) -> bytes:
        digit = m.group(2) or m.group(3)
        word = b'"true"' if digit == b"1" else b'"false"'
        return m.group(1) + word if m.group(1) else word + m.group(4)
    return _BOOLEAN_RE.sub(fix, body)


def refuse_partial(headers: Message) -> None:
    """Refuse results that Virtuoso cut short but answered 200: at its ``[SPARQL]
    ResultSetMaxRows`` (header ``X-SPARQL-MaxRows``), or at ``MaxQueryExecutionTime``
    as an "anytime" answer (header ``X-SQL-State``)."""
    if headers.get("X-SPARQL-MaxRows"):
        raise PartialResultsError(
            f"the remote store cut the results at {headers.get('X-SPARQL-MaxRows')} rows "
            "(Virtuoso's [SPARQL] ResultSetMaxRows): raise it or narrow the query; "
            "partial results are never used")
    if headers.get("X-SQL-State"):
        raise QueryTimeout(
            f"the remote store answered partially ({headers.get('X-SQL-State')}: "
            f"{headers.get('X-SQL-Message')}): Virtuoso's [SPARQL] MaxQueryExecutionTime")
