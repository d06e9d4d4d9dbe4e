"""Issue #14 in the window, driven as a user would: exports are written whole or reported as failed, the sentence
survives a crash, a slow model load can be cancelled and never blocks the app, truncation never hides a mask."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from bertviz_app.app import build_window
from bertviz_app.ui.main_window import view_shortcut
from bertviz_app.ui.settings import Settings


@pytest.fixture
def settings_file(tmp_path):
    return tmp_path / "settings.ini"


@pytest.fixture
def window(qtbot, tiny_model_dir, settings_file):
    win, controller = build_window(
        str(tiny_model_dir), settings=Settings(QSettings(str(settings_file), QSettings.IniFormat))
    )
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert controller.wait_until_idle()
    yield win
    controller.shutdown()


def menu_action(win, text: str) -> QAction:
    found = [a for a in win.findChildren(QAction) if a.text().replace("&", "") == text]
    assert found, f"no menu action {text!r}"
    return found[0]


def type_text(qtbot, win, text):
    win.sentence.text_a.clear()
    with qtbot.waitSignal(win.controller.result_ready, timeout=10_000):
        qtbot.keyClicks(win.sentence.text_a, text)
    assert win.controller.wait_until_idle()


@pytest.fixture
def dialogs(monkeypatch):
    """Save dialogs answer from `answers`; warnings are collected instead of shown."""
    answers, warnings = [], []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (answers.pop(0), ""))
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text, *a: warnings.append(f"{title}: {text}"))
    return answers, warnings


# ---- item 8: writes are what they say -------------------------------------------------------------------------
def test_a_failed_window_png_is_reported_not_called_saved(qtbot, window, dialogs, tmp_path, monkeypatch):
    from PySide6.QtGui import QPixmap

    answers, warnings = dialogs
    type_text(qtbot, window, "the cat sat on the [MASK] .")
    target = tmp_path / "window.png"
    monkeypatch.setattr(QPixmap, "save", lambda *a, **k: False)  # what Qt does when it cannot write
    answers.append(str(target))
    menu_action(window, "Save window as PNG…").trigger()
    assert len(warnings) == 1 and "could not write" in warnings[0]
    assert "Saved" not in window.statusBar().currentMessage()
    assert list(tmp_path.glob("*.png")) == [] and list(tmp_path.glob(".window*")) == []


def test_the_window_png_is_written_whole(qtbot, window, dialogs, tmp_path):
    answers, warnings = dialogs
    type_text(qtbot, window, "the cat sat on the [MASK] .")
    target = tmp_path / "window.png"
    answers.append(str(target))
    menu_action(window, "Save window as PNG…").trigger()
    assert warnings == [] and target.read_bytes().startswith(b"\x89PNG")
    assert window.statusBar().currentMessage() == f"Saved {target}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.ini", "window.png"]


def test_a_full_disk_never_corrupts_the_previous_export(qtbot, window, dialogs, tmp_path, monkeypatch):
    answers, warnings = dialogs
    type_text(qtbot, window, "the cat sat on the [MASK] .")
    target = tmp_path / "attention.csv"
    target.write_text("the previous export\n", encoding="utf-8")
    real = window.attention.export_attention_csv

    def disk_full(path):
        real(path)
        with open(path, "r+b") as f:
            f.truncate(10)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(window.attention, "export_attention_csv", disk_full)
    answers.append(str(target))
    menu_action(window, "Export attention as CSV…").trigger()
    assert len(warnings) == 1 and "No space left" in warnings[0]
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attention.csv", "settings.ini"]


# ---- item 6: a model load can never block the app for good ------------------------------------------------
@pytest.fixture
def slow_loads(monkeypatch):
    """Loading a folder named in `slow` hangs until `release` is set (a hung network disk, made on purpose)."""
    import threading

    from bertviz_app.engine import loader

    release, slow = threading.Event(), set()
    real_model, real_folder = loader.load_model, loader.load_folder

    def load_model(spec=None):
        if str(spec) in slow:
            release.wait(60)
        return real_model(spec)

    def load_folder(folder, *args, **kwargs):
        if str(folder) in slow:
            release.wait(60)
        return real_folder(folder, *args, **kwargs)

    monkeypatch.setattr(loader, "load_model", load_model)
    monkeypatch.setattr(loader, "load_folder", load_folder)
    yield slow, release
    release.set()


def test_a_slow_load_can_be_cancelled_from_the_window_and_typing_goes_on(
    qtbot, window, slow_loads, tiny_model_dir, tmp_path, monkeypatch
):
    import shutil

    from PySide6.QtCore import Qt

    slow, release = slow_loads
    hung = tmp_path / "on-a-hung-disk"
    shutil.copytree(tiny_model_dir, hung)
    slow.add(str(hung))
    before = window.controller.model_summary
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(hung))
    menu_action(window, "Open folder…").trigger()
    assert window.cancel_load.isVisible() and window.controller.loading == str(hung)
    window.sentence.text_a.clear()
    with qtbot.waitSignal(window.controller.result_ready, timeout=10_000):  # answered while the load hangs
        qtbot.keyClicks(window.sentence.text_a, "the cat sat on the [MASK] .")
    assert window.controller.current_result.predictions
    with qtbot.waitSignal(window.controller.model_load_cancelled, timeout=5_000):
        qtbot.mouseClick(window.cancel_load, Qt.LeftButton)
    assert not window.cancel_load.isVisible() and not window.progress.isVisible()
    assert "Stopped loading" in window.statusBar().currentMessage()
    release.set()  # the abandoned load finishes later: its model is dropped
    qtbot.wait(1500)
    assert window.controller.wait_until_idle(5_000)
    assert window.controller.model_summary is before and window.controller.loading is None


def test_closing_never_waits_for_a_hung_load(qtbot, window, slow_loads, tiny_model_dir, tmp_path):
    import shutil
    import time

    slow, _release = slow_loads
    hung = tmp_path / "hung"
    shutil.copytree(tiny_model_dir, hung)
    slow.add(str(hung))
    window.open_model(str(hung))
    start = time.perf_counter()
    window.close()
    window.controller.shutdown()
    assert time.perf_counter() - start < 3.0


def test_a_remembered_model_that_does_not_load_in_time_gives_way_to_the_default(
    qtbot, slow_loads, tiny_model_dir, tmp_path, monkeypatch
):
    import shutil

    from bertviz_app import app

    slow, _release = slow_loads
    hung = tmp_path / "remembered"
    shutil.copytree(tiny_model_dir, hung)
    slow.add(str(hung))
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    settings.model = str(hung)
    monkeypatch.setattr(app, "REMEMBERED_MODEL_TIMEOUT_S", 0.5)
    win, controller = build_window(None, "the cat [MASK] .", settings=settings)
    qtbot.addWidget(win)
    with qtbot.waitSignal(controller.model_loaded, timeout=60_000) as loaded:
        pass
    assert loaded.args[0].name == "default"
    controller.shutdown()


# ---- item 7: the sentence and settings survive a crash -----------------------------------------------------
def test_the_sentence_is_saved_shortly_after_typing_without_closing(qtbot, window, settings_file):
    type_text(qtbot, window, "the bank of the [MASK] was muddy .")
    qtbot.wait(1200)  # the autosave's delay, with no close, no quit: as if the app crashed now
    fresh = Settings(QSettings(str(settings_file), QSettings.IniFormat))
    assert fresh.sentence == ("the bank of the [MASK] was muddy .", None)


def test_a_settings_location_that_cannot_be_written_is_reported_once(qtbot, tiny_model_dir, tmp_path):
    (tmp_path / "not-a-folder").write_text("x")
    settings = Settings(QSettings(str(tmp_path / "not-a-folder" / "settings.ini"), QSettings.IniFormat))
    win, controller = build_window(str(tiny_model_dir), settings=settings)
    qtbot.addWidget(win)
    win.show()
    assert controller.wait_until_idle()
    shown = []
    win.statusBar().messageChanged.connect(lambda m: shown.append(m) if "cannot be saved" in m else None)
    for text in ("the cat sat .", "the dog sat .", "the bird sat ."):
        type_text(qtbot, win, text)
        qtbot.wait(800)
    assert len(shown) == 1 and "not-a-folder" in shown[0] and shown[0].startswith("Note:")
    controller.shutdown()


# ---- item 10: a corrupt settings file gets the note the README promises -----------------------------------
def test_a_corrupt_settings_file_is_a_note_that_outlasts_the_model_load(qtbot, tiny_model_dir, tmp_path):
    corrupt = tmp_path / "settings.ini"
    corrupt.write_bytes(b"[General\nmodel=@ByteArray(\x00\n")
    win, controller = build_window(str(tiny_model_dir), settings=Settings(QSettings(str(corrupt), QSettings.IniFormat)))
    qtbot.addWidget(win)
    win.show()
    assert controller.wait_until_idle() and controller.model_summary is not None
    message = win.statusBar().currentMessage()
    assert message.startswith("Note: the settings file") and "unreadable; using defaults" in message
    controller.shutdown()


# ---- item 9: truncation never hides a mask, and a paste is never silently cut --------------------------------
def test_a_mask_beyond_the_cut_is_named_in_the_window(qtbot, tmp_path):
    from conftest import make_tiny_model

    short = make_tiny_model(tmp_path / "short", max_position_embeddings=16)
    win, controller = build_window(
        str(short), settings=Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    )
    qtbot.addWidget(win)
    win.show()
    assert controller.wait_until_idle()
    type_text(qtbot, win, "the cat " * 20 + "[MASK] .")
    notice = win.sentence.notice
    assert notice.isVisible()
    assert "beyond the model's maximum of 16 tokens" in notice.text() and "after character" in notice.text()
    type_text(qtbot, win, "[MASK] " + "the cat " * 20)  # the mask before the cut: the plain truncation note
    assert notice.isVisible() and "was left out" in notice.text()
    controller.shutdown()


def test_a_paste_longer_than_the_limit_is_refused_not_cut(qtbot, window):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from bertviz_app.ui.settings import MAX_SENTENCE_CHARS

    type_text(qtbot, window, "the cat sat on the [MASK] .")
    edit = window.sentence.text_a
    QGuiApplication.clipboard().setText("word " * (MAX_SENTENCE_CHARS // 5 + 10))
    edit.setFocus()
    edit.end(False)
    edit.paste()  # what Ctrl+V does
    QApplication.processEvents()
    assert edit.text() == "the cat sat on the [MASK] ."  # what was there stays, whole
    assert window.controller.current_input.text == "the cat sat on the [MASK] ."
    notice = window.sentence.notice
    assert (
        notice.isVisible() and f"{MAX_SENTENCE_CHARS:,} characters" in notice.text() and "not put in" in notice.text()
    )


# ---- item 10: the bundled base model is not listed as if it were in the Hugging Face cache --------------------
def test_the_bundled_base_is_not_under_the_cache_heading(qtbot, window):
    from bertviz_app.controller import CacheListing

    models = (("default", "bundled"), ("minilm-base", "bundled"), ("acme/tiny-bert", "cache"))
    window.controller.cache_scanned.emit(CacheListing((), True, models))
    menu = window.model_menu
    menu.aboutToShow.emit()
    texts = [a.text() for a in menu.actions() if a.text()]
    heading = texts.index("In the Hugging Face cache")
    assert texts.index("minilm-base") < heading < texts.index("acme/tiny-bert")


# ---- item 1: no view ever paints a non-finite value --------------------------------------------------------------
def test_non_finite_outputs_are_a_message_in_every_view_never_a_crash(qtbot, tmp_path):
    from conftest import make_tiny_model
    from safetensors.torch import load_file, save_file

    folder = make_tiny_model(tmp_path / "overflow")
    state = load_file(str(folder / "model.safetensors"))
    for key in state:  # finite weights that overflow float32 from the first layer on
        if key.endswith("attention.output.dense.weight"):
            state[key].fill_(3e38)
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    win, controller = build_window(
        str(folder), settings=Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    )
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert controller.wait_until_idle() and controller.model_summary is not None
    errors = []
    controller.error.connect(errors.append)
    win.sentence.text_a.clear()
    qtbot.keyClicks(win.sentence.text_a, "the cat sat on the [MASK] .")
    assert controller.wait_until_idle()
    assert errors and "non-finite" in errors[-1] and controller.current_result is None
    for number in range(1, len(win.views) + 1):  # every view, from the View menu's shortcuts' actions
        key = QKeySequence(view_shortcut(number)).toString()  # Ctrl+1 … Ctrl+9, then Alt+1 …
        action = next(a for a in win.findChildren(QAction) if a.shortcut().toString() == key)
        action.trigger()
        assert controller.wait_until_idle()
        win.grab()  # painted without a crash
    assert "non-finite" in win.statusBar().currentMessage() or errors
    controller.shutdown()
