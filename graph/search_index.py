"""A full-text index of every name, for search at a million triples: SQLite FTS5.

:mod:`graph.entities` used to scan every name in Python on every search (4.7 requests/s
at 1M triples under 10 clients). This index keeps the names in an in-memory SQLite
database with an FTS5 ``trigram`` table, so a substring match is an index lookup and the
ranking (exact, prefix, word start, anywhere; things before the claims and sources about
them; then by label) is one SQL ``ORDER BY``. It is rebuilt with the entity index, once
per store version, from data the entity index already holds; the standard library's
``sqlite3`` is all it needs (SQLite >= 3.34 for the trigram tokenizer).

Close matches ("Cannon" -> Canon) come from the same table: the trigrams of the query,
OR-ed, give candidates ranked by BM25, re-ranked by :class:`difflib.SequenceMatcher`.

Under load (20 clients at 1M triples) one connection behind a lock made every search
wait for the one before it (15 requests/s). The database is a named, shared-cache
in-memory database, so each thread reads through a connection of its own (SQLite runs a
query without the GIL); and the pages of answers are kept in a bounded cache for the
index's life, which is one store version (popular queries are asked again and again).
"""

from __future__ import annotations

import difflib
import itertools
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable

#: Pages of answers kept per index (one store version), least recently used dropped first.
CACHED_PAGES = 4096
_NAMES = itertools.count()

#: Rank of a name against a query, in SQL (0 exact, 1 prefix, 2 word start, 3 anywhere).
_RANK = ("CASE WHEN n.folded = :k THEN 0 WHEN substr(n.folded, 1, :len) = :k THEN 1 "
         "WHEN instr(' ' || n.folded, ' ' || :k) > 0 OR instr(n.folded, '/' || :k) > 0 "
         "THEN 2 ELSE 3 END")


class TextIndex:
    """Names of entities (``iri -> [(kind, name)]``) in an FTS5 trigram table."""

    def __init__(self, names: dict[str, list[tuple[str, str]]], label: dict[str, str],
                 types: dict[str, list[str]], secondary: set[str],
                 local: dict[str, str]) -> None:
        self._lock = threading.Lock()  # guards the page cache only
        self._pages: OrderedDict[tuple[object, ...], tuple[list[tuple[str, int]], int]] = \
            OrderedDict()
        self._local = threading.local()
        self._uri = f"file:survkg-search-{os.getpid()}-{next(_NAMES)}?mode=memory&cache=shared"
        # This connection builds the database and keeps it alive as long as the index.
        db = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
        db.executescript("""
            CREATE TABLE e (id INTEGER PRIMARY KEY, iri TEXT, secondary INT, label TEXT);
            CREATE TABLE n (eid INT, folded TEXT);
            CREATE TABLE t (eid INT, type TEXT);
            CREATE VIRTUAL TABLE f USING fts5(folded, content='n', tokenize='trigram');
        """)
        self.iris: list[str] = []
        rows_e: list[tuple[int, str, int, str]] = []
        rows_n: list[tuple[int, str]] = []
        rows_t: list[tuple[int, str]] = []
        for i, (iri, ns) in enumerate(names.items()):
            self.iris.append(iri)
            rows_e.append((i, iri, int(iri in secondary), label.get(iri, local[iri]).casefold()))
            for folded in {n.casefold() for _, n in ns} | {local[iri].casefold()}:
                rows_n.append((i, folded))
            rows_t.extend((i, t) for t in types.get(iri, ()))
        db.executemany("INSERT INTO e VALUES (?, ?, ?, ?)", rows_e)
        db.executemany("INSERT INTO n VALUES (?, ?)", rows_n)
        db.executemany("INSERT INTO t VALUES (?, ?)", rows_t)
        db.executescript("""
            INSERT INTO f(rowid, folded) SELECT rowid, folded FROM n;
            CREATE INDEX t_type ON t(type, eid);
            CREATE INDEX n_eid ON n(eid);
        """)
        self.db = db

    def _reader(self) -> sqlite3.Connection:
        """This thread's own connection to the index (readers never wait for each other)."""
        conn: sqlite3.Connection | None = getattr(self._local, "db", None)
        if conn is None:
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            conn.execute("PRAGMA read_uncommitted = 1")  # no table locks between readers
            self._local.db = conn
        return conn

    def search(self, key: str, allowed_types: Iterable[str] | None, limit: int, offset: int
               ) -> tuple[list[tuple[str, int]], int]:
        """(page of ``(iri, rank)`` best first, total) for names containing ``key``
        (casefolded); ``allowed_types``: keep entities with one of these types."""
        params: dict[str, object] = {"k": key, "len": len(key)}
        if not key:
            where = "1"
        elif len(key) >= 3:
            where = "n.rowid IN (SELECT rowid FROM f WHERE f MATCH :m)"
            params["m"] = '"' + key.replace('"', '""') + '"'
        else:
            where = "instr(n.folded, :k) > 0"
        type_filter = ""
        if allowed_types is not None:
            allowed = sorted(set(allowed_types))
            marks = ", ".join(f":t{i}" for i in range(len(allowed))) or "NULL"
            params.update({f"t{i}": t for i, t in enumerate(allowed)})
            type_filter = f" AND n.eid IN (SELECT eid FROM t WHERE type IN ({marks}))"
        hits = (f"SELECT n.eid AS eid, MIN({_RANK}) AS r FROM n WHERE {where}{type_filter} "
                "GROUP BY n.eid")
        page_sql = (f"SELECT e.iri, h.r FROM ({hits}) h JOIN e ON e.id = h.eid "
                    "ORDER BY h.r, e.secondary, e.label, e.iri LIMIT :lim OFFSET :off")
        cache_key = (key, None if allowed_types is None else tuple(sorted(set(allowed_types))),
                     limit, offset)
        with self._lock:
            if cache_key in self._pages:
                self._pages.move_to_end(cache_key)
                page, total = self._pages[cache_key]
                return list(page), total
        db = self._reader()
        total = int(db.execute(f"SELECT COUNT(*) FROM ({hits})", params).fetchone()[0])
        rows = db.execute(page_sql, {**params, "lim": limit, "off": offset}).fetchall()
        page = [(str(iri), int(r)) for iri, r in rows]
        with self._lock:
            self._pages[cache_key] = (page, total)
            if len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        return list(page), total

    def close(self, key: str, limit: int = 5, cutoff: float = 0.6) -> list[str]:
        """IRIs whose names are close to ``key`` (typos: "cannon" -> "canon"), closest first."""
        grams = {key[i:i + 3] for i in range(len(key) - 2)}
        if not grams:
            return []
        match = " OR ".join('"' + g.replace('"', '""') + '"' for g in sorted(grams))
        rows = self._reader().execute(
                "SELECT n.eid, n.folded, e.secondary FROM (SELECT rowid FROM f WHERE f MATCH ? "
            "ORDER BY rank LIMIT 400) m JOIN n ON n.rowid = m.rowid JOIN e ON e.id = n.eid",
            (match,)).fetchall()
        best: dict[int, tuple[float, int]] = {}
        for eid, folded, secondary in rows:
            words = [folded, *folded.split()]
            ratio = max(difflib.SequenceMatcher(None, key, w).ratio() for w in words)
            if ratio >= cutoff and ratio > best.get(eid, (0.0, 0))[0]:
                best[eid] = (ratio, secondary)
        ranked = sorted(best, key=lambda e: (best[e][1], -best[e][0], self.iris[e]))
        return [self.iris[e] for e in ranked[:limit]]
