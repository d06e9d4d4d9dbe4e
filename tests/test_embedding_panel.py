"""The embedding panel renders from a canned InferenceResult: no model, no torch work in the GUI."""

import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from conftest import make_result, show_widget

from bertviz_app.analysis.inference import InferenceResult
from bertviz_app.analysis.numeric.projection import project_layer, trajectory_space

SENTENCE = ["[CLS]", "the", "cat", "sat", "on", "the", "mat", "because", "it", "was", "tired", "[SEP]"]


def canned_result(tokens=SENTENCE, layers=6, dim=48, masked=(6,), seed=0, segments=None) -> InferenceResult:
    """Hidden states that drift through the layers (tokens cluster by word, [CLS]/[SEP] far out)."""
    rng = np.random.default_rng(seed)
    t = len(tokens)
    special = tuple(tok in ("[CLS]", "[SEP]") for tok in tokens)
    base = rng.normal(0, 1, (t, dim))
    base[list(np.flatnonzero(special))] += 6  # specials dominate, as in real BERT
    drift = rng.normal(0, 0.6, (layers + 1, t, dim)).cumsum(axis=0)
    hidden = (base[None] + drift).astype(np.float32)
    att = rng.random((layers, 2, t, t)).astype(np.float32)
    att /= att.sum(-1, keepdims=True)
    return make_result(tokens, att, hidden, masked, segments)


@pytest.fixture
def panel(qtbot):
    from bertviz_app.ui.embedding_panel import EmbeddingPanel

    p = EmbeddingPanel()
    return show_widget(qtbot, p, 900, 650)


def click_view_point(qtbot, panel, x, y):
    from PySide6.QtCore import QPoint, QPointF, Qt

    scene_pos = panel.plot.vb.mapViewToScene(QPointF(x, y))
    widget_pos = panel.plot_widget.mapFromScene(scene_pos)
    qtbot.mouseClick(panel.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(widget_pos))


def test_points_are_the_tokens_minus_hidden_specials(panel):
    result = canned_result()
    panel.set_result(result)
    assert panel.message() is None
    assert panel.hide_special  # the default: [CLS]/[SEP] would squash the picture
    assert panel.visible_tokens() == list(range(1, 11))
    assert len(panel.scatter.data) == len(SENTENCE) - 2
    panel.set_hide_special(False)
    assert len(panel.scatter.data) == len(SENTENCE)
    assert panel.visible_tokens() == list(range(12))


def test_layer_selection_reprojects_from_the_cached_hidden_states(panel, qtbot):
    result = canned_result()
    panel.set_result(result)
    include = ~np.array(result.encoding.special)
    expected = project_layer(result.hidden_states, 0, include).coords
    np.testing.assert_allclose(panel.point_position(2), expected[2])
    with qtbot.waitSignal(panel.layer_changed) as sig:
        panel.layer_slider.setValue(4)
    assert sig.args == [4] and panel.layer == 4
    expected = project_layer(result.hidden_states, 4, include).coords
    drawn = np.array([panel.point_position(i) for i in panel.visible_tokens()])
    np.testing.assert_allclose(drawn, expected[include])
    np.testing.assert_allclose(
        np.column_stack([panel.scatter.data["x"], panel.scatter.data["y"]]), expected[include], rtol=1e-6
    )
    assert "After layer 4" in panel.plot.titleLabel.text
    with pytest.raises(IndexError):
        panel.set_layer(7)


def test_special_and_masked_tokens_are_drawn_differently(panel):
    panel.set_result(canned_result())
    panel.set_hide_special(False)
    symbols = dict(zip(panel.scatter.data["data"], panel.scatter.data["symbol"], strict=True))
    assert symbols[0] == "s" and symbols[11] == "s"  # special: squares
    assert symbols[6] == "d"  # masked: diamond
    assert symbols[2] == "o"


def test_clicking_a_point_emits_token_selected(panel, qtbot):
    panel.set_result(canned_result())
    x, y = panel.point_position(3)
    with qtbot.waitSignal(panel.token_selected) as sig:
        click_view_point(qtbot, panel, x, y)
    assert sig.args == [3]
    assert panel.selected_token == 3
    np.testing.assert_allclose(panel.selection_ring.data["x"], [x])
    # Selection from elsewhere in the app: highlighted, no signal back.
    with qtbot.assertNotEmitted(panel.token_selected):
        panel.set_selected_token(5)
    np.testing.assert_allclose(panel.selection_ring.data["x"], [panel.point_position(5)[0]])
    panel.set_selected_token(0)  # [CLS] is hidden: nothing to ring
    assert len(panel.selection_ring.data) == 0
    panel.set_selected_token(None)
    assert panel.selected_token is None


def test_hover_text(panel):
    panel.set_result(canned_result(segments=[0] * 7 + [1] * 5))
    assert panel.hover_text(2) == "'cat' · token #2 (sentence A)"
    assert panel.hover_text(6) == "'mat' · token #6 (masked, sentence A)"
    assert panel.scatter.opts["tip"](x=0, y=0, data=8) == "'it' · token #8 (sentence B)"
    assert panel.hover_text(3, layer=0) == "'sat' · token #3 · embeddings (sentence A)"


def test_trajectory_mode(panel, qtbot):
    result = canned_result()
    panel.set_result(result)
    with qtbot.waitSignal(panel.mode_changed):
        panel.mode_combo.setCurrentIndex(1)
    assert panel.mode == "trajectory"
    # Nothing selected yet: the masked token is followed.
    assert panel.trajectory_token() == 6
    path = panel.trajectory()
    num_states = result.hidden_states.shape[0]
    assert path.shape == (num_states, 2)
    assert len(panel.path_points.data) == num_states
    include = ~np.array(result.encoding.special)
    np.testing.assert_allclose(path, trajectory_space(result.hidden_states, include).path(6))
    # Every other token at every layer in the background, faint.
    assert len(panel.background_item.data) == num_states * include.sum()
    shown_numbers = [item.textItem.toPlainText().strip() for item in panel._layer_labels if item.isVisible()]
    assert shown_numbers == [str(k) for k in range(num_states)]
    panel.set_selected_token(2)
    np.testing.assert_allclose(panel.trajectory(), trajectory_space(result.hidden_states, include).path(2))
    assert "'cat'" in panel.plot.titleLabel.text
    # Clicking a faint point follows that token.
    space = panel.trajectory_space()
    x, y = space.coords[3, 9]
    with qtbot.waitSignal(panel.token_selected) as sig:
        click_view_point(qtbot, panel, x, y)
    assert sig.args == [9]
    np.testing.assert_allclose(panel.trajectory(), space.path(9))
    panel.set_layer(2)  # the ring marks the chosen layer on the path
    np.testing.assert_allclose(panel.selection_ring.data["x"], [space.path(9)[2, 0]])
    panel.set_mode("layer")
    assert panel.trajectory() is None


def test_exports(panel, tmp_path):
    panel.set_result(canned_result())
    png, svg = tmp_path / "e.png", tmp_path / "e.svg"
    panel.export_png(png)
    panel.export_svg(svg)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.stat().st_size > 0
    assert ET.parse(svg).getroot().tag.endswith("svg")


def test_clear_and_missing_hidden_states(panel):
    panel.set_result(canned_result())
    panel.clear("Loading…")
    assert panel.message() == "Loading…"
    assert panel.message_label.isVisible()
    assert len(panel.scatter.data) == 0
    panel.set_result(InferenceResult(**{**canned_result().__dict__, "hidden_states": None}))
    assert "no hidden states" in panel.message()
    panel.set_result(canned_result())
    assert panel.message() is None


def test_512_tokens_stay_responsive(panel, qtbot):
    tokens = ["[CLS]"] + [f"w{i}" for i in range(510)] + ["[SEP]"]
    result = canned_result(tokens=tokens, layers=6, dim=64, masked=(10, 20))
    panel.set_result(result)
    start = time.perf_counter()
    for layer in (1, 2, 3, 4, 5, 6, 0):
        panel.set_layer(layer)
        panel.plot_widget.grab()
    for token in range(5, 25):
        panel.set_selected_token(token)
    panel.set_mode("trajectory")
    panel.plot_widget.grab()
    for token in range(5, 25):
        panel.set_selected_token(token)
    panel.plot_widget.grab()
    assert time.perf_counter() - start < 5.0
    # Too many points to label them all: only masked and selected tokens keep a label.
    panel.set_mode("layer")
    assert sum(item.isVisible() for item in panel._labels) == 3


def test_render_pngs_for_review(panel, qtbot):
    """Not an assertion of looks: writes PNGs under /tmp so a person can look at them."""
    panel.set_result(canned_result())
    panel.set_layer(3)
    panel.set_selected_token(2)
    qtbot.wait(50)
    assert panel.grab().save("/tmp/embedding_panel_layer.png")
    panel.set_mode("trajectory")
    panel.set_layer(6)
    qtbot.wait(50)
    assert panel.grab().save("/tmp/embedding_panel_trajectory.png")


@pytest.mark.parametrize("tokens", [["[CLS]"], ["[CLS]", "[SEP]"], ["[CLS]", "hi", "[SEP]"]])
def test_tiny_inputs(panel, tokens):
    """One token, only special tokens, identical points: drawn without NaN or a crash."""
    panel.set_result(canned_result(tokens=tokens, layers=2, masked=()))
    panel.plot_widget.grab()
    panel.set_mode("trajectory")
    assert panel.trajectory().shape == (3, 2)
    assert np.all(np.isfinite(panel.trajectory()))
    panel.plot_widget.grab()
    frozen = InferenceResult(
        **{**canned_result(tokens=tokens).__dict__, "hidden_states": np.ones((3, len(tokens), 8), np.float32)}
    )
    panel.set_result(frozen)
    panel.set_mode("layer")
    panel.plot_widget.grab()
