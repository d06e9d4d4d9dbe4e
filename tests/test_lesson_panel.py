"""The lesson panel as a class meets it: Lessons menu, Next/Space/PageDown/PageUp, the phase list, every step of
every bundled lesson walked on the bundled model, `--lesson --step` with `--screenshot`."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from bertviz_app.app import build_window
from bertviz_app.lessons import bundled_lessons, find_token, load_lesson, mask_spans
from bertviz_app.ui.settings import Settings


@pytest.fixture(scope="module")
def window(tmp_path_factory):
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    store = QSettings(str(tmp_path_factory.mktemp("lesson") / "settings.ini"), QSettings.IniFormat)
    win, controller = build_window("default", "A first sentence.", settings=Settings(store))
    win.resize(1360, 860)
    win.show()
    assert controller.wait_until_idle(120_000) and controller.model_summary is not None
    yield win
    controller.shutdown()
    win.close()


def action(win, menu_title: str, text: str):
    menu = next(a.menu() for a in win.menuBar().actions() if a.text().replace("&", "") == menu_title)
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def settle(win):
    from PySide6.QtWidgets import QApplication

    assert win.controller.wait_until_idle(60_000)
    for _ in range(3):
        QApplication.processEvents()


def check_step(win, lesson, index):
    """The window is what step `index` says: input, view, layer/head, token, highlight and live text."""
    panel = win.lesson_panel
    state = lesson.state(index)
    inp = win.controller.current_input
    assert panel.index == index
    where = f"{lesson.name} step {index + 1}"
    assert (inp.text, inp.text_b, inp.knocked_out, inp.whole_word) == (
        state.text,
        state.pair,
        state.knocked_out,
        state.whole_word,
    ), where
    assert inp.masked_spans == mask_spans(state), where
    assert win.tabs.currentWidget() is win.views[state.view], where
    result = win.controller.current_result
    assert result is not None, where
    if state.view == "attention" and state.layer:
        assert win.attention.layer == state.layer - 1, where
        if state.head and state.head > 0:
            assert win.attention.head == state.head - 1, where
    if state.view == "embeddings" and state.layer is not None:
        assert win.views["embeddings"].layer == state.layer, where
    if state.token is not None:
        assert win.selection.token == find_token(result.encoding.display_tokens, state.token), where
    if state.highlight is not None:
        assert panel.spotlight.isVisible() and panel.spotlight.target is not None, where
    else:
        assert not panel.spotlight.isVisible(), where
    text = panel.live_text()
    assert lesson.steps[index].title == panel.title_label.text()
    assert "{" not in text and not panel.awaiting, f"{where}: {text}"
    body = lesson.steps[index].body
    if "{tokens}" in body:
        assert " ".join(result.encoding.display_tokens) in text, where
    if "{guess}" in body:
        assert result.predictions[0].predictions[0].display in text, where


@pytest.mark.parametrize("path", bundled_lessons(), ids=lambda p: p.stem)
def test_every_lesson_walks_through_all_its_steps(window, path):
    lesson = load_lesson(path)
    action(window, "Lessons", lesson.title).trigger()  # the Lessons menu, as a teacher opens it
    panel = window.lesson_panel
    assert panel.isVisible() and panel.lesson.title == lesson.title
    settle(window)
    check_step(window, lesson, 0)
    nxt = action(window, "Lessons", "Next step")
    for index in range(1, len(lesson.steps)):
        nxt.trigger()
        settle(window)
        check_step(window, lesson, index)
    assert not panel.next_button.isEnabled()
    action(window, "Lessons", "Previous step").trigger()
    settle(window)
    check_step(window, lesson, len(lesson.steps) - 2)
    window.controller.cancel_analysis("head_importance")


def test_keys_and_the_phase_list_move_through_a_lesson(window, qtbot):
    lesson = load_lesson("masked-lm")
    action(window, "Lessons", lesson.title).trigger()
    panel = window.lesson_panel
    settle(window)
    panel.text.setFocus()
    qtbot.keyClick(panel.text, Qt.Key_Space)  # Space, away from the text fields: the next step
    assert panel.index == 1
    qtbot.keyClick(window.tabs, Qt.Key_PageDown)  # a presenter clicker
    assert panel.index == 2
    qtbot.keyClick(window.tabs, Qt.Key_PageUp)
    assert panel.index == 1
    settle(window)
    assert "L = −(log" in panel.live_text()  # the live loss of the masked word
    # Typing a space in the sentence is a space, not a step.
    window.sentence.text_a.setFocus()
    window.sentence.text_a.end(False)
    qtbot.keyClick(window.sentence.text_a, Qt.Key_Space)
    assert panel.index == 1 and window.sentence.text_a.text().endswith(" ")
    # The list jumps to a phase (its first step).
    second_phase = next(
        panel.steps.item(r) for r in range(panel.steps.count()) if panel.steps.item(r).text() == "Around the task"
    )
    panel.steps.itemClicked.emit(second_phase)
    assert panel.index == lesson.phases[1][1]
    settle(window)
    action(window, "Lessons", "Close the lesson").trigger()
    assert not panel.isVisible() and not panel.spotlight.isVisible()
    assert not action(window, "Lessons", "Next step").isEnabled()


def test_a_broken_lesson_file_says_its_line_and_changes_nothing(window, tmp_path):
    from bertviz_app.ui.lesson_panel import open_lesson

    before = window.controller.current_input
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: Broken\n---\n\n# Phase\n\n## Step\nview: nowhere\n\nText.\n", encoding="utf-8")
    assert not open_lesson(window, str(broken))
    assert f"{broken}:8: unknown view 'nowhere'" in window.last_error_box.text()
    window.last_error_box.close()
    assert window.controller.current_input == before


def test_lesson_and_step_on_the_command_line_with_a_screenshot(tmp_path):
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    out = tmp_path / "step.png"
    done = subprocess.run(
        [sys.executable, "-m", "bertviz_app", "--lesson", "self-attention", "--step", "2", "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert QImage(str(out)).width() >= 1300
    bad = subprocess.run(
        [sys.executable, "-m", "bertviz_app", "--lesson", "self-attention", "--step", "99", "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "--step 99: self-attention has steps 1 to 5" in bad.stderr
