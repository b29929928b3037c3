"""The exposure dossier: one self-contained document an analyst can cite.

It holds what a reader needs to check a finding without the server: the summary, the
group with its ownership records and their sources, every path with every hop's sources
(title, publisher, date, URL), confidence, status and the companies' replies beside the
claims they answer, the control status, the filters used, when it was made and from
which version of the graph. The HTML is rendered here (not in ``api``) so that the CLI
and the server write the same document; :mod:`graph.pdf` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph import __version__
from graph.capture import Capture, captures
from graph.exposure import Exposure, Filters, exposure
from graph.imports.catalogue import list_imports
from graph.projection import Projection
from graph.store import Store

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLESHEET = TEMPLATES / "dossier.css"
#: Every path is listed (up to this many; the document says when more exist).
MAX_PATHS = 1000


@dataclass(frozen=True)
class Dossier:
    exposure: Exposure
    generated: str
    version: dict[str, Any]
    #: URL -> its latest local capture (``survkg archive``).
    captures: dict[str, Capture] = field(default_factory=dict)


def graph_version(store: Store) -> dict[str, Any]:
    """What identifies the graph a dossier was made from: the software version, the
    number of quads and the latest import (id and time), or the seeds alone."""
    imports = [r for r in list_imports(store) if not r.retracted_at]
    last = imports[-1] if imports else None
    return {"software": __version__, "quads": len(store),
            "last_import": last.id if last else None,
            "last_import_at": last.imported_at if last else None,
            "imports": len(imports)}


def build(store: Store, proj: Projection, iri: str, filters: Filters | None = None
          ) -> Dossier:
    f = replace(filters or Filters(), max_paths=MAX_PATHS)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    latest = {u: cs[-1] for u, cs in captures(store).items()}
    return Dossier(exposure(proj, iri, f), now, graph_version(store), latest)


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html"], default=True))
    env.filters["safe_href"] = safe_href
    return env


def safe_href(url: str | None) -> str | None:
    """Only http(s) URLs become links (a ``javascript:`` URL in the data stays text)."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def render_html(d: Dossier, *, stylesheet_href: str | None = None, base_url: str = "") -> str:
    """The dossier as one HTML document. With ``stylesheet_href`` the CSS is linked (the
    server's strict CSP forbids inline styles); without, it is inlined so that the file
    stands alone, offline."""
    css = None if stylesheet_href else STYLESHEET.read_text(encoding="utf-8")
    x = d.exposure
    filters = {k: v for k, v in x.filters.to_dict().items() if k != "max_paths"}
    return _env().get_template("dossier.html").render(
        x=x, d=d, css=css, stylesheet_href=stylesheet_href, filters=filters,
        base_url=base_url.rstrip("/"))
