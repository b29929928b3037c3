"""Competency questions: every ``ontology/queries/*.rq`` answers its question on the seeds.

The expected answers (``tests/competency_expected.py``) are read from the fact sheet, not
from running the queries, so a seed that drifts from the sheet fails here. Rows are
compared as sets of local ids / ``skg:`` names / literal values over the columns each
answer names; order does not matter (no question is about order).

Every query must also run as written (it declares its own prefixes, so it runs on any
SPARQL 1.1 endpoint) and through :func:`graph.queries.select_rows`, which prepends
survkg's prefixes the way the CLI and the SPARQL editor do.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.namespaces import ID, SKG
from graph.queries import select_rows
from graph.store import Store
from tests.competency_expected import EXPECTED, Answer, Row

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "ontology" / "queries"
FILES = sorted(p.name for p in QUERIES.glob("*.rq"))


def text_of(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """Local id for survkg resources, ``skg:`` name for ontology terms, value for literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(ID):
            return term.value[len(ID):]
        if term.value.startswith(SKG):
            return "skg:" + term.value[len(SKG):]
    return str(term.value)


def run(store: Store, sparql: str, columns: tuple[str, ...]) -> list[Row]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = {v.value for v in result.variables}
    missing = [c for c in columns if c not in names]
    assert not missing, f"the query selects no {missing} (it selects {sorted(names)})"
    return [tuple(text_of(solution[c]) for c in columns) for solution in result]


def check(answer: Answer, got: list[Row]) -> None:
    actual = set(got)
    allowed = answer.rows | answer.optional | frozenset().union(*answer.one_of)
    lines = []
    if missing := answer.rows - actual:
        lines.append(f"missing (the fact sheet says so): {sorted(missing)}")
    if extra := actual - allowed:
        lines.append(f"unexpected (not in the fact sheet): {sorted(extra)}")
    lines += [f"none of {sorted(group)}" for group in answer.one_of if not group & actual]
    assert not lines, f"[{answer.sheet}]\n" + "\n".join(lines)


def test_every_query_has_an_expected_answer() -> None:
    assert len(FILES) >= 22
    assert set(FILES) == set(EXPECTED), (
        f"no expected answer: {sorted(set(FILES) - set(EXPECTED))}; "
        f"answer without a query: {sorted(set(EXPECTED) - set(FILES))}")


@pytest.mark.parametrize("name", FILES)
def test_query_header(name: str) -> None:
    """Line 1 ``# title: ...``, line 2 ``# question: ...``: the SPARQL editor lists them."""
    lines = (QUERIES / name).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# title: ") and len(lines[0]) > len("# title: ") + 3
    assert lines[1].startswith("# question: ") and lines[1].rstrip().endswith("?")


def assert_answer(store: Store, name: str) -> None:
    """The query ``name`` gives the fact sheet's answer on ``store`` (any Store)."""
    answer = EXPECTED[name]
    sparql = (QUERIES / name).read_text(encoding="utf-8")
    if answer.ask is not None:
        result = store.query(sparql)
        assert isinstance(result, ox.QueryBoolean)
        assert bool(result) is answer.ask, f"[{answer.sheet}]"
        return
    check(answer, run(store, sparql, answer.columns))


@pytest.mark.parametrize("name", FILES)
def test_competency_question(any_seed_store: Store, name: str) -> None:
    """On the embedded store and on ``oxigraph serve`` (over the protocol): one answer."""
    assert_answer(any_seed_store, name)


@pytest.mark.parametrize("name", FILES)
def test_query_runs_with_survkg_prefixes(any_seed_store: Store, name: str) -> None:
    """As the CLI and the editor run it: survkg's PREFIX prologue first, then the file."""
    sparql = (QUERIES / name).read_text(encoding="utf-8")
    if EXPECTED[name].ask is not None:
        return
    names, rows = select_rows(any_seed_store, sparql)
    assert names and rows, f"{name} returns nothing on the seeds"


def test_check_reports_drift() -> None:
    """The comparison itself: missing, unexpected and one-of failures are all caught."""
    answer = Answer(sheet="test", columns=("a",), rows=frozenset({("x",)}),
                    optional=frozenset({("y",)}), one_of=(frozenset({("z",), ("w",)}),))
    check(answer, [("x",), ("z",)])
    for bad in ([("z",)], [("x",), ("z",), ("q",)], [("x",), ("y",)]):
        with pytest.raises(AssertionError):
            check(answer, bad)
