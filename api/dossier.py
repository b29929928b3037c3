"""The dossier as one HTML document, for the page, the PDF and ``survkg dossier``.

:mod:`graph.dossier` gathers what the dossier holds; this renders it with Jinja
(autoescape on). The page links its stylesheet because the server's CSP
forbids inline styles; the file and the PDF inline it so that they stand alone, offline.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph.dossier import Dossier

HERE = Path(__file__).resolve().parent
STYLESHEET = HERE / "static" / "dossier.css"
CSS_URL = "/static/dossier.css"


def safe_href(url: str | None) -> str | None:
    """Only http(s) URLs become links (a ``javascript:`` URL in the data stays text)."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def render_html(d: Dossier, *, stylesheet_href: str | None = None, base_url: str = "") -> str:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html"], default=True))
    env.filters["safe_href"] = safe_href
    css = None if stylesheet_href else STYLESHEET.read_text(encoding="utf-8")
    x = d.exposure
    filters = {k: v for k, v in x.filters.to_dict().items() if k != "max_paths"}
    return env.get_template("dossier.html").render(
        x=x, d=d, css=css, stylesheet_href=stylesheet_href, filters=filters,
        base_url=base_url.rstrip("/"))
