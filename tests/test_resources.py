"""Bundled files are found the same way from a checkout, an installed wheel and a frozen bundle."""

import subprocess
import sys
from pathlib import Path

import pytest

from bertviz_app import resources

ROOT = Path(__file__).resolve().parents[1]
ICON = ("icons", "bert-explorer.svg")


def test_checkout_finds_top_level_resources():
    assert resources.resource_path(*ICON) == ROOT / "resources" / "icons" / "bert-explorer.svg"


def test_frozen_bundle_is_searched_first(tmp_path, monkeypatch):
    bundled = tmp_path / "resources" / "icons"
    bundled.mkdir(parents=True)
    (bundled / "bert-explorer.svg").write_text("<svg/>")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_path(*ICON) == bundled / "bert-explorer.svg"


def test_missing_resource_names_what_was_searched():
    with pytest.raises(FileNotFoundError, match=r"no-such-file\.txt.*looked in"):
        resources.resource_path("no-such-file.txt")


@pytest.mark.slow
def test_installed_wheel_carries_and_finds_resources(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = wheels.glob("bertviz_app-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
    )
    # -S: no site-packages, so neither the editable install nor the checkout can answer for the wheel.
    code = (
        f"import sys; sys.path.insert(0, {str(target)!r}); import bertviz_app.resources as r; "
        f"print(r.resource_path({ICON[0]!r}, {ICON[1]!r}))"
    )
    found = subprocess.run([sys.executable, "-S", "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert Path(found.stdout.strip()) == target / "bertviz_app" / "_resources" / "icons" / "bert-explorer.svg"
    # the translations, compiled by hatch_build.py (they are build outputs, not in git)
    code = code.replace(f"{ICON[0]!r}, {ICON[1]!r}", "'i18n', 'bertviz_app_zh_CN.qm'")
    found = subprocess.run([sys.executable, "-S", "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert Path(found.stdout.strip()) == target / "bertviz_app" / "_resources" / "i18n" / "bertviz_app_zh_CN.qm"
