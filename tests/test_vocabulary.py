"""graph/vocabulary.py reads the ontology's closed lists; they are what the store says.

The CSV reader and the FtM mapper take confidence levels and statuses from it, so they
must match the declarations the exposure engine reads from the store's ontology graph.
"""

from __future__ import annotations

from graph.namespaces import SKG
from graph.queries import value_rows
from graph.store import OxigraphStore
from graph.vocabulary import claim_statuses, confidence_levels


def test_confidence_levels_are_the_stores(seed_store: OxigraphStore) -> None:
    rows = value_rows(seed_store, """SELECT ?l ?label ?w ?r WHERE {
        GRAPH <https://w3id.org/survkg/graph/ontology> {
          ?l a skg:ConfidenceLevel ; rdfs:label ?label ; skg:weight ?w ; skg:rank ?r } }""")
    assert {(r["l"], r["label"], float(r["w"]), int(r["r"])) for r in rows} == \
        {(lv.iri, lv.label, lv.weight, lv.rank) for lv in confidence_levels()}
    assert [lv.local for lv in confidence_levels()][:1] == ["StatedInReport"]  # file order


def test_statuses_are_the_stores(seed_store: OxigraphStore) -> None:
    rows = value_rows(seed_store, """SELECT ?s ?label ?c WHERE {
        GRAPH <https://w3id.org/survkg/graph/ontology> {
          ?s a skg:ClaimStatus ; rdfs:label ?label ; skg:countsByDefault ?c } }""")
    assert {(r["s"], r["label"], r["c"] == "true") for r in rows} == \
        {(st.iri, st.label, st.counts_by_default) for st in claim_statuses()}
    assert {st.local for st in claim_statuses() if not st.counts_by_default} >= {
        "Disputed", "Unverified"}
    assert all(st.iri.startswith(SKG) for st in claim_statuses())
