"""The exposure page keeps its filters in its URL, in headless Chromium against a real
server: moving the as-of slider changes the address and the result (as the API says),
the back button restores the earlier state, and "Apply" keeps the date. The explorer's
counts after filtering are what it draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from web_server import live_server

from graph.store import OxigraphStore
from tests.test_pages_browser import Watch

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def base(seed_store: OxigraphStore) -> Iterator[str]:
    with live_server(seed_store) as url:
        yield url


@pytest.fixture
def pg(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    watch = Watch(page)
    yield page
    watch.assert_local()
    context.close()


def _slide(pg: Any, year: int) -> None:
    pg.eval_on_selector("#as-of", f"e => {{ e.value = '{year}'; "
                                  "e.dispatchEvent(new Event('input', {bubbles: true})); }")


def _as_of(pg: Any) -> list[str]:
    return parse_qs(urlsplit(pg.url).query).get("as_of", [])


def _settled(pg: Any) -> None:
    pg.wait_for_function("() => !document.querySelector('#graph').hasAttribute('data-loading')")


def test_as_of_lives_in_the_url(pg: Any, base: str) -> None:
    then = httpx.get(base + "/api/exposure/org/canon", params={"as_of": "2014"}).json()
    now = httpx.get(base + "/api/exposure/org/canon").json()
    assert then["score"] == 0 and now["score"] > 0  # Canon bought Axis in 2015
    pg.goto(base + "/exposure/org/canon?as_of=2014")
    pg.wait_for_selector("#graph[data-as-of='2014']")
    assert pg.locator("#score").inner_text() == "0.000"
    assert int(pg.get_attribute("#as-of", "min")) <= 2014
    # Slide to 2020: the URL says so and the score is the API's.
    _slide(pg, 2020)
    pg.wait_for_function("() => location.search.includes('as_of=2020')")
    _settled(pg)
    with_2020 = httpx.get(base + "/api/exposure/org/canon", params={"as_of": "2020"}).json()
    pg.wait_for_function(f"() => document.querySelector('#score').textContent === "
                         f"'{with_2020['score']:.3f}'")
    # Back: 2014 again, in the address, on the slider and in the score.
    pg.go_back()
    pg.wait_for_function("() => location.search.includes('as_of=2014')")
    pg.wait_for_selector("#graph[data-as-of='2014']")
    _settled(pg)
    pg.wait_for_function("() => document.querySelector('#score').textContent === '0.000'")
    assert pg.eval_on_selector("#as-of", "e => e.value") == "2014"
    # "Apply" with another filter keeps the date.
    pg.fill("#max_hops", "3")
    pg.click("#xcontrols button[type=submit]")
    pg.wait_for_function("() => location.search.includes('max_hops=3')")
    assert _as_of(pg) == ["2014"]
    assert pg.locator("#score").inner_text() == "0.000"


def test_explorer_counts_only_what_it_draws(pg: Any, base: str) -> None:
    pg.goto(base + "/explore?focus=Noldus%20Information%20Technology&depth=2")  # a name
    pg.wait_for_selector("#graph[data-stable='1']")
    assert "org/noldus" in pg.evaluate("() => window.survkgGraph.network.getSelectedNodes()")
    pg.select_option("#f-country", index=1)
    counts = pg.evaluate(
        "() => { const g = window.survkgGraph; const ids = new Set(g.nodeView.getIds());"
        " return {nodes: ids.size, edges: g.edgeView.length,"
        " dangling: g.edgeView.get().filter(e => !ids.has(e.from) || !ids.has(e.to)).length};"
        " }")
    assert counts["nodes"] > 0 and counts["dangling"] == 0
    note = pg.locator("#graph-note").inner_text()
    assert f"{counts['nodes']} nodes and {counts['edges']} relations" in note
