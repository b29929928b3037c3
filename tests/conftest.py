"""Shared fixtures.

Strategy: the seed graph in an in-memory store (``seed_store``) is built once per
session and must not be written to; tests that write get their own on-disk store
(``disk_store``) in a temporary folder. Small purpose-built graphs live beside the
tests that use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.loading import open_store
from graph.store import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # copies of ../shared inputs (see tests/data/README.md)


@pytest.fixture(scope="session")
def seed_store() -> OxigraphStore:
    """The ontology and the seeds, in memory. Read-only by convention."""
    return open_store(memory=True)


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    """A fresh, seeded, on-disk store of this test's own."""
    store = open_store(tmp_path / "store")
    yield store


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium per test process (Playwright's sync API allows one)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium at /usr/bin/chromium (run `make chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
