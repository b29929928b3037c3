"""Name resolution and search (graph/entities.py)."""

from __future__ import annotations

import pytest

from graph.entities import resolve, search
from graph.errors import AmbiguousEntity, UnknownEntity
from graph.store import OxigraphStore
from tests.exposure_helpers import store_from

GRAPH = """
x:org/a a skg:Company ; rdfs:label "Acme Vision" ; skos:altLabel "Acme" ;
    skg:chineseName "艾克米"@zh .
x:org/b a skg:Company ; rdfs:label "Acme Vision Labs" .
x:org/c a skg:PublicSecurityBody ; rdfs:label "Harbour Police Bureau" .
x:supply/1 a skg:Supply ; rdfs:label "Acme Vision cameras to Harbour Police" .
"""


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    return store_from(GRAPH)


def test_exact_id_iri_alias_and_chinese(store: OxigraphStore) -> None:
    assert resolve(store, "acme vision").id == "org/a"          # exact beats partial
    assert resolve(store, "ACME").id == "org/a"                 # alias
    assert resolve(store, "艾克米").id == "org/a"                # Chinese name
    assert resolve(store, "org/b").id == "org/b"
    assert resolve(store, "https://w3id.org/survkg/id/org/c").label == "Harbour Police Bureau"


def test_partial_unique_ambiguous_unknown(store: OxigraphStore) -> None:
    assert resolve(store, "harbour").id == "org/c"              # claim ranks after the org
    assert resolve(store, "labs").id == "org/b"
    with pytest.raises(AmbiguousEntity) as amb:
        resolve(store, "vision")
    assert any("org/a" in c for c in amb.value.candidates)
    with pytest.raises(UnknownEntity) as unk:
        resolve(store, "Akme Vison")
    assert any("org/a" in c for c in unk.value.candidates)


def test_search(store: OxigraphStore) -> None:
    rows, total = search(store, "acme")
    assert total == 3 and rows[0]["id"] == "org/a"
    assert [r["id"] for r in rows][-1] == "supply/1"
    rows, total = search(store, "acme", type="Organisation", limit=1, offset=1)
    assert total == 2 and [r["id"] for r in rows] == ["org/b"]
    rows, _ = search(store, "艾克")
    assert rows[0]["snippet"] == "chinese: 艾克米"
    assert set(rows[0]) == {"id", "iri", "label", "types", "snippet"}


def test_seed_names(seed_store: OxigraphStore) -> None:
    assert resolve(seed_store, "Axis").id == "org/axis-communications"
    assert resolve(seed_store, "noldus").id == "org/noldus"


def test_a_description_lists_each_type_once(seed_store: OxigraphStore) -> None:
    # The label cache once appended to a types list it had already handed out, so an
    # entity page showed "company company".
    from graph.describe import describe
    from graph.namespaces import ID

    for org in ("org/axis-communications", "org/canon", "org/noldus", "org/shanghai-psb"):
        types = [t.iri for t in describe(seed_store, ID + org).types]
        assert types and len(types) == len(set(types)), (org, types)
