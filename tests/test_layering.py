"""Packages depend only downward: benchmarks -> automl -> metalearning -> knowledge_base."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["knowledge_base", "metalearning", "automl", "benchmarks"]


def _imported_packages(path: Path) -> set[str]:
    """Top-level packages that a module imports, lazily inside functions too."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", LAYERS[:-1])
def test_a_package_imports_no_package_above_it(package):
    above = set(LAYERS[LAYERS.index(package) + 1 :])
    offending = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) & above)
        for path in sorted((ROOT / package).rglob("*.py"))
        if _imported_packages(path) & above
    }
    assert offending == {}
