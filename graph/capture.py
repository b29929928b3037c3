"""Local captures of source URLs as WARC files, made only when the operator asks.

Blogs and small outlets vanish; a finding whose only source is gone cannot be checked.
``survkg archive`` fetches the sources' URLs (through a proxy when one is configured,
``--proxy`` or ``$SURVKG_ARCHIVE_PROXY``) and keeps each response as a gzipped WARC file
(the web archives' ISO 28500 format, written with ``warcio``) in the store folder, with
the SHA-256 of the content and of the file and the capture time in an append-only
index. The server never fetches anything: it only serves what was captured. The folder
is part of backups (:mod:`graph.backup`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from graph import __version__
from graph.errors import InvalidParameter
from graph.namespaces import ID, skg
from graph.queries import value_rows
from graph.state import CAPTURES, state_path
from graph.store import Store

INDEX = "index.jsonl"
#: Largest response kept, in bytes (a longer one is cut, and the capture says so).
MAX_BYTES = 50 * 1024 * 1024
#: Headers that describe the transfer, not the content (the body is stored decoded).
_HOP_HEADERS = {"transfer-encoding", "connection", "keep-alive"}


@dataclass(frozen=True)
class Capture:
    """One capture: ``file`` (in the captures folder), ``sha256`` of the content as
    received, ``warc_sha256`` of the WARC file, ``captured_at`` (UTC)."""

    url: str
    file: str
    sha256: str
    warc_sha256: str
    captured_at: str
    status: int
    content_type: str | None
    truncated: bool = False


def folder(store: Store) -> Path | None:
    return state_path(store, CAPTURES)


def captures(store_or_folder: Store | Path | None) -> dict[str, list[Capture]]:
    """URL -> its captures, oldest first (empty for an in-memory store)."""
    base = store_or_folder if isinstance(store_or_folder, Path | type(None)) \
        else folder(store_or_folder)
    out: dict[str, list[Capture]] = {}
    if base is None or not (base / INDEX).is_file():
        return out
    for line in (base / INDEX).read_text(encoding="utf-8").splitlines():
        if line.strip():
            c = Capture(**json.loads(line))
            out.setdefault(c.url, []).append(c)
    return out


def captures_of(store: Store, iri: str) -> list[Capture]:
    """The local captures of a source's URL(s), oldest first."""
    urls = [q.object.value for q in store.quads(ox.NamedNode(iri), skg("url"), None, None)
            if isinstance(q.object, ox.Literal | ox.NamedNode)]
    have = captures(store) if urls else {}
    return [c for u in urls for c in have.get(u, [])]


def source_urls(store: Store) -> list[tuple[str, str, str | None]]:
    """(source IRI, URL, archived URL or None) of every source with an http(s) URL."""
    rows = value_rows(store, """
        SELECT ?s ?url ?archived WHERE {
          ?s a/rdfs:subClassOf* skg:Source ; skg:url ?url .
          OPTIONAL { ?s skg:archivedUrl ?archived }
          FILTER(STRSTARTS(STR(?url), "http://") || STRSTARTS(STR(?url), "https://"))
        } ORDER BY ?url ?s""")
    return list(dict.fromkeys((r["s"], r["url"], r.get("archived")) for r in rows))


def _opener(proxy: str | None) -> urllib.request.OpenerDirector:
    """Only the proxy named here (no proxy from the environment by surprise)."""
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler(
        {"http": proxy, "https": proxy} if proxy else {})]
    return urllib.request.build_opener(*handlers)


def capture_url(url: str, base: Path, proxy: str | None = None, timeout: float = 30.0
                ) -> Capture:
    """Fetch ``url`` once and write it as a WARC response record into ``base``."""
    if not url.lower().startswith(("http://", "https://")):
        raise InvalidParameter("url", f"only http(s) URLs are captured: {url!r}")
    req = urllib.request.Request(url, headers={"User-Agent": f"survkg/{__version__} archive"})
    # An HTTP error (4xx, 5xx) raises: an error page is not a copy of the source.
    resp = _opener(proxy).open(req, timeout=timeout)
    with resp:
        body = resp.read(MAX_BYTES + 1)
        status, reason = resp.status, getattr(resp, "reason", "") or ""
        headers = [(k, v) for k, v in resp.headers.items() if k.lower() not in _HOP_HEADERS]
    truncated = len(body) > MAX_BYTES
    body = body[:MAX_BYTES]
    now = datetime.now(UTC)
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http,
        warc_headers_dict={"WARC-Date": now.strftime("%Y-%m-%dT%H:%M:%SZ")})
    writer.write_record(record)
    data = buf.getvalue()
    warc_sha = hashlib.sha256(data).hexdigest()
    base.mkdir(parents=True, exist_ok=True)
    name = f"{warc_sha}.warc.gz"
    tmp = base / (name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, base / name)
    return Capture(url=url, file=name, sha256=hashlib.sha256(body).hexdigest(),
                   warc_sha256=warc_sha, captured_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   status=status, content_type=resp.headers.get("Content-Type"),
                   truncated=truncated)


def archive(store: Store, *, missing: bool = False, proxy: str | None = None,
            timeout: float = 30.0, sources: Iterable[str] = ()
            ) -> tuple[list[Capture], list[tuple[str, str]]]:
    """Capture every source URL (``missing``: only those with no capture and no archived
    URL yet; ``sources``: only these sources, by IRI or id). Returns the captures made
    and the (URL, error) of those that failed."""
    base = folder(store)
    if base is None:
        raise InvalidParameter("store", "an in-memory store has no folder to keep captures")
    have = captures(base)
    done: list[Capture] = []
    failed: list[tuple[str, str]] = []
    only = {x if "://" in x else ID + x.lstrip("/") for x in sources}
    for url in dict.fromkeys(u for s, u, archived in source_urls(store)
                             if not (missing and (archived or u in have))
                             and (not only or s in only)):
        try:
            cap = capture_url(url, base, proxy, timeout)
        except (OSError, ValueError) as exc:
            failed.append((url, str(exc)))
            continue
        with (base / INDEX).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(cap), sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        done.append(cap)
    return done, failed
