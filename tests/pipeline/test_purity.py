"""The pipeline core must stay free of Django so it can be used and tested on its own."""

import ast
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[2] / "newsdesk" / "pipeline"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_pipeline_modules_exist() -> None:
    assert len(list(PIPELINE.rglob("*.py"))) >= 8


def test_no_django_import_in_pipeline() -> None:
    offenders = {
        str(path.relative_to(PIPELINE)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "django"
        )
        for path in PIPELINE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_relative_import_leaves_pipeline() -> None:
    for path in PIPELINE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.level >= 2
                and node.module not in (None, "__init__")
            ):
                # `from tests import __version__` is the only allowed reach outside
                assert node.module is None, f"{path.name} imports ..{node.module}"
