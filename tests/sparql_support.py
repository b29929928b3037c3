"""Helpers for the SPARQL endpoint tests: a real uvicorn server on a free local port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import pytest
import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.server import uvicorn_config
from api.settings import Settings
from api.sparql.endpoint import SparqlEndpoint
from graph.loading import open_store
from graph.remote_store import SparqlHttpStore
from graph.store import Store

#: Settings for tests that are not about limits: no rate limit, a short time limit.
TEST_SETTINGS: dict[str, Any] = {"rate_limit_per_minute": 0, "query_timeout": 3.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    app: FastAPI

    @property
    def endpoint(self) -> SparqlEndpoint:
        for route in self.app.router.routes:
            handler = getattr(route, "endpoint", None)
            owner = getattr(handler, "__self__", None)
            if isinstance(owner, SparqlEndpoint):
                return owner
        raise LookupError("no SPARQL endpoint in this app")


@contextmanager
def seeded_store(kind: str, request: pytest.FixtureRequest,
                 extra: Iterable[ox.Quad] = ()) -> Iterator[Store]:
    """The seeds plus ``extra`` in a store of ``kind`` (tests/conftest.py's STORE_KINDS):
    a new in-memory embedded store, or ``oxigraph serve`` (reset to the seeds afterwards),
    for module fixtures that serve the endpoint over each store."""
    if kind == "embedded":
        local = open_store(memory=True)
        local.extend(extra)
        yield local
        return
    from tests.conftest import reset_to_seeds
    shared: SparqlHttpStore = request.getfixturevalue("remote_seed_store")
    remote = SparqlHttpStore(shared.location)
    remote.extend(extra)
    try:
        yield remote
    finally:
        reset_to_seeds(remote, request.getfixturevalue("seed_store"))


@contextmanager
def serve(store: Store, **settings: Any) -> Iterator[Server]:
    """Run ``create_app(store, Settings(...))`` under uvicorn in a thread until the block ends."""
    config = Settings(**{**TEST_SETTINGS, **settings})
    app = create_app(store, config)
    port = free_port()
    server = uvicorn.Server(uvicorn_config(app, config, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield Server(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def worker_pids() -> set[int]:
    """The SPARQL query workers among this test process's children. A worker that has
    just exited (a zombie until reaped) or gone is not a worker any more."""
    import psutil
    found = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if "api.sparql.worker" in " ".join(p.cmdline()):
                found.add(p.pid)
        except psutil.Error:  # ZombieProcess, NoSuchProcess, AccessDenied
            continue
    return found
