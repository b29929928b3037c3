"""The search index answers the same from many threads at once, and its page cache hands
out copies (a caller that edits its page cannot change the next caller's)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from graph.entities import build_index
from graph.store import OxigraphStore


def test_threads_read_the_index_at_once_and_agree(seed_store: OxigraphStore) -> None:
    text = build_index(seed_store).text
    keys = ["axis", "canon", "public security", "公安", "xinjiang", "skynet", "mo", "zz-none"]
    alone = {k: text.search(k, None, 20, 0) for k in keys}
    assert alone["axis"][1] > 0 and alone["zz-none"] == ([], 0)
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda k: (k, text.search(k, None, 20, 0)), keys * 25))
    assert all(got == alone[k] for k, got in together)
    page, _ = text.search("axis", None, 20, 0)
    page.clear()
    assert text.search("axis", None, 20, 0) == alone["axis"]
