"""Shared fixtures.

Strategy: the seed graph in an in-memory store (``seed_store``) is built once per
session and must not be written to; tests that write get their own on-disk store
(``disk_store``) in a temporary folder. Small purpose-built graphs live beside the
tests that use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.loading import open_store
from graph.store import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seed_store() -> OxigraphStore:
    """The ontology and the seeds, in memory. Read-only by convention."""
    return open_store(memory=True)


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    """A fresh, seeded, on-disk store of this test's own."""
    store = open_store(tmp_path / "store")
    yield store
