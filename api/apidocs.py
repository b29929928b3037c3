"""``/docs``: the OpenAPI reference rendered by Swagger UI, served by survkg itself.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script;
both break the rule that pages load nothing from another host and the strict CSP. Here
the bundle comes from the npm-installed assets (``/assets/swagger-ui-dist/...``) and a
small same-origin script starts it.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · survkg</title>
<link rel="stylesheet" href="/assets/swagger-ui-dist/swagger-ui.css">
<link rel="stylesheet" href="/static/survkg.css">
</head>
<body>
<header class="top"><a class="brand" href="/">survkg</a>
<nav aria-label="Main"><a href="/">Home</a> <a href="/explore">Explore</a>
<a href="/ontology">Ontology</a> <a href="/sparql">SPARQL</a> <a href="/docs">API</a></nav></header>
<main id="main">
<noscript>The API reference needs JavaScript; the schema itself is at
<a href="/openapi.json">/openapi.json</a>.</noscript>
<p id="apidocs-missing" hidden>Swagger UI is not installed (run <code>make assets</code>);
the schema is at <a href="/openapi.json">/openapi.json</a>.</p>
<div id="swagger-ui" data-openapi="/openapi.json"></div>
</main>
<script src="/assets/swagger-ui-dist/swagger-ui-bundle.js"></script>
<script src="/static/apidocs.js"></script>
</body>
</html>
"""


def make_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/docs", response_class=HTMLResponse)
    def docs() -> str:
        return PAGE

    return router
