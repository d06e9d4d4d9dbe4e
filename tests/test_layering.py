"""The layering rules of shared/design/ARCHITECTURE.md, checked on the source itself."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bertviz_app"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


@pytest.mark.parametrize("folder", ["engine", "analysis"])
def test_model_layers_never_import_qt(folder):
    assert (PACKAGE / folder).is_dir()
    forbidden = (
        "PySide6",
        "pyqtgraph",
        "shiboken6",
        "bertviz_app.ui",
        "bertviz_app.controller",
        "bertviz_app.app",
    )
    assert offenders(folder, forbidden) == []


def test_ui_never_imports_torch():
    assert (PACKAGE / "ui").is_dir()
    assert offenders("ui", ("torch", "safetensors", "transformers")) == []


def test_checker_sees_violations(tmp_path, monkeypatch):
    """The checker itself must catch a violation, or the tests above prove nothing."""
    bad = tmp_path / "bertviz_app" / "engine"
    bad.mkdir(parents=True)
    (bad / "oops.py").write_text("import numpy\nfrom PySide6.QtCore import QObject\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "bertviz_app")
    assert offenders("engine", ("PySide6",)) == ["bertviz_app/engine/oops.py imports PySide6.QtCore"]
