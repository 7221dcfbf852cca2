"""The pure packages (formulas, statistics, working time) import no Django and no Django
app: they take plain data and return plain data, so they are tested and reused alone."""

import ast
from pathlib import Path

import pytest

import manyi

PURE = ("metrics", "worktime")
APPS = {p.name for p in Path(manyi.__file__).parent.iterdir() if (p / "apps.py").exists()}


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_django(package):
    root = Path(manyi.__file__).parent / package
    files = sorted(root.rglob("*.py"))
    assert files
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")
                assert top[0] != "django", (path, name)
                assert not (top[0] == "manyi" and len(top) > 1 and top[1] in APPS), (path, name)
