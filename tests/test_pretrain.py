"""The live pretraining demo, driven as a teacher would: View ▸ Pretraining, paste a text, Train on this text,
then the fine-tuned copy in the other views (a check box), Cancel and Reset."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog

from bertviz_app.analysis.tasks import run_to_end
from bertviz_app.app import build_window
from bertviz_app.ui.settings import Settings

TEXT = "the bird sat in the tree .\nthe bird ate the red book .\nmy bird can fly to the river ."
PROBE = "the [MASK] sat on the mat ."
MAIN = "the [MASK] ate the tea ."


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".ini"
    }


def open_demo(qtbot, folder: str, tmp_path: Path, steps: int):
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    win, controller = build_window(folder, settings=settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert controller.wait_until_idle() and controller.model_summary is not None
    action = next(a for m in win.menuBar().actions() for a in m.menu().actions() if a.text() == "Pre&training")
    action.trigger()  # View ▸ Pretraining, as a user gets there
    panel = win.pretrain
    assert win.tabs.currentWidget() is panel and panel.message() is None
    panel.text_edit.setPlainText(TEXT)
    panel.probe_edit.setText(PROBE)
    panel.steps_spin.setValue(steps)
    return win, controller, panel


def main_guesses(win) -> list[str]:
    """The top five guesses the predictions panel shows for the first mask (the demo's tables show five)."""
    bars = win.predictions.bars()
    return [p.display for p in bars[0].rows()][:5] if bars else []


def type_main(qtbot, win, text: str) -> None:
    """Type the main sentence, as a user does."""
    win.sentence.text_a.selectAll()
    qtbot.keyClicks(win.sentence.text_a, text)
    assert win.controller.wait_until_idle()


def train(qtbot, panel, timeout=120_000):
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.training is not None, timeout=timeout)


@pytest.fixture
def demo(qtbot, tiny_model_dir, tmp_path):
    win, controller, panel = open_demo(qtbot, str(tiny_model_dir), tmp_path, steps=30)
    yield win, controller, panel
    controller.shutdown()


AARDVARK = "The aardvark digs burrows at night.\nThe aardvark eats ants and termites in Africa."
AARDVARK_PROBE = "At night the [MASK] digs for ants."


def test_the_bundled_model_learns_the_text_in_memory_and_reset_restores_it(qtbot, tmp_path):
    """The demo as a class sees it, on the bundled model: the loss falls, the guesses for the test sentence move
    to the text's words, the other views use the fine-tuned copy only when asked, Reset brings the original
    back, and no file of the model changed."""
    from bertviz_app.engine.discovery import resolve_model

    folder = Path(resolve_model("default").path)
    roots = {folder, folder.parent}  # a delta checkpoint reads its base beside it
    files = {str(r): file_hashes(r) for r in roots}
    win, controller, panel = open_demo(qtbot, "default", tmp_path, steps=6)
    try:
        panel.text_edit.setPlainText(AARDVARK)
        panel.probe_edit.setText(AARDVARK_PROBE)
        type_main(qtbot, win, AARDVARK_PROBE)
        original = main_guesses(win)
        steps_seen = []
        panel.train_button.clicked.connect(lambda: panel.run.partial.connect(lambda s: steps_seen.append(s.step)))
        train(qtbot, panel)
        training = panel.training
        assert steps_seen == list(range(1, 7))  # the curve grew live, one point per step
        assert panel.curve.getData()[1].tolist() == pytest.approx(training.losses.tolist())
        assert training.loss_after < training.loss_before / 2
        assert "fell from" in panel.status.text() and "steps/s" in panel.status.text()
        before, after = panel.guesses("before"), panel.guesses("after")
        assert before == original and after != before
        # The text's own tokens (drawn in green) take most of the top guesses' probability after training.
        ids = training.text_ids
        share = [
            sum(g.probability for g in side[0].predictions if g.token_id in ids)
            for side in (training.before, training.after)
        ]
        assert share[1] > 2 * share[0]
        assert training.after[0].predictions[0].token_id in ids

        assert not panel.use_box.isChecked() and panel.use_box.isEnabled()
        assert controller.wait_until_idle() and main_guesses(win) == original  # not used until asked
        with qtbot.waitSignal(controller.result_ready, timeout=30_000):
            qtbot.mouseClick(panel.use_box, Qt.LeftButton)
        assert main_guesses(win) == after and "fine-tuned" in win.model_label.text()
        assert controller.wait_until_idle()
        with qtbot.waitSignal(controller.result_ready, timeout=30_000):
            qtbot.mouseClick(panel.reset_button, Qt.LeftButton)
        assert main_guesses(win) == original and "fine-tuned" not in win.model_label.text()
        assert panel.guesses("after") == [] and not panel.use_box.isEnabled()
    finally:
        controller.shutdown()
    assert {str(r): file_hashes(r) for r in roots} == files  # trained in memory only


def test_cancel_stops_training_and_leaves_the_model_as_it_was(qtbot, demo):
    win, controller, panel = demo
    type_main(qtbot, win, MAIN)
    original = main_guesses(win)
    panel.steps_spin.setValue(1000)
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    run = panel.run
    qtbot.waitUntil(lambda: len(panel.losses) >= 2, timeout=60_000)
    assert panel.cancel_button.isEnabled()
    qtbot.mouseClick(panel.cancel_button, Qt.LeftButton)
    assert not run.running and panel.training is None and not panel.use_box.isEnabled()
    assert "stopped" in panel.status.text()
    assert controller.wait_until_idle()
    type_main(qtbot, win, MAIN.replace("tea", "coffee"))
    type_main(qtbot, win, MAIN)
    assert main_guesses(win) == original


def test_a_new_text_stops_the_run_about_the_old_one(qtbot, demo):
    _win, _controller, panel = demo
    panel.steps_spin.setValue(1000)
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    run = panel.run
    qtbot.waitUntil(lambda: len(panel.losses) >= 1, timeout=60_000)
    panel.text_edit.setPlainText("the cat sat on the mat .")
    assert not run.running and panel.training is None


def test_bad_input_gets_a_message_and_starts_nothing(qtbot, demo):
    _win, _controller, panel = demo
    panel.probe_edit.setText("the bird sat on the mat .")
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    assert panel.run is None and "[MASK]" in panel.status.text()
    panel.probe_edit.setText(PROBE)
    panel.text_edit.setPlainText("   ")
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    assert panel.run is None and "Paste a text" in panel.status.text()
    panel.text_edit.setPlainText("bird")  # too short to mask anything: the worker's message arrives
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.run.running, timeout=30_000)
    assert "at least" in panel.status.text() and panel.training is None


def test_the_training_is_train_mlms_own_steps(tiny_model_dir):
    """The demo and train-mlm share one loop: the same config and rows give the same losses."""
    from bertviz_app.analysis.inference import InferenceInput
    from bertviz_app.analysis.pretrain import DEMO_CONFIG, pretrain_task, sequences
    from bertviz_app.engine.loader import load_model
    from bertviz_app.training.mlm import MLMSteps, VocabInfo, token_stream

    lm = load_model(str(tiny_model_dir))
    steps = run_to_end(pretrain_task(lm, InferenceInput(""), text=TEXT, probe=PROBE, steps=5))
    import copy
    import dataclasses

    stream = token_stream(lm.tokenizer, TEXT.splitlines())
    seqs = sequences(stream, DEMO_CONFIG.seq_len, lm.tokenizer.cls_id, lm.tokenizer.sep_id)
    trainer = MLMSteps(
        copy.deepcopy(lm.model),
        seqs,
        VocabInfo.from_tokenizer(lm.tokenizer, lm.config.vocab_size),
        dataclasses.replace(DEMO_CONFIG, steps=5),
    )
    assert [trainer.step()[0] for _ in range(5)] == pytest.approx(steps.losses.tolist(), rel=1e-5)


def test_sequences_cover_the_whole_text():
    from bertviz_app.analysis.pretrain import sequences

    stream = np.arange(10, 23)  # 13 tokens
    rows = sequences(stream, 7, 1, 2)  # 5 tokens a row: 3 rows, the last completed from the start
    assert rows.shape == (3, 7) and (rows[:, 0] == 1).all() and (rows[:, -1] == 2).all()
    assert rows[:, 1:-1].ravel().tolist() == [*range(10, 23), 10, 11]
    assert sequences(stream, 64, 1, 2).shape == (1, 15)  # a short text: one row of its own length


def test_opening_another_model_forgets_the_fine_tuned_copy(qtbot, demo, tmp_path, monkeypatch):
    win, controller, panel = demo
    assert "Paste a text" in panel.status.text()  # the first load says nothing about training again
    panel.steps_spin.setValue(2)
    train(qtbot, panel)
    qtbot.mouseClick(panel.use_box, Qt.LeftButton)
    assert controller.model_summary.fine_tuned and controller.wait_until_idle()
    # A workspace saved meanwhile says it holds the loaded model (the copy lives in memory only).
    path = str(tmp_path / "w.workspace.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (path, ""))
    with qtbot.waitSignal(win.workspaces.saved, timeout=30_000):
        next(a for a in win.menuBar().actions()[0].menu().actions() if a.text() == "Save w&orkspace…").trigger()
    assert "fine-tuned copy is not saved in it" in win.statusBar().currentMessage()
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000):
        next(a for a in win.model_menu.actions() if a.text() == "&Default model").trigger()
    assert panel.training is None and not panel.use_box.isEnabled() and panel.guesses("after") == []
    assert "new model" in panel.status.text()
    assert controller.wait_until_idle()


def test_the_fine_tuned_copy_saves_as_a_model_folder_that_opens_with_its_guesses(qtbot, demo, tmp_path, monkeypatch):
    """Save as a model…, then Model ▸ Open folder… on what it wrote: the main predictions are the "after" table's."""
    win, controller, panel = demo
    assert not panel.save_button.isEnabled()  # nothing trained yet
    train(qtbot, panel)
    assert panel.save_button.isEnabled()
    after = panel.guesses("after")
    folder = tmp_path / "models" / "bird-tuned"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(folder), ""))
    qtbot.mouseClick(panel.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith("Saved"), timeout=60_000)
    assert str(folder) in panel.status.text() and panel.save_button.isEnabled()
    assert {"config.json", "model.safetensors", "fine_tuning.json"} <= {p.name for p in folder.iterdir()}
    assert [p.name for p in folder.parent.iterdir()] == ["bird-tuned"]  # no temporary folder left
    info = json.loads((folder / "fine_tuning.json").read_text(encoding="utf-8"))
    assert info["text"] == TEXT and info["config"]["steps"] == 30 and len(info["losses"]) == 30
    assert (info["loss_before"], info["loss_after"]) == (panel.training.loss_before, panel.training.loss_after)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000):
        next(a for a in win.model_menu.actions() if a.text() == "&Open folder…").trigger()
    type_main(qtbot, win, PROBE)
    assert main_guesses(win) == after


def test_saving_over_a_folder_in_use_says_so_and_writes_nothing(qtbot, demo, tmp_path, monkeypatch):
    _win, _controller, panel = demo
    panel.steps_spin.setValue(2)
    train(qtbot, panel)
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(folder), ""))
    qtbot.mouseClick(panel.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith("Not saved"), timeout=30_000)
    assert "already exists" in panel.status.text() and panel.save_button.isEnabled()
    assert [p.name for p in tmp_path.iterdir() if p.name != "settings.ini"] == ["taken"]
    assert [p.name for p in folder.iterdir()] == ["notes.txt"] and (folder / "notes.txt").read_text() == "mine"


def test_the_command_line_trains_at_the_start_for_a_screenshot(tiny_model_dir):
    """`bertviz-app --view pretrain --view-arg 3 --screenshot F` (as scripts/screenshots.sh makes the README's
    picture): the run starts once the model is there, and the shot waits for it."""
    from bertviz_app.app import scratch_window

    with scratch_window(str(tiny_model_dir), None, None, "pretrain", "3") as (_app, window, _controller, ok):
        assert ok and window.pretrain.training is not None and len(window.pretrain.losses) == 3
        assert window.pretrain.guesses("after")
    with scratch_window(str(tiny_model_dir), None, None, "pretrain", "lots") as (_app, window, _controller, ok):
        assert ok and window.pretrain.run is None  # not a number: ignored (with a warning in the log)
