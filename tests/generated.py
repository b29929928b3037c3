"""A generated supply-chain graph (``bench.generate``) for tests of pages at scale.

30,000 triples is the smallest size that shows what the scale tests need: a busy
exporter with hundreds of supplies (entity pages page their claims), a display view of
more than 1,000 nodes (the explorer opens on its overview), exposure paths to many
targets (the exposure page pages them). Built once per test process, in memory.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from bench.generate import write
from graph.loading import load_files, open_store
from graph.store import OxigraphStore

TRIPLES = 30_000
#: The exporter with the most supplies in every generated graph (Zipf rank 0).
BUSIEST = "org/syn-exporter-0"


@functools.lru_cache(maxsize=2)
def generated_store(triples: int = TRIPLES) -> OxigraphStore:
    store = open_store(memory=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"generated-{triples}.nt"
        write(path, triples)
        load_files(store, [path], validate="syntax")
    return store
