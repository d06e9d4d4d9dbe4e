"""Issue #12's size limits, kept true: no module under bertviz_app/ui/ is over 700 lines, and a duplicate-code
scan of bertviz_app/ finds at most 9 pairs of repeated 6+-line blocks (where the `duplicates` tool is there)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "bertviz_app" / "ui"
MAX_UI_LINES = 700
MAX_DUPLICATE_PAIRS = 9


def line_count(path: Path) -> int:
    """Lines as `wc -l` counts them (a last line without its newline counts too)."""
    text = path.read_text(encoding="utf-8")
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def oversized(folder: Path, limit: int) -> list[str]:
    return [
        f"{os.path.relpath(path, ROOT)}: {n} lines"
        for path in sorted(folder.rglob("*.py"))
        if (n := line_count(path)) > limit
    ]


def test_no_ui_module_is_over_700_lines():
    assert sorted(UI.glob("*.py")), "no ui modules found"
    assert oversized(UI, MAX_UI_LINES) == [], f"split these modules (at most {MAX_UI_LINES} lines each)"


def test_the_size_check_names_a_module_over_the_limit(tmp_path):
    (tmp_path / "small.py").write_text("x = 1\n" * 700, encoding="utf-8")
    (tmp_path / "big.py").write_text("x = 1\n" * 700 + "y = 2", encoding="utf-8")  # 701 lines, no final newline
    found = oversized(tmp_path, MAX_UI_LINES)
    assert len(found) == 1 and found[0].endswith("big.py: 701 lines")


def duplicate_pairs(output: str) -> int:
    """The pair count of a `duplicates` report: its first line counts them ('no duplicates' when none)."""
    first = output.strip().splitlines()[0] if output.strip() else ""
    if first.startswith("no duplicates"):
        return 0
    match = re.match(r"\D*(\d+) pairs?", first)
    if match is None:
        raise ValueError(f"unexpected duplicates report: {first!r}")
    return int(match.group(1))


def test_duplicate_pairs_are_read_from_the_report():
    assert duplicate_pairs("no duplicates (123 files read)\n") == 0
    report = "8 pairs of places (78 files read), each sharing runs of 6 or more identical or same-shape lines\n"
    assert duplicate_pairs(report + "D1 cli.py:245-257 ~ cli.py:252-264 shape (+24 more runs)\n") == 8
    assert duplicate_pairs("1 pair of places (2 files read)\nD1 a.py:1-9 ~ b.py:3-11\n") == 1


@pytest.mark.skipif(shutil.which("duplicates") is None, reason="the duplicates tool is not installed here")
def test_the_package_repeats_at_most_9_blocks():
    report = subprocess.run(
        ["duplicates", "--repo", "bertviz_app", "--seconds", "120"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    assert "incomplete:" not in report, report
    assert duplicate_pairs(report) <= MAX_DUPLICATE_PAIRS, report
