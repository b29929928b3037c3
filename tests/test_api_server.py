"""The JSON API against a real server (uvicorn on a free loopback port), and schemathesis
against its OpenAPI schema: no 5xx, and no response that breaks its own schema."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
import schemathesis.specs.openapi.schemas  # loaded early: see below
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from web_server import live_server

from graph.namespaces import ID
from graph.store import OxigraphStore

# schemathesis loads its OpenAPI modules lazily; loading them here, at collection, keeps
# pytest's assertion rewriter (ast) from compiling them while the live server's thread
# runs, which on CPython 3.11.7 can fail with "AST constructor recursion depth mismatch".


@pytest.fixture(scope="module")
def base_url(seed_store: OxigraphStore) -> Iterator[str]:
    with live_server(seed_store) as base:
        yield base


def test_real_server_serves_api_pages_and_assets(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as c:
        e = c.get("/api/entities/org/canon").json()
        assert e["iri"] == ID + "org/canon"
        x = c.get("/api/exposure/org/canon", params={"limit": 3}).json()
        assert x["subject"]["id"] == "org/canon" and len(x["paths"]) <= 3
        assert c.get("/api/entities/org/canonn").status_code == 404
        page = c.get("/entity/org/canon")
        assert page.status_code == 200 and "Canon" in page.text
        csp = page.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp
        vis = c.get("/static/vis/vis-network.min.js")
        assert vis.status_code == 200 and "javascript" in vis.headers["content-type"]
        assert c.get("/static/..%2F..%2Fgraph%2Fstore.py").status_code == 404
        assert "/api/exposure/{id}" in c.get("/openapi.json").json()["paths"]


@pytest.mark.slow
def test_openapi_no_server_error_and_responses_match_schema(base_url: str) -> None:
    """Every /api operation, a dozen generated requests each (derandomized, bounded)."""
    schema = schemathesis.openapi.from_url(base_url + "/openapi.json")
    operations = [r.ok() for r in schema.include(path_regex="^/api/").get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance],
                                   timeout=60)
        check()
