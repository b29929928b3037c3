"""A load killed with SIGKILL at any moment leaves all of it or none of it in the store.

A subprocess loads ~300k triples (above the SHACL limit, so the journaled bulk path) into
an on-disk store and is killed after several delays, counted from the moment it starts
loading; the store is then reopened the way every entry point opens it, and the target
graph holds either every quad of the file or none.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.generate import write as generate_file
from graph.loading import open_store

pytestmark = pytest.mark.slow

GRAPH = "https://w3id.org/survkg/graph/user/durability"
CHILD = """
import sys
from pathlib import Path
import pyoxigraph as ox
from graph.loading import load_files, open_store
store = open_store(Path(sys.argv[1]), seed=False)
print("loading", flush=True)
load_files(store, [Path(sys.argv[2])], graph=ox.NamedNode(sys.argv[3]), validate=sys.argv[4])
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("durability") / "big.nt"
    return path, generate_file(path, 300_000, seed=7)


def _count(store_path: Path) -> int:
    store = open_store(store_path, seed=False)
    return sum(1 for _ in store.quads(graph=ox.NamedNode(GRAPH)))


def _load_and_kill(store_path: Path, data: Path, delay: float | None,
                   validate: str = "auto") -> bool:
    """Run the load in a child; SIGKILL it ``delay`` s after it starts loading.
    Returns True if the child was killed before it finished."""
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store_path), str(data), GRAPH, validate],
        cwd=root, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "loading"
    if delay is None:
        assert proc.wait(timeout=600) == 0
        return False
    time.sleep(delay)
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return killed


@pytest.mark.parametrize("delay", [0.05, 0.5, 1.5, 3.0, 6.0])
def test_killed_bulk_load_is_all_or_nothing(tmp_path: Path, big_file: tuple[Path, int],
                                           delay: float) -> None:
    data, lines = big_file
    store_path = tmp_path / "store"
    killed = _load_and_kill(store_path, data, delay)
    count = _count(store_path)
    assert count in (0, lines), f"killed={killed}: {count} of {lines} quads after reopening"
    if not killed:
        assert count == lines


def test_killed_transactional_load_is_all_or_nothing(tmp_path: Path,
                                                     big_file: tuple[Path, int]) -> None:
    """The same for the streaming-transaction path (graph already holds data)."""
    data, lines = big_file
    store_path = tmp_path / "store"
    small = tmp_path / "small.nt"
    first = generate_file(small, 2_000, seed=3)
    store = open_store(store_path, seed=False)
    from graph.loading import load_files

    load_files(store, [small], graph=ox.NamedNode(GRAPH))
    del store
    _load_and_kill(store_path, data, 2.0, validate="syntax")
    count = _count(store_path)
    union = first + lines - len(set(small.read_text().splitlines())
                                & set(data.read_text().splitlines()))
    assert count in (first, union)


def test_completed_load_is_all_there(tmp_path: Path, big_file: tuple[Path, int]) -> None:
    data, lines = big_file
    _load_and_kill(tmp_path / "store", data, None)
    assert _count(tmp_path / "store") == lines
