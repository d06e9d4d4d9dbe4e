"""The layering rules of shared/design/ARCHITECTURE.md, checked on the source itself."""

import ast
import os
import shutil
import subprocess
import sys
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


# ---- the import contracts of pyproject.toml (import-linter), which also see imports through other modules ----

ROOT = PACKAGE.parent


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter on the bertviz_app found in `root`, with `root`'s pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 kept, 0 broken" in run.stdout


def test_an_import_contract_fails_on_a_deliberate_violation(tmp_path):
    """A ui module that reaches torch through the engine breaks the contract, or the test above proves nothing."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(PACKAGE, tmp_path / "bertviz_app", ignore=shutil.ignore_patterns("__pycache__", "_resources"))
    (tmp_path / "bertviz_app" / "ui" / "oops.py").write_text("from bertviz_app.engine.loader import load_model\n")
    run = lint_imports(tmp_path)
    assert run.returncode != 0
    assert "ui never imports torch" in run.stdout and "BROKEN" in run.stdout
    assert "bertviz_app.ui.oops -> bertviz_app.engine.loader" in run.stdout
