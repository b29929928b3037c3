"""The documentation keeps up with the ontology and the data (STYLE 3, like datasette's test_docs).

- ``docs/ontology.md`` mentions every ``skg:`` term the ontology declares, so a new term
  fails here until it is documented;
- its SPARQL examples run on the seed graph and its Turtle examples parse, and the worked
  example (supply T-01 and its response) is what the seeds actually say;
- ``docs/competency-questions.md`` lists every query file of ``ontology/queries/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from graph.loading import ontology_files
from graph.namespaces import SKG
from graph.store import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "ontology.md"
QUESTIONS = ROOT / "docs" / "competency-questions.md"
QUERIES = ROOT / "ontology" / "queries"

_FENCE = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def ontology_terms() -> list[str]:
    g = rdflib.Graph()
    for path in ontology_files():
        g.parse(path, format="turtle")
    terms = {str(t) for t in g.all_nodes() if str(t).startswith(SKG)}
    terms |= {str(p) for p in g.predicates() if str(p).startswith(SKG)}
    return sorted("skg:" + t[len(SKG):] for t in terms)


def blocks(language: str) -> list[str]:
    return [body for lang, body in _FENCE.findall(GUIDE.read_text(encoding="utf-8"))
            if lang == language]


def test_guide_mentions_every_ontology_term() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    missing = [t for t in ontology_terms()
               if not re.search(r"(?<![\w:])" + re.escape(t) + r"(?![\w-])", text)]
    assert not missing, ("docs/ontology.md does not document these ontology terms "
                         f"(add them to the guide): {missing}")


def test_guide_mentions_the_named_graphs() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for graph in ("https://w3id.org/survkg/graph/ontology", "https://w3id.org/survkg/graph/seeds",
                  "https://w3id.org/survkg/graph/user/<name>"):
        assert graph in text


@pytest.mark.parametrize("index", range(len(blocks("sparql"))))
def test_guide_sparql_examples_run(seed_store: OxigraphStore, index: int) -> None:
    query = blocks("sparql")[index]
    result = seed_store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    assert list(result), f"example {index} of docs/ontology.md returns nothing:\n{query}"


@pytest.mark.parametrize("index", range(len(blocks("turtle"))))
def test_guide_turtle_examples_parse(index: int) -> None:
    rdflib.Graph().parse(data=blocks("turtle")[index], format="turtle")


def test_worked_example_is_what_the_seeds_say(seed_store: OxigraphStore) -> None:
    """Every triple of the T-01 example is in the seed graph, so the guide cannot drift."""
    example = blocks("turtle")[0]
    quads = list(ox.parse(example.encode(), format=ox.RdfFormat.TURTLE))
    assert len(quads) > 20
    missing = [f"{q.subject} {q.predicate} {q.object}" for q in quads
               if not list(seed_store.quads(q.subject, q.predicate, q.object))]
    assert not missing, "docs/ontology.md's worked example differs from the seeds:\n" + "\n".join(
        missing)


def test_competency_questions_list_every_query_file() -> None:
    text = QUESTIONS.read_text(encoding="utf-8")
    files = sorted(p.name for p in QUERIES.glob("*.rq"))
    assert len(files) >= 22
    listed = set(re.findall(r"ontology/queries/([\w.-]+\.rq)", text))
    assert listed == set(files), (f"unlisted: {sorted(set(files) - listed)}; "
                                  f"listed but missing: {sorted(listed - set(files))}")


CONFIGURATION = ROOT / "docs" / "configuration.md"


def test_configuration_documents_every_setting() -> None:
    """Every ``Settings`` field has its ``SURVKG_<NAME>`` row in docs/configuration.md, and
    every row there is a field or a variable the code reads by name (a renamed or removed
    setting fails here too)."""
    from dataclasses import fields

    from api.settings import ENV_PREFIX, Settings

    text = CONFIGURATION.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(SURVKG_[A-Z0-9_]+)` \|", text, flags=re.MULTILINE))
    wanted = {ENV_PREFIX + f.name.upper() for f in fields(Settings)}
    assert wanted - rows == set(), "undocumented settings"
    code = "\n".join(p.read_text(encoding="utf-8")
                     for folder in ("graph", "api") for p in (ROOT / folder).rglob("*.py"))
    assert {v for v in rows - wanted if f'"{v}"' not in code} == set(), \
        "documented variables that nothing reads"
