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
    drawn = len(view.cloud.xy)
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
    assert len(view.cloud.xy) == 3  # "bank" occurs 3 times
    assert "“bank”, 3 times" in view.legend.text()
    qtbot.mouseClick(view.senses_button, QtCore.Qt.MouseButton.LeftButton)
    assert view.senses is None and len(view.cloud.xy) > 3


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


def test_the_cloud_draws_later_points_over_earlier_ones(qtbot):
    """Two points on one spot: the one drawn last is what shows; the order given decides which that is."""
    import pyqtgraph as pg

    from bertviz_app.ui.point_cloud import PointCloud, argb

    plot = pg.PlotWidget(background="w")
    qtbot.addWidget(plot)
    plot.resize(200, 200)
    plot.show()
    qtbot.waitExposed(plot)
    cloud = PointCloud(6)
    plot.addItem(cloud)
    plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    red, blue = argb(["#ff0000", "#0000ff"])
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [0.5, 0.5]])

    def colour_at(x, y):
        vb = plot.getPlotItem().getViewBox()
        at = plot.mapFromScene(vb.mapViewToScene(QtCore.QPointF(x, y)))
        return plot.grab().toImage().pixelColor(at).name()

    cloud.set_points(xy, np.array([red, blue, red]))
    assert colour_at(0, 0) == "#0000ff" and colour_at(0.5, 0.5) == "#ff0000"
    cloud.set_points(xy, np.array([red, blue, red]), order=np.array([1, 0, 2]))
    assert colour_at(0, 0) == "#ff0000"
    assert colour_at(-0.5, 0.5) == "#ffffff"  # nothing drawn where no point is


def test_3d_draws_far_points_first_so_near_ones_cover_them(qtbot, window, corpus_file, monkeypatch):
    view = window.views["corpus"]
    index_through_the_button(qtbot, view, [corpus_file], monkeypatch)
    qtbot.mouseClick(view.three_d, QtCore.Qt.MouseButton.LeftButton)
    assert view.three_d.isChecked()
    for angle in (0, 130):
        view.turn.setValue(angle)
        xy, depth = view._plane(view.map.coords[view.index.layer_row(view.layer)])
        drawn_depth = {tuple(p): d for p, d in zip(np.round(xy, 5).tolist(), depth)}
        order = [drawn_depth[tuple(p)] for p in np.round(view.cloud.xy, 5).tolist()]
        assert len(order) == len(xy) and order == sorted(order, reverse=True)  # far (large) first, near last
        (x0, x1), (y0, y1) = view.plot.getPlotItem().getViewBox().viewRange()
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        assert inside.mean() >= 0.95  # the view has room for the cloud at every turn
    # The eye is above: of two points one above the other in depth, the higher one is nearer.
    view.turn.setValue(0)
    _xy, depth = view._plane(np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]]))
    assert depth[1] < depth[0] and depth[2] < depth[0]


def test_tsne_map_from_the_menu_then_from_the_file_kept_with_the_index(qtbot, window, corpus_file, monkeypatch):
    view = window.views["corpus"]
    index_through_the_button(qtbot, view, [corpus_file], monkeypatch)
    pca_xy = np.array(view._xy)
    view.three_d.setChecked(True)
    view.projection_combo.setCurrentIndex(view.projection_combo.findText("t-SNE"))
    assert not view.three_d.isChecked() and not view.three_d.isEnabled()  # t-SNE maps are 2-D
    qtbot.waitUntil(lambda: view.tsne is not None, timeout=30_000)
    assert view.tsne.layer == view.layer == 2 and "kept with the index" in view.status.text()
    assert np.array_equal(view._xy, view.tsne.coords) and not np.allclose(view._xy, pca_xy[:, :2])
    assert len(view.cloud.xy) == len(pca_xy) and not view.progress.isVisible()
    assert list(view.index.folder.glob("tsne-layer2-*.npy"))
    # Hover still names the token under the mouse, on the t-SNE map.
    i = int(np.argmax(view._xy[:, 0]))
    view._mouse_moved(scene_point(view, i))
    assert "line " in view.readout_label.text()
    # Another layer has its own t-SNE; back at layer 2 it is read from the file, not computed again.
    view.layer_spin.setValue(1)
    qtbot.waitUntil(lambda: view.tsne.layer == 1, timeout=30_000)
    view.layer_spin.setValue(2)
    qtbot.waitUntil(lambda: view.tsne.layer == 2, timeout=30_000)
    assert "from the index's folder" in view.status.text() and view.tsne.from_cache
    view.projection_combo.setCurrentIndex(view.projection_combo.findText("PCA"))
    assert np.allclose(view._xy, pca_xy[:, :2]) and view.three_d.isEnabled()


def test_cancel_a_tsne_keeps_nothing_and_goes_back_to_pca(qtbot, window, corpus_file, monkeypatch):
    from bertviz_app.analysis.numeric import corpus as numeric

    view = window.views["corpus"]
    index_through_the_button(qtbot, view, [corpus_file], monkeypatch)
    monkeypatch.setattr(numeric, "TSNE_PHASES", ((250, 12.0, 0.5), (1_000_000, 1.0, 0.8)))  # long enough to cancel
    seen = []
    view.projection_combo.setCurrentIndex(view.projection_combo.findText("t-SNE"))
    view._runs["corpus_tsne"].progress.connect(lambda done, total: seen.append(done))
    qtbot.waitUntil(lambda: any(d > numeric.TSNE_NEIGHBOUR_STEPS for d in seen), timeout=30_000)
    assert view.cancel_button.isVisible() and view.progress.isVisible()
    qtbot.mouseClick(view.cancel_button, QtCore.Qt.MouseButton.LeftButton)
    assert "t-SNE cancelled" in view.status.text() and not view.cancel_button.isVisible()
    assert view.projection_combo.currentText() == "PCA" and view.tsne is None
    window.controller.wait_until_idle()
    assert not list(view.index.folder.glob("*tsne*"))


def test_without_opentsne_the_tsne_map_is_offered_greyed_with_the_reason(qtbot, monkeypatch):
    from bertviz_app.ui import corpus_view

    monkeypatch.setattr(corpus_view, "tsne_available", lambda: False)  # as in the installers' frozen app
    view = corpus_view.CorpusView()
    qtbot.addWidget(view)
    item = view.projection_combo.model().item(1)
    assert item.text() == "t-SNE" and not item.isEnabled()
    assert "openTSNE" in view.projection_combo.itemData(1, QtCore.Qt.ItemDataRole.ToolTipRole)
