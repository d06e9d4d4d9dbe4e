"""The attention panel renders from a canned InferenceResult: no model, no torch work in the GUI."""

import csv
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from conftest import make_result, show_widget

from bertviz_app.analysis.inference import InferenceResult

SENTENCE = ["[CLS]", "the", "cat", "sat", "on", "the", "mat", "because", "it", "was", "tired", "[SEP]"]


def canned_result(tokens=SENTENCE, layers=4, heads=6, dim=32, masked=(6,), seed=0) -> InferenceResult:
    """Attention with head-like patterns (self, previous, next, [CLS]/[SEP], broad), rows summing to 1."""
    rng = np.random.default_rng(seed)
    t = len(tokens)
    idx = np.arange(t)
    patterns = [
        np.eye(t),
        np.eye(t, k=-1),
        np.eye(t, k=1),
        np.tile((idx == 0) | (idx == t - 1), (t, 1)).astype(float),
        np.zeros((t, t)),
    ]
    logits = rng.normal(0, 1, (layers, heads, t, t))
    for layer in range(layers):
        for head in range(heads):
            logits[layer, head] += 4 * patterns[(layer + head) % len(patterns)]
    att = np.exp(logits - logits.max(-1, keepdims=True))
    att = (att / att.sum(-1, keepdims=True)).astype(np.float32)
    hidden = rng.normal(0, 1, (layers + 1, t, dim)).astype(np.float32)
    return make_result(tokens, att, hidden, masked)


@pytest.fixture
def panel(qtbot):
    from bertviz_app.ui.attention_panel import AttentionPanel

    p = AttentionPanel()
    return show_widget(qtbot, p, 1200, 650)


def shown(panel):
    return panel.heatmap_image.image


def test_selecting_layer_and_head_changes_the_image(panel, qtbot):
    result = canned_result()
    panel.set_result(result)
    assert panel.message() is None
    np.testing.assert_array_equal(shown(panel), result.attention[0, 0])
    with qtbot.waitSignal(panel.selection_changed) as sig:
        panel.layer_spin.setValue(3)  # shown 1-based
    assert sig.args == [2, 0]
    np.testing.assert_array_equal(shown(panel), result.attention[2, 0])
    panel.head_spin.setValue(5)
    np.testing.assert_array_equal(shown(panel), result.attention[2, 4])
    panel.set_selection(1, 3)
    assert (panel.layer, panel.head, panel.layer_spin.value(), panel.head_spin.value()) == (1, 3, 2, 4)
    np.testing.assert_array_equal(shown(panel), result.attention[1, 3])
    assert panel.colorbar.levels()[1] == pytest.approx(result.attention[1, 3].max())
    with pytest.raises(IndexError):
        panel.set_selection(4, 0)


def test_mean_over_heads(panel, qtbot):
    result = canned_result()
    panel.set_result(result)
    panel.set_selection(2, 1)
    with qtbot.waitSignal(panel.selection_changed) as sig:
        panel.mean_check.setChecked(True)
    assert sig.args == [2, -1]
    assert panel.mean_over_heads and not panel.head_spin.isEnabled()
    np.testing.assert_allclose(shown(panel), result.attention.mean(axis=1)[2], rtol=1e-6)
    panel.layer_spin.setValue(1)
    np.testing.assert_allclose(shown(panel), result.attention.mean(axis=1)[0], rtol=1e-6)
    panel.mean_check.setChecked(False)
    np.testing.assert_array_equal(shown(panel), result.attention[0, 1])  # the head is remembered


def test_clicking_a_model_view_tile_selects_that_layer_and_head(panel, qtbot):
    from PySide6.QtCore import QPoint, Qt

    result = canned_result()
    panel.set_result(result)
    panel.set_mean_over_heads(True)
    pos = panel.grid_cell_center(3, 5)
    assert panel.grid_cell_at(pos) == (3, 5)
    with qtbot.waitSignal(panel.selection_changed) as sig:
        qtbot.mouseClick(panel.grid, Qt.MouseButton.LeftButton, pos=pos.toPoint())
    assert sig.args == [3, 5]
    assert not panel.mean_over_heads
    np.testing.assert_array_equal(shown(panel), result.attention[3, 5])
    # The keyboard does the same: arrows move the focus from the clicked tile, Space shows that head.
    panel.grid.setFocus()
    qtbot.keyClick(panel.grid, Qt.Key.Key_Up)
    qtbot.keyClick(panel.grid, Qt.Key.Key_Left)
    assert "layer 3, head 5" in panel.readout_label.text()
    with qtbot.waitSignal(panel.selection_changed) as sig:
        qtbot.keyClick(panel.grid, Qt.Key.Key_Space)
    assert sig.args == [2, 4]
    np.testing.assert_array_equal(shown(panel), result.attention[2, 4])
    # Outside every tile: nothing happens.
    assert panel.grid_cell_at(QPoint(panel.grid.width() - 2, panel.grid.height() - 2).toPointF()) is None
    with qtbot.assertNotEmitted(panel.selection_changed):
        qtbot.mouseClick(
            panel.grid, Qt.MouseButton.LeftButton, pos=QPoint(panel.grid.width() - 2, panel.grid.height() - 2)
        )


def test_model_view_mosaic_layout():
    from bertviz_app.analysis.numeric.measures import TILE_GAP, block_mean, model_view_mosaic

    result = canned_result(layers=3, heads=2)
    mosaic, s = model_view_mosaic(result.attention)
    t = len(SENTENCE)
    assert s == t
    assert mosaic.shape == (3 * (t + TILE_GAP) - TILE_GAP, 2 * (t + TILE_GAP) - TILE_GAP)
    tile = mosaic[(t + TILE_GAP) * 2 : (t + TILE_GAP) * 2 + t, t + TILE_GAP :]
    expected = result.attention[2, 1] / result.attention[2, 1].max()
    np.testing.assert_allclose(tile, expected, rtol=1e-6)
    assert np.isnan(mosaic[t, 0])  # the separator is transparent
    # Block averaging for long inputs keeps the total mass of each block.
    big = np.random.default_rng(0).random((1, 1, 100, 100)).astype(np.float32)
    pooled = block_mean(big, 40)
    assert pooled.shape == (1, 1, 34, 34)  # factor 3: 33 full blocks and one of a single row/column
    assert pooled[0, 0, 0, 0] == pytest.approx(big[0, 0, :3, :3].mean())
    assert pooled[0, 0, -1, -1] == pytest.approx(big[0, 0, 99, 99])


def test_hover_readout(panel):
    from PySide6.QtCore import QPointF

    result = canned_result()
    att = result.attention.copy()
    row = att[1, 2, 2]  # query 'cat'
    others = np.delete(np.arange(len(row)), 3)
    row[others] *= (1 - 0.314) / row[others].sum()
    row[3] = 0.314  # 'cat' → 'sat'
    result = InferenceResult(**{**result.__dict__, "attention": att})
    panel.set_result(result)
    panel.set_selection(1, 2)
    assert panel.hover_text(2, 3).startswith("'cat' → 'sat': 0.314")
    # Through the mouse path: the scene position of that cell's centre.
    scene_pos = panel.heatmap_plot.vb.mapViewToScene(QPointF(3, 2))
    assert panel.cell_at(scene_pos) == (2, 3)
    panel._on_heatmap_mouse_moved(scene_pos)
    assert "'cat' → 'sat': 0.314" in panel.readout_label.text()
    assert "#6 masked" in panel.hover_text(6, 6)


def test_selected_token_outlines_row_and_column(panel, qtbot):
    panel.set_result(canned_result())
    panel.set_selected_token(4)
    assert panel.selected_token == 4
    assert panel._row_outline.isVisible() and panel._col_outline.isVisible()
    assert panel._row_outline.rect().top() == pytest.approx(3.5)
    assert panel._col_outline.rect().left() == pytest.approx(3.5)
    panel.set_selected_token(None)
    assert not panel._row_outline.isVisible()
    panel.set_selected_token(99)  # out of range: ignored
    assert panel.selected_token is None
    # Clicking a heatmap cell selects its query token.
    with qtbot.waitSignal(panel.token_selected) as sig:
        from PySide6.QtCore import QPoint, QPointF, Qt

        view_pos = panel.heatmap_widget.mapFromScene(panel.heatmap_plot.vb.mapViewToScene(QPointF(5, 7)))
        qtbot.mouseClick(panel.heatmap_widget.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(view_pos))
    assert sig.args == [7]


def test_colormap_selection(panel, qtbot):
    panel.set_result(canned_result())
    with qtbot.waitSignal(panel.colormap_changed) as sig:
        panel.colormap_combo.setCurrentText("magma")
    assert sig.args == ["magma"]
    assert panel.colormap_name == "magma"
    assert panel.colorbar.colorMap().name == "magma"
    panel.set_colormap("greys")
    assert panel.colormap_combo.currentText() == "greys"
    with pytest.raises(ValueError):
        panel.set_colormap("rainbow")


def test_512_tokens_switching_heads_is_fast(panel, qtbot):
    tokens = ["[CLS]"] + [f"w{i}" for i in range(510)] + ["[SEP]"]
    rng = np.random.default_rng(1)
    att = rng.random((2, 12, 512, 512), dtype=np.float32)
    att /= att.sum(-1, keepdims=True)
    result = canned_result(tokens=tokens, layers=2, heads=12, masked=(7,))
    result = InferenceResult(**{**result.__dict__, "attention": att})
    panel.set_result(result)
    qtbot.wait(10)
    start = time.perf_counter()
    for i in range(20):
        panel.set_selection(i % 2, (i * 5) % 12)
        panel.heatmap_widget.grab()  # force the repaint each time, like a user would see
    elapsed = time.perf_counter() - start
    np.testing.assert_array_equal(shown(panel), att[1, (19 * 5) % 12])
    assert elapsed < 2.0, elapsed
    start = time.perf_counter()
    panel.set_mean_over_heads(True)
    panel.heatmap_widget.grab()
    assert time.perf_counter() - start < 1.0


def test_exports(panel, tmp_path):
    result = canned_result()
    panel.set_result(result)
    panel.set_selection(2, 3)
    png, svg, csv_path, npz = (tmp_path / n for n in ("a.png", "a.svg", "a.csv", "a.npz"))
    panel.export_png(png)
    panel.export_svg(svg)
    panel.export_attention_csv(csv_path)
    panel.export_attention_npz(npz)
    for path in (png, svg, csv_path, npz):
        assert path.exists() and path.stat().st_size > 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert image.width() == 1400 and image.height() > 300
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["attention, layer 3, head 4 (query \\ key)", *SENTENCE]
    assert [r[0] for r in rows[1:]] == SENTENCE
    np.testing.assert_allclose(np.array([r[1:] for r in rows[1:]], dtype=float), result.attention[2, 3], rtol=1e-5)
    data = np.load(npz)
    assert str(data["measure"]) == "attention"
    np.testing.assert_array_equal(data["attention"], result.attention)
    assert data["tokens"].tolist() == SENTENCE
    assert data["masked_positions"].tolist() == [6]


def test_clear_shows_the_message(panel):
    panel.set_result(canned_result())
    panel.clear("Loading…")
    assert panel.message() == "Loading…"
    assert panel.message_label.isVisible()
    assert panel.current_matrix() is None
    assert not panel.layer_spin.isEnabled()
    panel.set_result(canned_result())
    assert panel.message() is None


def test_result_without_attention(panel):
    result = InferenceResult(**{**canned_result().__dict__, "attention": None})
    panel.set_result(result)
    assert "no attention" in panel.message()
    with pytest.raises(ValueError):
        panel.export_attention_csv("/nonexistent/never.csv")


def test_keeps_layer_and_head_across_results(panel):
    panel.set_result(canned_result())
    panel.set_selection(3, 5)
    panel.set_result(canned_result(seed=1))
    assert (panel.layer, panel.head) == (3, 5)
    panel.set_result(canned_result(layers=2, heads=2))  # a smaller model: clamp
    assert (panel.layer, panel.head) == (1, 1)


def test_render_png_for_review(panel, qtbot):
    """Not an assertion of looks: writes /tmp/attention_panel.png so a person can look at it."""
    panel.set_result(canned_result())
    panel.set_selection(1, 2)
    panel.set_selected_token(3)
    qtbot.wait(50)
    assert panel.grab().save("/tmp/attention_panel.png")


@pytest.mark.parametrize("tokens", [["[CLS]"], ["[CLS]", "[SEP]"], ["[CLS]", "hi", "[SEP]"]])
def test_tiny_inputs(panel, tokens, tmp_path):
    panel.set_result(canned_result(tokens=tokens, layers=1, heads=1, masked=()))
    panel.set_selected_token(0)
    assert shown(panel).shape == (len(tokens), len(tokens))
    panel.heatmap_widget.grab()
    panel.export_png(tmp_path / "tiny.png")


# ---- measures: value-weighted attention and rollout; knocked-out heads --------------------------------------


def with_internals(result, seed=0, knocked_out=()):
    """The canned result with value norms (as run_inference gives with want_internals) and knocked-out heads."""
    rng = np.random.default_rng(seed)
    norms = rng.uniform(0.2, 3.0, result.attention.shape[:-1]).astype(np.float32)  # (L, H, T)
    return InferenceResult(**{**result.__dict__, "value_norms": norms, "knocked_out": frozenset(knocked_out)})


def title(panel):
    return panel.heatmap_plot.titleLabel.text


def test_measure_switch_shows_attention_flow_output(panel, qtbot):
    from bertviz_app.analysis.numeric.attention_flow import rollout, value_weighted
    from bertviz_app.analysis.numeric.measures import thumbnail_tile
    from bertviz_app.ui.attention_panel import MEASURES

    result = with_internals(canned_result())
    panel.set_result(result)
    panel.set_selection(2, 3)
    value = value_weighted(result.attention, result.value_norms)  # (L, H, T, T)
    panel.measure_combo.setCurrentIndex(MEASURES.index("value"))  # through the selector, as a user would
    assert panel.measure == panel.shown_measure == "value"
    np.testing.assert_array_equal(shown(panel), value[2, 3])
    assert not np.allclose(shown(panel), result.attention[2, 3])  # the norms do change the picture
    assert "value-weighted" in panel.colorbar.getAxis("left").labelText
    assert title(panel).startswith("Value-weighted · Layer 3 · head 4")
    assert "value-weighted" in panel.hover_text(2, 3)
    panel.set_mean_over_heads(True)
    np.testing.assert_allclose(shown(panel), value[2].mean(axis=0), rtol=1e-5)
    qtbot.waitUntil(lambda: not panel.busy)
    step = panel.grid.mosaic.tile + 1
    t = len(SENTENCE)
    tile = panel.grid.mosaic.image[3 * step : 3 * step + t, 5 * step : 5 * step + t]  # layer 4, head 6
    np.testing.assert_allclose(tile, thumbnail_tile(value[3, 5]), rtol=1e-6)

    panel.set_measure("rollout")
    expected = rollout(result.attention)  # (L, T, T)
    for layer in range(4):
        panel.set_selection(layer, -1)
        np.testing.assert_array_equal(shown(panel), expected[layer])
    assert title(panel) == "Rollout through layer 4 of 4"
    assert "rollout through layer 4" in panel.hover_text(5, 1)
    assert panel.heatmap_plot.getAxis("bottom").labelText.startswith("input token")
    assert "share of input token" in panel.colorbar.getAxis("left").labelText

    panel.set_measure("attention")
    np.testing.assert_allclose(shown(panel), result.attention[3].mean(axis=0), rtol=1e-6)
    assert panel.colorbar.getAxis("left").labelText == "attention weight"


def test_rollout_has_one_matrix_per_layer_and_disables_heads(panel, qtbot):
    from PySide6.QtCore import Qt

    from bertviz_app.analysis.numeric.attention_flow import rollout
    from bertviz_app.analysis.numeric.measures import thumbnail_tile

    result = with_internals(canned_result())
    t = len(SENTENCE)
    panel.set_result(result)
    panel.set_selection(1, 4)
    panel.set_measure("rollout")
    assert panel.measure_combo.currentText() == "Rollout (Abnar & Zuidema)"
    assert not panel.head_spin.isEnabled() and not panel.mean_check.isEnabled()
    for widget in (panel.head_spin, panel.mean_check):
        assert "one matrix per layer" in widget.toolTip()
    qtbot.waitUntil(lambda: not panel.busy)
    # The model view has one tile per layer, wrapped into 2 × 2 (rows of layers 1-2 and 3-4).
    assert panel.grid.mosaic.image.shape == (2 * (t + 1) - 1, 2 * (t + 1) - 1)
    np.testing.assert_allclose(panel.grid.mosaic.image[t + 1 :, :t], thumbnail_tile(rollout(result.attention)[2]))
    assert panel.grid.tile_labels() == ["L1", "L2", "L3", "L4"]
    for layer in range(4):
        assert panel.grid_cell_at(panel.grid_cell_center(layer, -1)) == (layer, -1)
    with qtbot.waitSignal(panel.selection_changed) as sig:
        qtbot.mouseClick(panel.grid, Qt.MouseButton.LeftButton, pos=panel.grid_cell_center(3, -1).toPoint())
    assert sig.args == [3, 4]  # the layer changes; the head is kept for the other measures
    np.testing.assert_array_equal(shown(panel), rollout(result.attention)[3])
    qtbot.mouseClick(panel.grid, Qt.MouseButton.RightButton, pos=panel.grid_cell_center(3, -1).toPoint())
    assert panel._context_menu is None  # no heads here: no menu
    panel.set_measure("attention")
    assert panel.head_spin.isEnabled() and panel.mean_check.isEnabled()
    assert panel.head_spin.toolTip() == "Which attention head of that layer"
    np.testing.assert_array_equal(shown(panel), result.attention[3, 4])
    assert panel.grid_cell_at(panel.grid_cell_center(3, 5)) == (3, 5)
    assert panel.grid.tile_labels() == [] and panel.grid.mosaic.image.shape == (4 * (t + 1) - 1, 6 * (t + 1) - 1)


def test_measure_survives_new_results(panel, qtbot):
    from bertviz_app.analysis.numeric.attention_flow import rollout, value_weighted
    from bertviz_app.ui.attention_panel import MEASURES, AttentionPanel

    panel.set_measure("value")
    panel.set_result(with_internals(canned_result()))
    panel.set_selection(1, 2)
    second = with_internals(canned_result(seed=1), seed=1)
    panel.set_result(second)
    assert panel.shown_measure == "value"
    np.testing.assert_array_equal(shown(panel), value_weighted(second.attention[1, 2], second.value_norms[1, 2]))
    # A result without value norms shows raw attention, and the measure comes back with the next one that has them.
    plain = canned_result(seed=2)
    panel.set_result(plain)
    assert (panel.measure, panel.shown_measure) == ("value", "attention")
    assert not panel.measure_combo.model().item(MEASURES.index("value")).isEnabled()
    np.testing.assert_array_equal(shown(panel), plain.attention[1, 2])
    panel.set_result(second)
    assert panel.shown_measure == "value" and panel.measure_combo.currentText().startswith("Value-weighted")
    assert panel.measure_combo.model().item(MEASURES.index("value")).isEnabled()
    with pytest.raises(ValueError):
        panel.set_measure("saliency")
    # --view-arg: chosen before the first result arrives.
    fresh = AttentionPanel()
    qtbot.addWidget(fresh)
    fresh.prepare_view("rollout:3")
    fresh.prepare_view("no such measure")  # logged and ignored
    fresh.set_result(second)
    assert (fresh.measure, fresh.layer) == ("rollout", 2)
    np.testing.assert_array_equal(shown(fresh), rollout(second.attention)[2])
    fresh.prepare_view("Value-weighted:2:mean")
    assert (fresh.measure, fresh.layer, fresh.mean_over_heads) == ("value", 1, True)
    fresh.prepare_view("attention:4:6")
    assert (fresh.layer, fresh.head, fresh.mean_over_heads) == (3, 5, False)
    fresh.prepare_view("value:9:1")  # no layer 9 in this model: logged, nothing else changes
    fresh.prepare_view("value:x")
    assert (fresh.measure, fresh.layer, fresh.head) == ("value", 3, 5)
    np.testing.assert_array_equal(shown(fresh), value_weighted(second.attention[3, 5], second.value_norms[3, 5]))
    before = AttentionPanel()
    qtbot.addWidget(before)
    before.prepare_view("value:2:mean")
    before.set_result(second)
    assert before.mean_over_heads and before.mean_check.isChecked() and not before.head_spin.isEnabled()


def test_measure_exports_name_the_measure(panel, tmp_path):
    from bertviz_app.analysis.numeric.attention_flow import rollout, value_weighted

    result = with_internals(canned_result())
    panel.set_result(result)
    panel.set_selection(2, 3)
    panel.set_measure("value")
    panel.export_attention_csv(tmp_path / "v.csv")
    panel.export_attention_npz(tmp_path / "v.npz")
    with open(tmp_path / "v.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "value-weighted attention, layer 3, head 4 (query \\ key)"
    expected = value_weighted(result.attention, result.value_norms)
    np.testing.assert_allclose(np.array([r[1:] for r in rows[1:]], dtype=float), expected[2, 3], rtol=1e-5)
    data = np.load(tmp_path / "v.npz")
    assert str(data["measure"]) == "value-weighted attention"
    np.testing.assert_allclose(data["value_weighted"], expected, rtol=1e-6)
    np.testing.assert_array_equal(data["value_norms"], result.value_norms)
    panel.set_measure("rollout")
    panel.export_attention_csv(tmp_path / "r.csv")
    panel.export_attention_npz(tmp_path / "r.npz")
    panel.export_svg(tmp_path / "r.svg")
    with open(tmp_path / "r.csv", newline="", encoding="utf-8") as f:
        assert next(csv.reader(f))[0] == "attention rollout, through layer 3 (position \\ input token)"
    data = np.load(tmp_path / "r.npz")
    assert str(data["measure"]) == "attention rollout"
    np.testing.assert_array_equal(data["rollout"], rollout(result.attention))
    np.testing.assert_array_equal(data["attention"], result.attention)
    assert "Rollout" in (tmp_path / "r.svg").read_text(encoding="utf-8")


def test_grid_context_menu_toggles_heads(panel, qtbot):
    from PySide6.QtCore import Qt

    panel.set_result(with_internals(canned_result(), knocked_out={(1, 2)}))
    menu = panel.head_menu(3, 5)
    assert menu.actions()[0].text() == "Knock out this head (layer 4, head 6)"
    with qtbot.waitSignal(panel.head_toggled) as sig:
        menu.actions()[0].trigger()
    assert sig.args == [3, 5]
    # A real right-click on a knocked-out head's tile opens the menu that switches it back on.
    qtbot.mouseClick(panel.grid, Qt.MouseButton.RightButton, pos=panel.grid_cell_center(1, 2).toPoint())
    qtbot.waitUntil(lambda: panel._context_menu is not None and panel._context_menu.isVisible())
    action = panel._context_menu.actions()[0]
    assert action.text() == "Switch this head back on (layer 2, head 3)"
    with qtbot.waitSignal(panel.head_toggled) as sig:
        action.trigger()
    assert sig.args == [1, 2]
    panel._context_menu.close()
    assert (panel.layer, panel.head) == (0, 0)  # a right-click does not change the selection


def test_knocked_out_heads_are_marked(panel, qtbot):
    from PySide6.QtGui import QColor

    from bertviz_app.ui.plot_items import KNOCKED_OUT_COLOR

    def centre_pixel(layer, head):
        image = panel.grid.grab().toImage()
        pos = panel.grid_cell_center(layer, head)
        ratio = image.devicePixelRatio()
        return image.pixelColor(int(pos.x() * ratio), int(pos.y() * ratio))

    def distance(a: QColor, b: QColor) -> int:
        return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())

    dark = QColor(KNOCKED_OUT_COLOR)
    plain = with_internals(canned_result())
    panel.set_result(plain)
    assert panel.marked_heads == frozenset()
    before = centre_pixel(1, 2)
    panel.set_result(with_internals(canned_result(), knocked_out={(1, 2), (3, 0), (9, 9)}))  # (9, 9): not here
    assert panel.marked_heads == {(1, 2), (3, 0)}
    after = centre_pixel(1, 2)
    assert distance(after, dark) < 40 < distance(before, dark)
    panel.set_selection(1, 2)
    assert title(panel) == "Layer 2 · head 3 · knocked out"
    panel.set_selection(1, 3)
    assert "knocked out" not in title(panel)
    panel.set_mean_over_heads(True)
    assert title(panel) == "Layer 2 · mean of all heads (head 3 off)"
    panel.set_measure("value")
    assert panel.marked_heads == {(1, 2), (3, 0)}
    panel.set_measure("rollout")
    assert panel.marked_heads == frozenset()  # one tile per layer: no head to mark
    panel.set_selection(3, -1)
    assert title(panel) == "Rollout through layer 4 of 4 (2 heads knocked out on the way)"
    panel.set_measure("attention")
    panel.set_result(plain)
    assert panel.marked_heads == frozenset()


def test_a_hover_repaints_only_its_ring_and_new_content_still_shows(panel, qtbot):
    """The grid's tiles are painted once per content into a pixmap; a hover paints the ring over it. A later
    change of what a tile shows (a head marked knocked out) must not be hidden behind that cached picture."""
    from PySide6.QtGui import QColor

    from bertviz_app.ui.plot_items import KNOCKED_OUT_COLOR

    grid = panel.grid
    panel.set_result(with_internals(canned_result()))
    plain = grid.grab().toImage()
    still = grid._still.cacheKey()
    qtbot.mouseMove(grid, pos=panel.grid_cell_center(1, 2).toPoint())
    qtbot.waitUntil(lambda: grid._hover == (1, 2))
    ringed = grid.grab().toImage()
    assert ringed != plain  # the ring is there
    assert grid._still.cacheKey() == still  # and the tiles under it were not painted again
    grid.set_knocked_out({(1, 2)})
    image = grid.grab().toImage()
    pos, ratio = panel.grid_cell_center(1, 2), image.devicePixelRatio()
    centre = image.pixelColor(int(pos.x() * ratio), int(pos.y() * ratio))
    dark = QColor(KNOCKED_OUT_COLOR)
    assert abs(centre.red() - dark.red()) + abs(centre.green() - dark.green()) + abs(centre.blue() - dark.blue()) < 40


def test_512_tokens_measures_stay_responsive(panel, qtbot):
    """12 layers × 12 heads at 512 tokens: no single stretch of GUI-thread work near the budget."""
    from bertviz_app.analysis.numeric.attention_flow import rollout

    tokens = ["[CLS]"] + [f"w{i}" for i in range(510)] + ["[SEP]"]
    rng = np.random.default_rng(2)
    att = rng.random((12, 12, 512, 512), dtype=np.float32)
    att /= att.sum(-1, keepdims=True)
    result = canned_result(tokens=tokens, layers=1, heads=1, masked=(7,))
    result = with_internals(InferenceResult(**{**result.__dict__, "attention": att}))
    longest = 0.0

    def timed(action):
        # CPU time of this thread, not wall time: the test machine may be busy, and being descheduled is not
        # work the panel does.
        nonlocal longest
        start = time.thread_time()
        action()
        longest = max(longest, time.thread_time() - start)

    timed(lambda: panel.set_result(result))
    for measure, layer in (("value", 5), ("rollout", 11), ("attention", 0), ("rollout", 3)):
        panel.set_selection(layer, 2)
        timed(lambda m=measure: panel.set_measure(m))
        if (measure, layer) == ("rollout", 11):  # 12 products of 512 × 512 matrices do not fit in one slice
            assert panel.busy and "computing…" in title(panel)
            assert (
                panel.cell_at(panel.heatmap_plot.vb.mapViewToScene(panel.heatmap_plot.vb.viewRect().center())) is None
            )
        while panel.busy:  # drive the pump here, timing each slice, instead of waiting on the event loop
            timed(panel._run_work)
    # No slice comes near the work it splits. The budget is 50 ms on a quiet machine (slices take ~30 ms; the
    # unsliced rollout of the 12 layers alone ~75 ms); on a loaded one, where every stretch of work takes longer,
    # the same-run ratio to that unsliced rollout, timed here in the same way, decides.
    start = time.thread_time()
    rollout(att)
    unsliced = time.thread_time() - start
    assert longest < 0.05 or longest < 0.6 * unsliced, (longest, unsliced)
    np.testing.assert_array_equal(shown(panel), rollout(att[:4])[3])  # layers above do not change layer 4's
