"""The Corpus tab, driven as a user drives it: index with the button (progress, Cancel), click a token of the
sentence for its neighbours, move the layer, colour the map, hover and click a point, see a word's senses."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore
from PySide6.QtCore import QSettings
from test_corpus_index import LINES as INDEX_LINES
from test_corpus_index import write_lines

from bertviz_app.analysis import corpus
from bertviz_app.analysis.numeric.corpus import read_info
from bertviz_app.app import build_window
from bertviz_app.ui.settings import Settings

# The same corpus file as the index tests: 7 lines (an empty one is skipped), "bank" 3 times.
LINES = [line for line in INDEX_LINES if line]


@pytest.fixture
def corpus_file(tmp_path):
    return write_lines(tmp_path)


@pytest.fixture
def window(qtbot, tmp_path, tiny_model_dir, monkeypatch):
    monkeypatch.setenv("BERTVIZ_CACHE_DIR", str(tmp_path / "cache"))
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    win, controller = build_window(str(tiny_model_dir), "she sat by the bank .", settings=settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert controller.wait_until_idle()
    win.show_view("corpus")
    yield win
    controller.shutdown()


def index_through_the_button(qtbot, view, files, monkeypatch):
    monkeypatch.setattr(view, "_choose_files", lambda: view.start_index([str(f) for f in files]))
    qtbot.mouseClick(view.files_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.map is not None, timeout=30_000)


def test_index_click_a_token_and_read_its_neighbours(qtbot, window, corpus_file, monkeypatch):
    view = window.views["corpus"]
    assert window.tabs.currentWidget() is view
    index_through_the_button(qtbot, view, [corpus_file], monkeypatch)
    assert "7 lines" in view.status.text()
    assert view.layer_spin.value() == 2 and view.layer_spin.isEnabled()
    drawn = sum(len(item.data) for item in view.items)
    assert drawn == int((~np.asarray(view.index.special)).sum())  # every word token, no special token

    bank = view.result.tokens.index("bank")
    qtbot.mouseClick(view.token_buttons[bank], QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.neighbours is not None, timeout=10_000)
    assert window.selection.token == bank and view.token_buttons[bank].isChecked()
    found = view.neighbours.neighbours
    sims = [n.similarity for n in found]
    assert sims == sorted(sims, reverse=True) and len(found) == min(20, int((~np.asarray(view.index.special)).sum()))
    text = view.list.toPlainText()
    assert view.index.line_text(found[0].line).split()[0] in text and f"{sims[0]:.3f}" in text
    assert len(view.marks.data) == len(found)  # the neighbours ringed on the map

    # Another layer: the same tokens move (one basis), and the list is searched again at that layer.
    before = np.array(view._xy)
    view.layer_spin.setValue(1)
    qtbot.waitUntil(lambda: view.neighbours.layer == 1, timeout=10_000)
    assert view._xy.shape == before.shape and not np.allclose(view._xy, before)

    # Colour by similarity to the selected token: ten bins of one colour map.
    view.colour_combo.setCurrentIndex(view.colour_combo.findText("colour: similarity"))
    assert "cosine" in view.legend.text()
    view.three_d.setChecked(True)
    flat = np.array(view._xy)
    view.turn.setValue(90)
    assert not np.allclose(flat, view._xy)


def scene_point(view, i):
    vb = view.plot.getPlotItem().getViewBox()
    return vb.mapViewToScene(QtCore.QPointF(float(view._xy[i, 0]), float(view._xy[i, 1])))


def test_hover_shows_the_token_in_its_sentence_and_click_opens_it(qtbot, window, corpus_file, monkeypatch):
    view = window.views["corpus"]
    index_through_the_button(qtbot, view, [corpus_file], monkeypatch)
    qtbot.wait(50)
    i = int(np.argmax(view._xy[:, 0]))  # the rightmost point: nothing else at that spot
    row = int(view._xy_rows[i])
    line = int(view.index.line_of(row))
    position = row - int(view.index.line_starts[line])
    word = view.index.line_tokens(line, display=True)[position]
    pos = scene_point(view, i)
    view._mouse_moved(pos)
    assert f"[{word}]" in view.readout_label.text() and f"line {line}" in view.readout_label.text()
    viewport_pos = view.plot.mapFromScene(pos)
    with qtbot.waitSignal(window.controller.result_ready, timeout=10_000):
        qtbot.mouseClick(view.plot.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=viewport_pos)
    assert window.controller.current_input.text == LINES[line]
    assert window.sentence.text_a.text() == LINES[line]  # in the sentence panel
    qtbot.waitUntil(lambda: window.selection.token == position, timeout=10_000)
    qtbot.waitUntil(lambda: view.neighbours is not None and view.neighbours.query.position == position, timeout=10_000)
    assert view.neighbours.neighbours[0].similarity == pytest.approx(1, abs=1e-3)  # the token itself


def test_cancel_keeps_nothing_and_the_view_says_so(qtbot, window, corpus_file, tmp_path, monkeypatch):
    view = window.views["corpus"]
    monkeypatch.setattr(corpus, "batch_tokens", lambda lm, context: 1)  # one line a batch: time to cancel
    many = tmp_path / "many.txt"
    many.write_text("\n".join(f"{i} {line}" for i in range(300) for line in LINES), encoding="utf-8")
    seen = []
    view.start_index([str(many)])
    run = view._runs["corpus_index"]
    run.progress.connect(lambda done, total: seen.append((done, total)))
    qtbot.waitUntil(lambda: any(0 < d < t for d, t in seen), timeout=10_000)
    assert view.cancel_button.isVisible() and "tokens/s" in view.status.text()
    qtbot.mouseClick(view.cancel_button, QtCore.Qt.MouseButton.LeftButton)
    assert "cancelled" in view.status.text() and not view.cancel_button.isVisible()
    window.controller.wait_until_idle()
    cache = tmp_path / "cache" / "corpus"
    assert not any(read_info(p) for p in cache.iterdir()) if cache.exists() else True
    assert view.index is None


def test_senses_of_the_selected_word(qtbot, window, corpus_file, monkeypatch):
    view = window.views["corpus"]
    index_through_the_button(qtbot, view, [corpus_file], monkeypatch)
    qtbot.mouseClick(view.senses_button, QtCore.Qt.MouseButton.LeftButton)
    assert not view.senses_button.isChecked() and "Select a token" in view.status.text()
    bank = view.result.tokens.index("bank")
    qtbot.mouseClick(view.token_buttons[bank], QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.neighbours is not None, timeout=10_000)
    qtbot.mouseClick(view.senses_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.senses is not None, timeout=10_000)
    assert sum(len(item.data) for item in view.items) == 3  # "bank" occurs 3 times
    assert "“bank”, 3 times" in view.legend.text()
    qtbot.mouseClick(view.senses_button, QtCore.Qt.MouseButton.LeftButton)
    assert view.senses is None and sum(len(item.data) for item in view.items) > 3


def test_a_failed_index_is_a_message_and_keeps_the_previous_one(qtbot, window, corpus_file, tmp_path, monkeypatch):
    view = window.views["corpus"]
    index_through_the_button(qtbot, view, [corpus_file], monkeypatch)
    previous = view.index
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9\n".encode("latin-1"))
    view.start_index([str(bad)])
    qtbot.waitUntil(lambda: "Could not index" in view.status.text(), timeout=10_000)
    assert "not UTF-8" in view.status.text() and view.index is previous


def test_view_arg_indexes_then_finds_a_token_as_the_screenshot_command_does(tmp_path, tiny_model_dir, corpus_file,
                                                                             monkeypatch):  # fmt: skip
    from bertviz_app.app import scratch_window

    monkeypatch.setenv("BERTVIZ_CACHE_DIR", str(tmp_path / "cache"))
    with scratch_window(str(tiny_model_dir), "we went to the bank", None, "corpus", f"{corpus_file}:5") as (
        _app,
        window,
        _controller,
        ok,
    ):
        view = window.views["corpus"]
        assert ok and window.tabs.currentWidget() is view
        assert view.map is not None and view.neighbours is not None
        assert view.neighbours.query.position == 5 and view.neighbours.query.tokens[5] == "bank"
        assert "bank" in view.list.toPlainText()
