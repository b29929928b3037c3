"""What the home page shows: counts, programmes, the latest sources (one query each)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from graph.describe import safe_url
from graph.lookup.labels import fallback_label, label_of
from graph.namespaces import DCTERMS, RDFS, SKG, local_id
from graph.store import Store

_COUNTS = {
    "organisations": "Organisation",
    "supplies": "Supply",
    "programmes": "SurveillanceProgramme",
    "sources": "Source",
    "claims": "Claim",
    "responses": "Response",
}


def _rows(store: Store, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (sol[n].value if sol[n] is not None else "") for n in names} for sol in result]


def counts(store: Store) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, cls in _COUNTS.items():
        rows = _rows(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?t . "
                            f"?t <{RDFS}subClassOf>* <{SKG}{cls}> }}")
        out[key] = int(rows[0]["n"]) if rows else 0
    return out


def programmes(store: Store) -> list[dict[str, str]]:
    """Every programme, named by the one label rule (graph.lookup.labels)."""
    rows = _rows(store, f"SELECT DISTINCT ?p WHERE {{ ?p a <{SKG}SurveillanceProgramme> }}")
    out = [{"id": local_id(r["p"]), "label": label_of(store, r["p"]) or fallback_label(r["p"])}
           for r in rows]
    return sorted(out, key=lambda r: (r["label"], r["id"]))


def latest_sources(store: Store, limit: int = 12) -> list[dict[str, str | None]]:
    rows = _rows(store, f"""SELECT ?s (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?date)
        (SAMPLE(?pub) AS ?publisher) (SAMPLE(?u) AS ?url) WHERE {{
          ?s a ?c . ?c <{RDFS}subClassOf>* <{SKG}Source> . ?s <{DCTERMS}title> ?t .
          OPTIONAL {{ ?s <{SKG}date> ?d }} OPTIONAL {{ ?s <{DCTERMS}publisher> ?pub }}
          OPTIONAL {{ ?s <{SKG}url> ?u }} }}
        GROUP BY ?s ORDER BY DESC(STR(?date)) ?title LIMIT {int(limit)}""")
    return [{"id": local_id(r["s"]), "title": r["title"], "date": r["date"] or None,
             "publisher": r["publisher"] or None, "url": safe_url(r["url"] or None)}
            for r in rows]


def home_data(store: Store) -> dict[str, Any]:
    return {"counts": counts(store), "programmes": programmes(store),
            "sources": latest_sources(store)}
