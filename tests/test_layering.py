"""The core never imports the web layer (DESIGN: ``ontology/``, ``seeds/`` <- ``graph`` <- ``api``).

Walks every module of ``graph/`` with :mod:`ast`, so an import hidden inside a function
or an ``if TYPE_CHECKING`` block is caught too; only the import statements count, not
strings or comments that happen to name a web package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GRAPH = ROOT / "graph"
FORBIDDEN = frozenset({"fastapi", "starlette", "uvicorn", "pyvis", "jinja2", "api"})


def imported_modules(tree: ast.AST) -> list[tuple[str, int]]:
    """Top-level package names a module imports, with their line numbers.

    Relative imports (``from . import x``) stay inside the package and are skipped.
    """
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and _call_name(node.func) in {"import_module", "__import__"}
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.append((node.args[0].value.split(".")[0], node.lineno))
    return found


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def core_modules() -> list[Path]:
    return sorted(GRAPH.rglob("*.py"))


def test_core_package_has_modules() -> None:
    assert core_modules(), "graph/ has no Python modules; the layering test would be vacuous"


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_does_not_import_web_layer(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"{path.relative_to(ROOT)}:{line} imports {name}"
           for name, line in imported_modules(tree) if name in FORBIDDEN]
    assert not bad, "graph/ must not import the web layer:\n" + "\n".join(bad)


@pytest.mark.parametrize("source, expected", [
    ("import fastapi", {"fastapi"}),
    ("from starlette.responses import Response", {"starlette"}),
    ("import uvicorn.config as c", {"uvicorn"}),
    ("def f():\n    from api.app import create_app", {"api"}),
    ("import importlib\nimportlib.import_module('pyvis.network')", {"importlib", "pyvis"}),
    ("from . import store", set()),
    ("from graph import apis", {"graph"}),
    ("x = 'import jinja2'", set()),
])
def test_import_walker(source: str, expected: set[str]) -> None:
    """The walker itself: absolute and nested imports count, relative ones and strings do not."""
    assert {name for name, _ in imported_modules(ast.parse(source))} == expected
