"""The neuron panel shows the numbers of analysis.neuron for the chosen layer, head and query token."""

import math
import time

import numpy as np
import pytest
from conftest import make_result, show_widget

from bertviz_app.analysis.inference import InferenceInput, InferenceResult, run_inference
from bertviz_app.analysis.numeric.neuron import neuron_view

SENTENCE = ["[CLS]", "the", "cat", "sat", "on", "the", "mat", "because", "it", "was", "tired", "[SEP]"]


def canned_result(tokens=SENTENCE, layers=3, heads=4, hd=8, masked=(), seed=0) -> InferenceResult:
    """Random queries/keys with the attention they imply, like run_inference would give."""
    rng = np.random.default_rng(seed)
    t = len(tokens)
    q = rng.normal(0, 1.5, (layers, heads, t, hd)).astype(np.float32)
    k = rng.normal(0, 1.5, (layers, heads, t, hd)).astype(np.float32)
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
    att = np.exp(scores - scores.max(-1, keepdims=True))
    att = (att / att.sum(-1, keepdims=True)).astype(np.float32)
    base = make_result(tokens, att, None, masked)
    return InferenceResult(**{**base.__dict__, "queries": q, "keys": k})


@pytest.fixture
def panel(qtbot):
    from bertviz_app.ui.neuron_panel import NeuronPanel

    p = NeuronPanel()
    return show_widget(qtbot, p, 1100, 700)


def assert_shows(panel, result, layer, head, token):
    """The panel's numbers, labels and colours are those of neuron_view for (layer, head, token)."""
    from bertviz_app.ui.neuron_canvas import PRODUCT, SCALED, SCORE, K, Q, _exact

    expected = neuron_view(result.queries, result.keys, layer, head, token)
    view = panel.current_view()
    assert (view.layer, view.head, view.query_token) == (layer, head, token)
    for name in ("q", "k", "products", "scores", "scaled", "probs"):
        np.testing.assert_array_equal(getattr(view, name), getattr(expected, name))
    np.testing.assert_allclose(view.probs, result.attention[layer, head, token], atol=1e-5)
    canvas = panel.canvas
    assert canvas.view is view
    assert (panel.layer_spin.value(), panel.head_spin.value(), panel.token_combo.currentIndex()) == (
        layer + 1,
        head + 1,
        token,
    )
    # Hover texts carry the exact numbers.
    j, d = 2, 3
    assert canvas.hover_text(K, j, d).endswith(f"= {_exact(expected.k[j, d])}")
    assert canvas.hover_text(PRODUCT, j, d).endswith(f"= {_exact(expected.products[j, d])}")
    assert _exact(expected.scores[j]) in canvas.hover_text(SCORE, j)
    assert canvas.hover_text(SCALED, j).endswith(_exact(expected.scaled[j]))
    # Colour follows value: the most negative product is the bluest, the most positive the reddest.
    lo = np.unravel_index(np.argmin(expected.products), expected.products.shape)
    hi = np.unravel_index(np.argmax(expected.products), expected.products.shape)
    blue, red = canvas.color_of(PRODUCT, *lo), canvas.color_of(PRODUCT, *hi)
    assert blue.blue() > blue.red() and red.red() > red.blue()
    assert canvas.limit(Q) == pytest.approx(np.abs(expected.q).max())


def test_shows_the_numbers_of_the_selected_layer_head_and_token(panel, qtbot):
    result = canned_result()
    panel.set_result(result)
    assert panel.message() is None
    assert (panel.layer, panel.head, panel.query_token) == (0, 0, 1)  # layer 1, head 1, first word
    assert_shows(panel, result, 0, 0, 1)
    with qtbot.waitSignal(panel.selection_changed) as sig:
        panel.layer_spin.setValue(3)
    assert sig.args == [2, 0, 1]
    assert_shows(panel, result, 2, 0, 1)
    panel.head_spin.setValue(4)
    assert_shows(panel, result, 2, 3, 1)
    # The token selected elsewhere in the app (no signal back: the main window sent it).
    with qtbot.assertNotEmitted(panel.token_selected):
        panel.set_selected_token(8)
    assert_shows(panel, result, 2, 3, 8)
    panel.set_selected_token(99)  # out of range: ignored
    assert panel.query_token == 8
    # The combo box chooses a token and tells the app.
    with qtbot.waitSignal(panel.token_selected) as sig:
        panel.token_combo.activated.emit(2)
    assert sig.args == [2]
    assert_shows(panel, result, 2, 3, 2)
    with pytest.raises(IndexError):
        panel.set_selection(3, 0)


@pytest.mark.parametrize("hd", [8, 64])
def test_painted_cells_have_the_colour_of_their_value(panel, hd):
    from bertviz_app.ui.neuron_canvas import PRODUCT, K, Q

    result = canned_result(hd=hd)
    panel.set_result(result)
    panel.set_selected_token(3)
    canvas = panel.canvas
    image = canvas.grab().toImage()
    for part, row, dim in ((Q, 3, 0), (Q, 3, hd - 1), (K, 5, hd // 2), (PRODUCT, 7, 1), (PRODUCT, 0, hd - 2)):
        rect = canvas.cell_rect(part, row, dim)
        painted = image.pixelColor(rect.center())
        assert painted.rgb() == canvas.color_of(part, row, dim).rgb(), (part, row, dim)


def test_clicking_a_token_label_looks_from_it(panel, qtbot):
    from PySide6.QtCore import Qt

    from bertviz_app.ui.neuron_canvas import LABEL, PROB, Q

    result = canned_result()
    panel.set_result(result)
    canvas = panel.canvas
    rect = canvas.cell_rect(LABEL, 6)
    assert canvas.hit(rect.center()) == (LABEL, 6, 0)
    with qtbot.waitSignal(panel.token_selected) as sig:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [6]
    assert_shows(panel, result, 0, 0, 6)
    # The q column holds the query token's vector only, on its own row.
    assert canvas.hit(canvas.cell_rect(Q, 6, 5).center()) == (Q, 6, 5)
    assert canvas.hit(canvas.cell_rect(Q, 3, 5).center())[0] == LABEL
    assert canvas.hit(canvas.cell_rect(PROB, 4).center()) == (PROB, 4, 0)
    # Keys move the query token too.
    canvas.setFocus()
    with qtbot.waitSignal(panel.token_selected) as sig:
        qtbot.keyClick(canvas, Qt.Key.Key_Down)
    assert sig.args == [7]


def test_hovering_a_cell_shows_its_number(panel, qtbot):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from bertviz_app.ui.neuron_canvas import PRODUCT, _exact

    result = canned_result()
    panel.set_result(result)
    canvas = panel.canvas
    view = panel.current_view()
    centre = canvas.cell_rect(PRODUCT, 4, 2).center()
    # The event itself rather than qtbot.mouseMove: the offscreen platform's one shared cursor may already be
    # there (or over a window another test left), and then Qt sends no move event.
    point = QPointF(centre.x(), centre.y())
    move = QMouseEvent(QEvent.Type.MouseMove, point, canvas.mapToGlobal(point), Qt.NoButton, Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(canvas, move)
    qtbot.waitUntil(lambda: "×" in panel.readout_label.text())
    text = panel.readout_label.text()
    assert f"q[2] × k[2] of 'on' = {_exact(view.q[2])} × {_exact(view.k[4, 2])} = {_exact(view.products[4, 2])}" == text


def test_matches_the_tiny_models_attention(panel, tiny_model):
    result = run_inference(tiny_model, InferenceInput("the cat sat on the mat because it was tired ."))
    panel.set_result(result)
    panel.set_selection(1, 2, 8)
    view = panel.current_view()
    np.testing.assert_allclose(view.probs, result.attention[1, 2, 8], atol=1e-5)
    assert view.head_dim == 8


def test_view_arg_selects_layer_head_and_token(panel, qtbot):
    from bertviz_app.ui.neuron_panel import find_token, parse_view_arg

    assert parse_view_arg("3.5.it") == (2, 4, "it")
    assert parse_view_arg("3.5") == (2, 4, None)
    assert parse_view_arg("3.5..") == (2, 4, ".")
    assert parse_view_arg("cat") == (None, None, "cat")
    assert find_token(SENTENCE, "IT") == 8 and find_token(SENTENCE, "#3") == 3 and find_token(SENTENCE, "dog") is None
    # Before the first result: remembered, applied when it comes; the token becomes the app's selection.
    panel.prepare_view("2.3.because")
    result = canned_result()
    with qtbot.waitSignal(panel.token_selected) as sig:
        panel.set_result(result)
    assert sig.args == [7]
    assert_shows(panel, result, 1, 2, 7)
    # With a result: applied at once; out-of-range heads are clamped.
    panel.prepare_view("9.9.#10")
    assert_shows(panel, result, 2, 3, 10)
    # Only once: the next result keeps whatever the user chose since.
    panel.set_selection(0, 1, 4)
    panel.set_result(canned_result(seed=2))
    assert_shows(panel, canned_result(seed=2), 0, 1, 4)


def test_keeps_selection_across_results_and_starts_at_the_mask(panel):
    result = canned_result(masked=(6,))
    panel.set_result(result)
    assert panel.query_token == 6  # the first mask: what the model is guessing
    panel.set_selection(2, 3, 9)
    panel.set_result(canned_result(seed=1))
    assert (panel.layer, panel.head, panel.query_token) == (2, 3, 9)
    smaller = canned_result(tokens=["[CLS]", "hi", "[SEP]"], layers=2, heads=2)
    panel.set_result(smaller)
    assert (panel.layer, panel.head, panel.query_token) == (1, 1, 1)
    assert_shows(panel, smaller, 1, 1, 1)


def test_clear_and_results_without_vectors(panel):
    from bertviz_app.ui.neuron_panel import NO_RESULT

    assert panel.message() == NO_RESULT
    assert not panel.layer_spin.isEnabled() and panel.current_view() is None
    panel.set_result(canned_result())
    panel.clear("Loading…")
    assert panel.message() == "Loading…"
    assert panel.current_view() is None and not panel.token_combo.isEnabled()
    without = InferenceResult(**{**canned_result().__dict__, "queries": None, "keys": None})
    panel.set_result(without)
    assert "no query and key vectors" in panel.message()
    with pytest.raises(ValueError):
        panel.export_png("/nonexistent/never.png")
    panel.set_result(canned_result())
    assert panel.message() is None


def test_many_tokens_and_64_dims_scroll_and_stay_visible(panel, qtbot):
    from bertviz_app.ui.neuron_canvas import MIN_CELL

    tokens = ["[CLS]"] + [f"w{i}" for i in range(300)] + ["[SEP]"]
    result = canned_result(tokens=tokens, layers=1, heads=2, hd=64)
    panel.set_result(result)
    c = panel.canvas.columns()
    assert c.cell >= MIN_CELL
    assert panel.canvas.height() > panel.scroll.viewport().height()
    assert panel.scroll.verticalScrollBar().maximum() > 0
    panel.set_selected_token(250)  # brought into view
    bar = panel.scroll.verticalScrollBar()
    top = panel.canvas.row_top(250)
    assert bar.value() <= top <= bar.value() + panel.scroll.viewport().height()
    times = []
    for head in (0, 1, 0, 1, 0):
        start = time.perf_counter()
        panel.set_selection(0, head)
        panel.scroll.viewport().repaint()
        times.append(time.perf_counter() - start)
    assert sorted(times)[2] < 0.25, times


def test_export_png(panel, tmp_path):
    from PySide6.QtGui import QImage

    panel.set_result(canned_result())
    path = tmp_path / "neurons.png"
    panel.export_png(path, scale=2.0)
    image = QImage(str(path))
    assert image.width() == 2 * panel.canvas.width() and image.height() == 2 * panel.canvas.height()


def test_render_png_for_review(panel, qtbot):
    """Not an assertion of looks: writes /tmp/neuron_panel.png so a person can look at it."""
    panel.set_result(canned_result(masked=(6,)))
    panel.set_selection(1, 2, 8)
    qtbot.wait(50)
    assert panel.grab().save("/tmp/neuron_panel.png")


def test_in_the_main_window_follows_and_sets_the_selected_token(qtbot, tiny_model_dir, tmp_path):
    from PySide6.QtCore import QSettings

    from bertviz_app.app import build_window
    from bertviz_app.ui.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    win, controller = build_window(str(tiny_model_dir), settings=settings)
    qtbot.addWidget(win)
    win.show()
    try:
        assert controller.wait_until_idle()
        with qtbot.waitSignal(controller.result_ready, timeout=10_000):
            qtbot.keyClicks(win.sentence.text_a, "the cat sat on the mat .")
        assert controller.wait_until_idle()
        result = controller.current_result
        win.show_view("neurons")
        assert win.neurons.message() is None
        win.select_token(3)  # e.g. a chip or a heatmap row clicked
        assert_shows(win.neurons, result, 0, 0, 3)
        win.neurons.set_selection(1, 2)
        win.neurons.token_combo.activated.emit(5)  # chosen here: selected everywhere, no new inference
        assert win.attention.selected_token == 5
        assert_shows(win.neurons, result, 1, 2, 5)
        assert controller.current_result is result and not controller.busy
    finally:
        controller.shutdown()
