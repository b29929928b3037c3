"""The CLI beside a running server: the README's set-up (``make run``, then the CLI).

A real ``survkg serve`` subprocess holds the store; real ``survkg`` subprocesses read it
(a read-only view, said on standard error) and see what the server commits; a writing
command refuses with one sentence (exit 1, no traceback) and leaves the store as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web_server import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SURVKG_RATE_LIMIT_PER_MINUTE": "0",
       "SURVKG_MAX_CONCURRENT_QUERIES": "1"}
ENV.pop("SURVKG_STORE", None)
pytestmark = pytest.mark.slow  # a server and a dozen CLI processes: ~20 s on two cores
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def survkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from graph.cli import main; main()", *args],
                          env=ENV, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """A store held by a running server: (store folder, base URL, a write token)."""
    store = tmp_path_factory.mktemp("beside") / "store"
    token = survkg("token", "create", "tester", "--store", str(store)).stdout.strip()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from graph.cli import main; main()", "serve",
         "--store", str(store), "--port", str(port)],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, tries=600)
        yield store, base, token
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def quads(store: Path) -> int:
    r = survkg("query", COUNT, "--format", "csv", "--store", str(store))
    assert r.returncode == 0, r.stderr
    return int(r.stdout.split()[-1])


def test_info_reads_beside_the_server(served: tuple[Path, str, str]) -> None:
    store, _, _ = served
    r = survkg("info", "--store", str(store))
    assert r.returncode == 0, r.stderr
    assert f"store: {store}" in r.stdout
    assert int(r.stdout.splitlines()[1].removeprefix("quads: ")) > 3000  # seeded
    assert "read-only view" in r.stderr and "Traceback" not in r.stderr


def test_exposure_beside_the_server(served: tuple[Path, str, str]) -> None:
    store, _, _ = served
    r = survkg("exposure", "Canon", "--format", "json", "--store", str(store))
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["subject"]["id"] == "org/canon"
    assert result["score"] > 0 and result["paths"]


def test_query_sees_what_the_server_committed(served: tuple[Path, str, str]) -> None:
    """The read-only view is opened per command, so it includes the server's last write."""
    store, base, token = served
    before = quads(store)
    body = (b'<https://example.org/beside/o1> a <https://w3id.org/survkg/ontology#Company> ;'
            b' <http://www.w3.org/2000/01/rdf-schema#label> "Beside Test Corp" .\n')
    r = httpx.post(f"{base}/api/import", params={"filename": "beside.ttl", "wait": 60},
                   content=body, headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "text/turtle"}, timeout=90)
    assert r.status_code == 201, r.text
    assert quads(store) > before


def test_load_refuses_with_one_sentence(served: tuple[Path, str, str],
                                        tmp_path: Path) -> None:
    store, _, _ = served
    data = tmp_path / "extra.ttl"
    data.write_text('<https://example.org/beside/o2> '
                    '<http://www.w3.org/2000/01/rdf-schema#label> "Not loaded" .\n')
    before = quads(store)
    r = survkg("load", str(data), "--store", str(store))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert "in use by another process" in lines[0] and "POST /api/import" in lines[0]
    assert quads(store) == before
