"""Parse Python source for the tests that read the project's own modules (layering, the
summary's templates).

CPython 3.11 before 3.11.8 can fail ``ast.parse`` with "SystemError: AST constructor
recursion depth mismatch" once an earlier error in the same process left the ast
module's recursion counter off (python/cpython#106905): some tests run servers in
this process. The parse is then repeated in a fresh interpreter.
"""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from pathlib import Path

_CHILD = ("import ast, pickle, sys; "
          "text = sys.stdin.buffer.read().decode('utf-8'); "
          "sys.stdout.buffer.write(pickle.dumps(ast.parse(text, sys.argv[1])))")


def parse_source(source: str, filename: str = "<unknown>") -> ast.Module:
    try:
        return ast.parse(source, filename)
    except SystemError:
        out = subprocess.run([sys.executable, "-c", _CHILD, filename], input=source.encode(),
                             capture_output=True, check=True, timeout=60).stdout
        tree = pickle.loads(out)
        assert isinstance(tree, ast.Module)
        return tree


def parse_file(path: Path) -> ast.Module:
    return parse_source(path.read_text(encoding="utf-8"), str(path))
