"""Shared fixtures.

Strategy: the seed graph in an in-memory store (``seed_store``) is built once per
session and must not be written to; tests that write get their own on-disk store
(``disk_store``) in a temporary folder. Small purpose-built graphs live beside the
tests that use them.

**Two stores.** Tests about the store's behaviour (loading, imports, exposure, the
competency questions, the SPARQL protocol) take ``any_seed_store`` (read-only) or
``fresh_store`` (writable) instead, and run twice: on the embedded store and on a real
``oxigraph serve`` spoken to over the W3C protocols (:class:`SparqlHttpStore`), with the
same expected answers. The server is the one ``.ci/run`` started for this test process
(``SURVKG_TEST_OXIGRAPH``: one URL per xdist worker, the worker ``gwN`` takes the N-th),
or, outside CI, one this process starts itself on a free loopback port. Between tests the
server holds exactly the seeds: a test that writes (``fresh_store``) gets it seeded and
leaves it reset to the seeds again, so every remote test sees a fresh dataset.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graph.loading import open_store
from graph.remote_store import SparqlHttpStore
from graph.store import OxigraphStore, Store

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # copies of ../shared inputs (see tests/data/README.md)

#: The stores a store-behaviour test runs on (the ids in test names).
STORE_KINDS = ["embedded", "oxigraph-serve"]
#: ``.ci/run`` names the servers it started here, comma-separated, one per xdist worker.
SERVERS_ENV = "SURVKG_TEST_OXIGRAPH"


@pytest.fixture(scope="session")
def seed_store() -> OxigraphStore:
    """The ontology and the seeds, in memory. Read-only by convention."""
    return open_store(memory=True)


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    """A fresh, seeded, on-disk store of this test's own."""
    store = open_store(tmp_path / "store")
    yield store


# -- the second store: oxigraph serve ---------------------------------------------------

def oxigraph_binary() -> str:
    """The Oxigraph server that the PyPI package ``oxigraph`` installs beside Python."""
    found = Path(sys.executable).with_name("oxigraph")
    if found.exists():
        return str(found)
    on_path = shutil.which("oxigraph")
    if on_path is None:
        pytest.fail("the oxigraph server binary is missing: `pip install oxigraph` (make install)")
    return on_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_oxigraph(url: str, proc: subprocess.Popen[bytes] | None = None,
                      seconds: float = 30) -> None:
    """Return once the server at ``url`` answers a query; fail the test run otherwise."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url + "query?query=ASK%7B%7D", timeout=1).close()
            return
        except OSError:
            if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                pytest.fail(f"oxigraph serve at {url} did not answer")
            time.sleep(0.05)


def _ci_server() -> str | None:
    """The server .ci/run started for this test process, if any."""
    urls = [u.strip() for u in os.environ.get(SERVERS_ENV, "").split(",") if u.strip()]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    return urls[index] if index < len(urls) else None


@contextmanager
def oxigraph_server(location: Path | None = None) -> Iterator[str]:
    """A new ``oxigraph serve`` on a free loopback port until the block ends: in memory,
    or on disk in ``location``."""
    port = _free_port()
    on_disk = ["--location", str(location)] if location is not None else []
    proc = subprocess.Popen([oxigraph_binary(), "serve", *on_disk, "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_oxigraph(url, proc)
        yield url
    finally:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="session")
def oxigraph_url() -> Iterator[str]:
    """The base URL of this test process's own ``oxigraph serve`` (in memory, loopback)."""
    url = _ci_server()
    if url is not None:
        wait_for_oxigraph(url)
        yield url
        return
    with oxigraph_server() as url:
        yield url


def reset_to_seeds(store: SparqlHttpStore, seeds: OxigraphStore) -> None:
    """Empty every graph of the remote store and put the seeds back (two requests, each
    bumping the generation, so caches keyed on ``version`` never see an old number)."""
    graphs = [f"DROP SILENT GRAPH {g} ;" for g in store.named_graphs()]
    store.update("\n".join(["CLEAR SILENT DEFAULT ;", *graphs]))
    store.extend(seeds.quads())


@pytest.fixture(scope="session")
def remote_seed_store(oxigraph_url: str, seed_store: OxigraphStore) -> SparqlHttpStore:
    """The seeds in ``oxigraph serve``. Read-only by convention, like ``seed_store``."""
    store = SparqlHttpStore(oxigraph_url)
    reset_to_seeds(store, seed_store)
    return store


@pytest.fixture(scope="session", params=STORE_KINDS)
def any_seed_store(request: pytest.FixtureRequest) -> Store:
    """The seeded store, embedded and then remote (``oxigraph serve``). Read-only."""
    name = "seed_store" if request.param == "embedded" else "remote_seed_store"
    store: Store = request.getfixturevalue(name)
    return store


@pytest.fixture
def fresh_remote_store(remote_seed_store: SparqlHttpStore,
                       seed_store: OxigraphStore) -> Iterator[SparqlHttpStore]:
    """The seeded remote store for a test that writes: reset to the seeds afterwards."""
    store = SparqlHttpStore(remote_seed_store.location)
    try:
        yield store
    finally:
        reset_to_seeds(store, seed_store)


@pytest.fixture(params=STORE_KINDS)
def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh seeded store that this test may write to: an on-disk embedded store of its
    own, or the remote server (``fresh_remote_store``)."""
    if request.param == "embedded":
        local = open_store(tmp_path / "store")
        yield local
        local.close()
        return
    yield request.getfixturevalue("fresh_remote_store")


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
