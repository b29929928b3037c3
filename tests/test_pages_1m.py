"""The pages at the size survkg is benchmarked at: a generated 1M-triple store on disk,
served by a real ``survkg serve``, driven by headless Chromium.

The explorer opens on its aggregated overview, a group drills down and a node expands;
the busiest exporter's entity and exposure pages stay under 300 KB; the pages fit a
390 px phone. Times and the main thread's long tasks (``PerformanceObserver``) are
printed for the record, never asserted (bench/bench_pages.py records them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.bench_pages import BUSIEST, LONGTASKS, start
from bench.generate import write

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
TRIPLES = 1_000_000
MAX_PAGE_BYTES = 300_000


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("pages-1m")
    data, store = folder / "g1m.nt", folder / "store"
    assert write(data, TRIPLES) >= TRIPLES
    subprocess.run([sys.executable, "-c", "from graph.cli import main; main()", "load",
                    "--store", str(store), str(data)], cwd=ROOT, check=True,
                   capture_output=True, timeout=900)
    data.unlink()
    proc, url, ready, _ = start(str(store))
    print(f"1M store served, ready after {ready:.1f} s")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.mark.parametrize("path", [f"/entity/{BUSIEST}", f"/exposure/{BUSIEST}"])
def test_the_busiest_exporters_pages_stay_small(base: str, path: str) -> None:
    r = httpx.get(base + path, timeout=300)
    assert r.status_code == 200
    assert len(r.content) < MAX_PAGE_BYTES, (path, len(r.content))
    assert "syn-exporter-0" in r.text or "Syn" in r.text


def test_explorer_overview_drill_down_and_expansion(browser: Any, base: str) -> None:
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.add_init_script(LONGTASKS)
    pg = ctx.new_page()
    try:
        pg.goto(base + "/explore")
        pg.wait_for_selector("#graph[data-mode='overview'][data-stable='1']", timeout=120_000)
        groups = pg.evaluate("() => window.survkgGraph.nodeView.getIds()")
        assert 1 < len(groups) <= 200
        record: dict[str, Any] = {"overview_longtasks_ms": pg.evaluate("() => window.__longtasks")}
        pg.locator("#node-table-body button").first.click()
        pg.wait_for_selector("#graph[data-mode='group'][data-stable='1']", timeout=120_000)
        members = pg.evaluate("() => window.survkgGraph.nodeView.getIds()")
        assert 0 < len(members) <= 300
        pg.locator("#node-table-body button").first.click()
        pg.wait_for_selector("#info button.expand", timeout=60_000)
        pg.click("#info button.expand")
        pg.wait_for_function("n => window.survkgGraph.nodeView.getIds().length > n",
                             arg=len(members), timeout=120_000)
        record["all_longtasks_ms"] = pg.evaluate("() => window.__longtasks")
        print("1M explorer:", json.dumps(record))
    finally:
        ctx.close()


def test_pages_fit_a_phone(browser: Any, base: str) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    try:
        for path in ["/", f"/entity/{BUSIEST}", f"/exposure/{BUSIEST}", "/explore"]:
            pg.goto(base + path, timeout=120_000)
            width = pg.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
    finally:
        ctx.close()
