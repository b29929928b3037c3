"""The SPARQL editor in a real browser (headless Chromium), under the strict CSP.

Checks that an example query runs and fills a sortable table with entity links, that no
request leaves 127.0.0.1 and no CSP violation is reported, and that the page still works
as a plain textarea when the npm assets are missing. Saves sparql-editor.png to
$SURVKG_SCREENSHOTS (`make screenshots`).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from api.settings import Settings
from api.sparql.editor import assets_installed, examples
from graph.loading import open_store
from graph.store import OxigraphStore
from tests.paths import SCREENSHOTS
from tests.sparql_support import serve

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = SCREENSHOTS / "sparql-editor.png"


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    return open_store(memory=True)


class Watch:
    """Every request the page makes, and every console message about the CSP."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        self.csp: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("console", lambda m: self.csp.append(m.text)
                if "Content Security Policy" in m.text else None)

    def hosts(self) -> set[str]:
        return {urlsplit(u).hostname or "" for u in self.urls if not u.startswith("data:")}


def test_editor_runs_an_example_and_stays_local(browser: Browser,
                                                store: OxigraphStore) -> None:
    if not assets_installed(Settings()):
        pytest.skip("editor assets not installed (run `make assets`)")
    assert examples(), "the competency-question queries are the editor's examples"
    with serve(store) as srv:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        watch = Watch(page)
        page.goto(srv.url + "/sparql")
        page.wait_for_selector(".CodeMirror")  # highlighting editor, from /assets/
        page.select_option("#examples", index=1)
        page.click("#run")
        page.wait_for_selector("table.results tbody tr", timeout=15_000)
        header = page.locator("table.results th").first
        header.click()
        assert header.get_attribute("aria-sort") == "ascending"
        links = page.locator("table.results a[href^='/entity/']")
        assert links.count() > 0
        assert "/id/" not in (links.first.get_attribute("href") or "")
        assert page.locator("#downloads").is_visible()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        page.close()
    assert watch.hosts() == {"127.0.0.1"}, watch.urls
    assert any("/assets/codemirror/" in u for u in watch.urls)
    assert watch.csp == []


def test_without_assets_the_page_is_a_plain_textarea(browser: Browser, store: OxigraphStore,
                                                     tmp_path: Path) -> None:
    with serve(store, assets_dir=tmp_path) as srv:
        page = browser.new_page()
        watch = Watch(page)
        page.goto(srv.url + "/sparql")
        assert page.locator("#no-assets").is_visible()
        assert page.locator(".CodeMirror").count() == 0
        page.fill("#query", "SELECT ?s WHERE { ?s a skg:Supply } LIMIT 3")
        page.click("#run")
        page.wait_for_selector("table.results tbody tr", timeout=15_000)
        assert page.locator("table.results tbody tr").count() == 3
        page.close()
    assert watch.hosts() == {"127.0.0.1"} and watch.csp == []
