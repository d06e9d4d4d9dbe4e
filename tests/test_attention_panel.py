"""The attention panel renders from a canned InferenceResult: no model, no torch work in the GUI."""

import csv
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from conftest import make_result

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
    qtbot.addWidget(p)
    p.resize(1200, 650)
    p.show()
    qtbot.waitExposed(p)
    return p


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
    scene_pos = panel.grid_cell_center(3, 5)
    assert panel.grid_cell_at(scene_pos) == (3, 5)
    with qtbot.waitSignal(panel.selection_changed) as sig:
        assert panel.handle_grid_click(scene_pos)
    assert sig.args == [3, 5]
    assert not panel.mean_over_heads
    np.testing.assert_array_equal(shown(panel), result.attention[3, 5])
    # A real mouse click on the grid widget does the same.
    view_pos = panel.grid_widget.mapFromScene(panel.grid_cell_center(1, 2))
    with qtbot.waitSignal(panel.selection_changed) as sig:
        qtbot.mouseClick(panel.grid_widget.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(view_pos))
    assert sig.args == [1, 2]
    np.testing.assert_array_equal(shown(panel), result.attention[1, 2])
    # Outside every tile: nothing happens.
    assert panel.grid_cell_at(panel.grid_plot.vb.mapViewToScene(panel.grid_plot.vb.viewRect().center() * 50)) is None


def test_model_view_mosaic_layout():
    from bertviz_app.ui.attention_panel import TILE_GAP, block_mean, model_view_mosaic

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
    assert rows[0] == ["query \\ key", *SENTENCE]
    assert [r[0] for r in rows[1:]] == SENTENCE
    np.testing.assert_allclose(np.array([r[1:] for r in rows[1:]], dtype=float), result.attention[2, 3], rtol=1e-5)
    data = np.load(npz)
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
