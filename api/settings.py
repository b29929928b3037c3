"""Server settings: read once from the environment, typed, frozen.

Every variable is documented in docs/configuration.md (section "Configuration"); tests
build a ``Settings`` directly with the values they need.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from graph.audit_refusals import PER_WINDOW

ENV_PREFIX = "SURVKG_"


@dataclass(frozen=True)
class Settings:
    """Limits and switches of one survkg server."""

    #: Seconds a SPARQL query may run before its worker process is killed.
    query_timeout: float = 5.0
    #: Longest accepted query text, in characters.
    max_query_length: int = 20_000
    #: Deepest accepted nesting of ``{``/``(``/``[`` in a query.
    max_query_depth: int = 64
    #: Queries executed at the same time; more wait up to ``query_timeout``, then get 503.
    max_concurrent_queries: int = 4
    #: Queries one client address runs at the same time (0: no cap); its others wait
    #: behind its own, so one client cannot hold every worker while others wait.
    max_queries_per_client: int = 1
    #: Rows a SELECT returns at most; more are cut and the response is flagged.
    max_result_rows: int = 10_000
    #: Requests per client address per minute before 429 (0 disables).
    rate_limit_per_minute: int = 300
    #: Refused write attempts per client address per minute written to the audit log one
    #: by one; beyond it they are counted in one summary entry (0: write every one).
    audit_refusals_per_minute: int = PER_WINDOW
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 2 * 1024 * 1024
    #: Largest file ``POST /api/import`` accepts, in bytes (refused with 413 before reading).
    max_import_bytes: int = 32 * 1024 * 1024
    #: Finished import jobs kept for polling (oldest dropped first).
    import_jobs_kept: int = 200
    #: Prepare each import in a worker process at lower priority (the server only
    #: commits); off: in the server's import thread (kept for the comparison bench).
    import_worker: bool = True
    #: Files smaller than this (bytes) are prepared in the import thread all the same:
    #: starting a worker costs more than they take.
    import_worker_min_bytes: int = 256 * 1024
    #: SPARQL Update on /sparql; off on a public endpoint.
    updates_enabled: bool = False
    #: One extra bearer token accepted on every write route, besides those made with
    #: ``survkg token create`` (audited as ``env:SURVKG_WRITE_TOKEN``); None: only those.
    write_token: str | None = None
    #: Move each query worker into an empty network namespace (where the system allows
    #: it) and forbid it Internet sockets (seccomp): defence in depth behind the parse
    #: check. Tests turn it off to show the check
    #: alone keeps queries off the network.
    worker_network_isolation: bool = True
    #: Over a remote store (``survkg serve --store http://...``): the operator states that
    #: the store stops its own queries at a time limit (Virtuoso's MaxQueryExecutionTime,
    #: Fuseki's query timeout). survkg cannot stop a query on another server, so /sparql
    #: forwards public queries only when this is on (docs/remote-store.md).
    remote_store_bounds_queries: bool = False
    #: Data-segment limit of each query worker, in MiB (RLIMIT_DATA; 0: none). A query
    #: that needs more kills only its worker.
    worker_memory_mb: int = 4096
    #: Seconds a client has to send a request's headers (slowloris); then it is cut off.
    header_timeout: float = 10.0
    #: Seconds a request body may take to arrive, from its headers; then 408.
    body_timeout: float = 30.0
    #: Comma-separated addresses (or networks) of reverse proxies whose
    #: ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed; empty: none (the default).
    trusted_proxies: str = ""
    #: Folder holding the npm-installed editor assets (default: api/assets/node_modules).
    assets_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``SURVKG_<FIELD>`` variables, then ``overrides``, then defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            kind = str(f.type)
            if "bool" in kind:
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif "float" in kind:
                values[f.name] = float(raw)
            elif "int" in kind:
                values[f.name] = int(raw)
            elif "Path" in kind:
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values)
