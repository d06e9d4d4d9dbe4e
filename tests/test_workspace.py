"""Workspaces: the file format without Qt, then save / new window / open through the File menu, a missing
model, a damaged file, recent workspaces, and exporting every view as a PDF or a folder of figures."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from bertviz_app.app import build_window
from bertviz_app.ui.settings import Settings
from bertviz_app.workspace import (
    ModelRef,
    Workspace,
    WorkspaceError,
    read_workspace,
    to_json,
    weights_sha256,
    write_workspace,
)

EXAMPLE = Workspace(
    model=ModelRef("tiny", "/models/tiny", "folder", "ab" * 32),
    text="the cat sat on the mat .",
    pair="it was tired .",
    masked_spans=((0, 4, 7),),
    knocked_out=((0, 1), (1, 0)),
    top_k=7,
    view="layers",
    token=2,
    layer=1,
    head=-1,
    lesson="/lessons/x.md",
    lesson_step=3,
)


def test_a_workspace_file_round_trips_and_reads_as_text(tmp_path):
    path = tmp_path / "w.workspace.json"
    write_workspace(path, EXAMPLE)
    assert read_workspace(path) == EXAMPLE
    data = json.loads(path.read_text())
    assert data["text"] == EXAMPLE.text and data["model"]["weights_sha256"] == "ab" * 32
    assert path.read_text().count("\n") > 10  # indented: a person can read and edit it
    # What a newer version adds is kept, not lost.
    data["colour_theme"] = "dark"
    path.write_text(json.dumps(data))
    assert json.loads(to_json(read_workspace(path)))["colour_theme"] == "dark"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not a workspace (line 1"),
        ('{"format": "something-else"}', "not a workspace"),
        ('{"format": "bert-explorer-workspace", "version": 99}', "newer version"),
        ('{"format": "bert-explorer-workspace", "version": 1, "text": "x"}', "'model' is missing"),
        ("MASK", "'masked_spans' holds lists of 3 whole numbers"),
        ("TOPK", "'top_k' is 1 to 50"),
    ],
)
def test_a_damaged_workspace_says_what_is_wrong(tmp_path, content, words):
    data = json.loads(to_json(EXAMPLE))
    if content == "MASK":
        content = json.dumps({**data, "masked_spans": [[0, "a", 2]]})
    elif content == "TOPK":
        content = json.dumps({**data, "top_k": 0})
    path = tmp_path / "bad.workspace.json"
    path.write_text(content)
    with pytest.raises(WorkspaceError, match=re.escape(words)) as caught:
        read_workspace(path)
    assert str(caught.value).startswith(str(path))


def test_the_weights_hash_is_of_the_weights(tmp_path, tiny_model_dir):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_model_dir, copy)
    assert weights_sha256(copy) == weights_sha256(tiny_model_dir)
    (copy / "config.json").write_text((copy / "config.json").read_text() + " ")
    assert weights_sha256(copy) == weights_sha256(tiny_model_dir)  # the config is not the weights
    weights = next(p for p in copy.iterdir() if p.suffix in (".safetensors", ".bin"))
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    assert weights_sha256(copy) != weights_sha256(tiny_model_dir)


# ---- in the window -------------------------------------------------------------------------------------------
def make_window(qtbot, model_dir, tmp_path, name):
    settings = Settings(QSettings(str(tmp_path / f"{name}.ini"), QSettings.IniFormat))
    win, controller = build_window(str(model_dir), "the cat sat on the mat .", settings=settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert controller.wait_until_idle() and controller.current_result is not None
    return win


@pytest.fixture
def windows(qtbot, tiny_model_dir, tmp_path):
    made = []

    def make(name="a"):
        win = make_window(qtbot, tiny_model_dir, tmp_path, name)
        made.append(win)
        return win

    yield make
    for win in made:
        win.workspaces.shutdown(wait=True)
        win.controller.shutdown()


def file_action(win, text):
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&File")
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def set_up_a_state(win):
    c = win.controller
    c.set_text("the cat sat on the mat .", "it was tired .", immediate=True)
    assert c.wait_until_idle()
    c.toggle_mask(2)
    assert c.wait_until_idle()
    c.toggle_head(1, 0)
    assert c.wait_until_idle()
    win.predictions.k_spin.setValue(7)
    win.show_view("attention")
    win.attention.set_selection(1, 1)
    win.show_view("layers")
    win.select_token(3)


def test_save_a_new_window_open_the_same_state(windows, qtbot, tmp_path, monkeypatch):
    first = windows("a")
    set_up_a_state(first)
    path = str(tmp_path / "lesson-plan.workspace.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (path, ""))
    with qtbot.waitSignal(first.workspaces.saved, timeout=20_000):
        file_action(first, "Save workspace…").trigger()
    saved = read_workspace(path)
    assert saved.model.weights_sha256 == weights_sha256(first.controller.model_summary.path)
    assert saved.masked_spans and saved.knocked_out == ((1, 0),) and saved.pair == "it was tired ."

    second = windows("b")
    assert second.controller.current_input != first.controller.current_input
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (path, ""))
    with qtbot.waitSignal(second.workspaces.opened, timeout=20_000):
        file_action(second, "Open workspace…").trigger()
    assert second.controller.wait_until_idle()
    assert second.controller.current_input == first.controller.current_input
    assert second.workspaces.snapshot() == first.workspaces.snapshot()
    assert second.tabs.currentWidget() is second.views["layers"]
    assert (second.attention.layer, second.attention.head) == (1, 1) and second.selection.token == 3
    assert second.predictions.k_spin.value() == 7 and second.sentence.pair_toggle.isChecked()
    assert second.workspaces.note == ""  # the same weights
    # Both windows list it under File ▸ Recent workspaces.
    assert second.recent_menu.isEnabled()
    (entry,) = second.recent_menu.actions()
    assert entry.text() == str(tmp_path / "lesson-plan.workspace.json") and not entry.shortcut().isEmpty()
    second.controller.clear_masks()
    with qtbot.waitSignal(second.workspaces.opened, timeout=20_000):
        entry.trigger()
    assert second.controller.current_input == first.controller.current_input


def test_a_workspace_saved_in_one_app_is_the_same_state_in_a_restarted_one(windows, qtbot, tmp_path, monkeypatch):
    """The issue's round trip: save through File ▸ Save workspace…, quit, start a new app process on the workspace
    (`--workspace FILE`, headless with `--screenshot`) and compare the whole state it shows (`--dump-state`)."""
    import os
    import subprocess
    import sys

    from bertviz_app.ui.lesson_panel import open_lesson

    first = windows("a")
    assert open_lesson(first, "masked-lm", 1)
    next(a for a in first.lessons_menu.actions() if a.text().replace("&", "") == "Next step").trigger()
    set_up_a_state(first)  # over the lesson's step: a sentence pair, a mask, a head off, k, layer/head, view, token
    first.selection.set_head(1, 2)
    assert first.controller.wait_until_idle()
    path = str(tmp_path / "class.workspace.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (path, ""))
    with qtbot.waitSignal(first.workspaces.saved, timeout=20_000):
        file_action(first, "Save workspace…").trigger()
    saved = read_workspace(path)
    assert saved.lesson is not None and saved.lesson_step == 2 and saved.token == 3 and saved.view == "layers"
    assert saved.knocked_out == ((1, 0),) and saved.masked_spans and saved.pair == "it was tired ."
    first.close()  # quit

    dumped = tmp_path / "restarted.workspace.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": os.pathsep.join(sys.path)}
    shot = str(tmp_path / "restarted.png")
    run = subprocess.run(
        [sys.executable, "-m", "bertviz_app", "--workspace", path, "--screenshot", shot, "--dump-state", str(dumped)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    restarted = read_workspace(dumped)
    assert restarted == saved  # model and weights' hash, input, masks, heads, k, selection, view, lesson step
    assert restarted.model.weights_sha256 == weights_sha256(first.controller.model_summary.path)


def test_dump_state_needs_a_headless_run(tmp_path):
    from bertviz_app.cli import main

    assert main(["--dump-state", str(tmp_path / "x.json")]) == 2


def test_a_missing_model_is_named_and_offered_and_nothing_changes(windows, qtbot, tmp_path):
    win = windows()
    before = win.controller.current_input
    path = tmp_path / "elsewhere.workspace.json"
    ws = replace(EXAMPLE, model=ModelRef("google-bert/bert-base-uncased", "/nowhere", "cache", "cd" * 32))
    write_workspace(path, ws)
    assert not win.workspaces.open(str(path))
    box = win.last_error_box
    assert "needs the model google-bert/bert-base-uncased" in box.text() and "cdcdcdcdcdcd" in box.text()
    get = next(b for b in box.buttons() if b.text() == "Get a model…")
    get.click()
    assert win.model_picker.isVisible() and win.model_picker.hub_id.text() == "google-bert/bert-base-uncased"
    win.model_picker.close()
    assert win.controller.current_input == before


def test_a_damaged_workspace_changes_nothing(windows, tmp_path):
    win = windows()
    before = win.controller.current_input
    path = tmp_path / "bad.workspace.json"
    path.write_text('{"format": "bert-explorer-workspace", "version": 1, "model": 3}')
    assert not win.workspaces.open(str(path))
    assert "'model' should be dict" in win.last_error_box.text()
    assert win.controller.current_input == before


def test_every_view_exported_as_pdf_pages_and_as_figures(windows, tmp_path, monkeypatch):
    win = windows()
    pdf = tmp_path / "slides.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), ""))
    file_action(win, "Export all views as PDF…").trigger()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= len(win.views)
    folder = tmp_path / "figures"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    file_action(win, "Export all views as figures…").trigger()
    names = sorted(p.name for p in folder.iterdir())
    assert {f"{n}.png" for n in win.views} <= set(names) and "attention.svg" in names
