"""The public endpoint over a remote store: a checked query forwarded, its results cut.

When survkg serves a remote SPARQL store (``survkg serve --store http://...``), the
query engine is the remote server's, so the protections of the embedded case are kept or
replaced one by one (docs/security.md, "Over a remote store"):

- **The same check.** The query worker parses the text and walks its tree exactly as for
  the embedded store (:func:`api.sparql.parsed.check_query`): SERVICE and LOAD are
  refused anywhere, FROM / FROM NAMED must name graphs of the store. That is what keeps
  the remote server off the network on a query's behalf: survkg cannot isolate another
  machine's process, only refuse what would make it fetch.
- **The dataset named explicitly.** Without FROM or protocol graphs, the query is sent
  with every graph of the store as ``default-graph-uri`` and ``named-graph-uri`` (the
  union survkg answers from everywhere; servers differ in their default), never with
  the server's own default; the protocol's graphs are passed on as given.
- **The same prefixes and base.** survkg's prefixes and the endpoint's base IRI are
  declared ahead of the text (a declaration in the text overrides them, as in SPARQL).
- **The same limits.** The worker is killed at the time limit as before (closing the
  connection); its HTTP timeout is that limit too. Results come through the store's own
  ``query`` (so a server's quirks are handled in one place, :mod:`graph.remote_store`),
  within the worker's memory limit, and are cut at the row limit. A killed connection
  does not stop the server's work: public queries are forwarded only where the store
  bounds its own query time (``remote_store_bounds_queries``, checked by the endpoint).

Runs inside the query worker process (:mod:`api.sparql.worker`), never in the server.
"""

from __future__ import annotations

import sys
from typing import Any

import pyoxigraph as ox

from api.sparql.parsed import ParsedSyntaxError, check_query
from api.sparql.worker import Task, serialize
from graph.errors import QueryError, QueryRefused
from graph.namespaces import PREFIXES
from graph.remote_store import RemoteStoreError, SparqlHttpStore
from graph.store import GraphName, QueryResult

#: What a client sees when the remote store fails (its address stays in the server's log).
UNAVAILABLE = "the store behind this endpoint did not answer; try again later"


def local_graphs(store: SparqlHttpStore) -> set[str]:
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def prologue(base: str | None) -> str:
    """survkg's prefixes and the endpoint's base, declared ahead of a forwarded text."""
    lines = [f"BASE <{base}>"] if base else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items()]
    return "\n".join(lines) + "\n"


def _send(store: SparqlHttpStore, task: Task, has_from: bool) -> QueryResult:
    text = prologue(task.base) + task.text
    if task.default_graph is not None or task.named_graphs is not None:
        # The protocol's dataset, as given; without named graphs every graph may be
        # named in GRAPH (as the embedded engine does).
        names = task.named_graphs if task.named_graphs is not None else \
            sorted(local_graphs(store))
        named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in names]
        default: list[GraphName] = [ox.NamedNode(g) for g in task.default_graph or []]
        return store.query(text, default_graph=default, named_graphs=named)
    if task.from_query or has_from:  # the query's own FROM (checked: local graphs only)
        return store.query(text, union_default_graph=False)
    return store.query(text)  # every graph named: the union, on any server


def execute_remote(store: SparqlHttpStore, task: Task) -> tuple[bytes, bool]:
    """Check ``task``, forward it, and serialise its results cut at the row limit."""
    checked = check_query(task.text, base=task.base, local=lambda: local_graphs(store))
    return serialize(_send(store, task, checked.has_from), task.fmt, task.max_rows)


def answer_remote(store: SparqlHttpStore, task: Task) -> tuple[Any, ...]:
    """The worker's answer to one task over a remote store (the frames of ``answer``)."""
    try:
        body, cut = execute_remote(store, task)
        return ("ok", body, cut)
    except QueryRefused as exc:
        return ("refused", str(exc))
    except ParsedSyntaxError as exc:
        return ("syntax", str(exc))
    except RemoteStoreError as exc:
        print(f"survkg query worker: {exc}", file=sys.stderr)
        return ("unavailable", UNAVAILABLE)
    except QueryError as exc:  # the remote server refused it (400): its own message
        return ("error", str(exc))
    except (OSError, SyntaxError, ValueError) as exc:  # cut off mid-body, bad results
        print(f"survkg query worker: {type(exc).__name__}: {exc}", file=sys.stderr)
        return ("unavailable", UNAVAILABLE)
