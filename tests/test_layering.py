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


# ------------------------------------------------ pages, private names, import cycles

API = ROOT / "api"

#: Known violations not fixed yet: each must still be a violation (so that the entry is
#: deleted the moment it is fixed) and no other may appear.
KNOWN: set[str] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every absolute ``from module import name`` and (module, "") for
    every ``import module`` in ``path``, wherever they are in the file."""
    out: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out += [(node.module, alias.name) for alias in node.names]
    return out


def violations() -> set[str]:
    """Pages importing routes, and imports of another module's ``_private`` names."""
    found: set[str] = set()
    for path in sorted([*GRAPH.rglob("*.py"), *API.rglob("*.py")]):
        where = str(path.relative_to(ROOT))
        for module, name in imports_of(path):
            if where.startswith("api/pages/") and (
                    module == "api.routes" or module.startswith("api.routes.")):
                found.add(f"{where} imports {module}")
            if name.startswith("_") and not name.startswith("__") and module != "__future__":
                found.add(f"{where} imports {module}.{name}")
    return found


def test_no_pages_to_routes_or_private_imports() -> None:
    """Pages share dependencies with routes, not routes themselves; a module that needs
    another's ``_private`` name is split in the wrong place (STYLE 15)."""
    got = violations()
    assert got - KNOWN == set(), "new layering violations"
    assert KNOWN - got == set(), "fixed: delete these from KNOWN"


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (any import statement,
    function-level and ``TYPE_CHECKING`` ones included: both still couple the modules)."""
    mods = {module_name(p): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for mod, path in mods.items():
        targets: set[str] = set()
        for module, name in imports_of(path):
            if f"{module}.{name}" in mods:  # from package import submodule
                targets.add(f"{module}.{name}")
            elif module in mods:
                targets.add(module)
        graph[mod] = targets - {mod}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_no_import_cycle_in_core() -> None:
    found = cycles(import_graph(GRAPH))
    assert found == [], "import cycles in graph/: " + "; ".join(" <-> ".join(c) for c in found)


def test_cycle_finder() -> None:
    """The finder itself: a two-module and a three-module cycle, and a chain that is none."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}, "g": set()}
    assert sorted(cycles(graph)) == [["a", "b"], ["c", "d", "e"]]
    assert cycles({"x": {"y"}, "y": {"z"}, "z": set()}) == []
