"""The layout rules of docs/architecture.md that import-linter cannot see.

import-linter (`lint-imports`, run by `python3 dev.py test`) checks the layers and
that no modules import each other in a cycle. These tests check the rest: no
module grows past MAX_LINES, and an import inside a function appears only to
defer a heavy optional dependency, marked with a `# deferred:` comment saying why.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "newsdesk"
MAX_LINES = 700


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def imports_inside_functions(source: str) -> list[int]:
    """Line numbers of import statements inside a function or method body."""
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(inner.lineno)
    return sorted(set(found))


def test_the_checks_see_what_they_look_for() -> None:
    source = "import os\n\ndef f():\n    import json  # deferred: why\n    from x import y\n"
    assert imports_inside_functions(source) == [4, 5]
    assert len(modules()) > 40


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_imports_inside_functions_only_defer_heavy_dependencies() -> None:
    unexplained: list[str] = []
    for path in modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        for number in imports_inside_functions("\n".join(lines)):
            line = lines[number - 1]
            if "# deferred:" not in line:
                unexplained.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert unexplained == []
