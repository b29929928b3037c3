"""A real uvicorn server on a free loopback port, in a thread (for API, browser, bench).

Used by tests/test_api_server.py and tests/test_pages_browser.py; not a test module.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import uvicorn

from api.app import create_app
from api.settings import Settings
from graph.loading import open_store, parse_file
from graph.namespaces import GRAPH
from graph.store import OxigraphStore, Store

HOSTILE = Path(__file__).parent / "data" / "web_hostile.ttl"


def hostile_store() -> OxigraphStore:
    """A separate in-memory store: ontology, seeds and tests/data/web_hostile.ttl."""
    store = open_store(memory=True)
    store.extend(parse_file(HOSTILE, graph=ox.NamedNode(GRAPH + "user/web-hostile")))
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, tries: int = 200,
                  proc: subprocess.Popen[bytes] | None = None) -> None:
    """Return once ``base``/healthz answers 200; RuntimeError after ``tries`` attempts,
    or as soon as ``proc`` (the server's process, if given) has exited, with its output."""
    for _ in range(tries):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            if proc is not None and proc.poll() is not None:
                output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise RuntimeError(f"server at {base} exited: {output[-2000:]}") from None
            time.sleep(0.05)
    raise RuntimeError(f"server at {base} did not start")


@contextmanager
def live_server(store: Store, settings: Settings | None = None) -> Iterator[str]:
    """Serve ``create_app(store)`` on 127.0.0.1; yields the base URL until the block ends."""
    port = free_port()
    app = create_app(store, settings or Settings(rate_limit_per_minute=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
