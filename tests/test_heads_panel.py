"""The heads panel through the real controller on the tiny model: knock-outs, importance runs, cancel, staleness."""

import threading

import numpy as np
import pytest
from conftest import show_widget
from PySide6.QtCore import QPoint, QPointF, Qt

from bertviz_app.controller import Controller
from bertviz_app.ui.heads_panel import HeadsPanel, parse_view_arg
from bertviz_app.ui.layer_head_grid import diverging_color, format_drop

TWO_MASKS = "the cat sat on the [MASK] in the [MASK] ."


@pytest.fixture
def setup(qtbot, tiny_model_dir):
    controller = Controller(debounce_ms=20)
    panel = HeadsPanel(controller)
    controller.result_ready.connect(panel.set_result)  # as the main window does
    show_widget(qtbot, panel, 900, 600)
    with qtbot.waitSignal(controller.model_loaded, timeout=30_000):
        controller.load_model(str(tiny_model_dir))
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text(TWO_MASKS, immediate=True)
    yield controller, panel
    controller.shutdown()


def click_cell(qtbot, panel, layer, head):
    centre = panel.grid.cell_rect(layer, head).center().toPoint()
    qtbot.mouseClick(panel.grid, Qt.MouseButton.LeftButton, pos=QPoint(centre))


def compute(qtbot, controller, panel):
    with qtbot.waitSignal(controller.analysis_ready, timeout=20_000) as blocker:
        qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == "head_importance"
    return blocker.args[1]


def test_clicking_a_cell_knocks_the_head_out_and_predictions_change(qtbot, setup):
    controller, panel = setup
    assert panel.grid.shape() == (2, 4)
    before = controller.current_result
    assert before.knocked_out == frozenset() and not panel.clear_button.isEnabled()
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        click_cell(qtbot, panel, 1, 2)
    after = blocker.args[0]
    assert after.knocked_out == frozenset({(1, 2)}) == controller.current_input.knocked_out
    assert panel.grid.knocked_out() == frozenset({(1, 2)})
    assert panel.grid.cell_color(1, 2) != panel.grid.cell_color(0, 0)  # greyed
    old = [p.probability for p in before.predictions[0].predictions]
    new = [p.probability for p in after.predictions[0].predictions]
    assert not np.allclose(old, new)  # the prediction re-ran without that head
    assert not np.allclose(before.hidden_states[-1], after.hidden_states[-1])
    assert "switched off" in panel.hover_text(1, 2)

    with qtbot.waitSignal(controller.result_ready, timeout=10_000):  # the same cell again: back on
        click_cell(qtbot, panel, 1, 2)
    assert controller.current_result.knocked_out == frozenset()
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        click_cell(qtbot, panel, 0, 1)
    assert panel.clear_button.isEnabled()
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert controller.current_result.knocked_out == frozenset() and panel.grid.knocked_out() == frozenset()
    np.testing.assert_allclose(
        [p.probability for p in controller.current_result.predictions[0].predictions], old, rtol=1e-5
    )


def test_the_keyboard_moves_over_the_heads_and_space_switches_one_off(qtbot, setup):
    controller, panel = setup
    panel.grid.setFocus()
    qtbot.waitUntil(panel.grid.hasFocus)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Down):  # stops at the last layer
        qtbot.keyClick(panel.grid, key)
    assert panel.readout_label.text().startswith("layer 2, head 3")  # the focused head is described
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        qtbot.keyClick(panel.grid, Qt.Key.Key_Space)
    assert blocker.args[0].knocked_out == frozenset({(1, 2)}) == panel.grid.knocked_out()
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        qtbot.keyClick(panel.grid, Qt.Key.Key_Return)  # Enter too; the same head: back on
    assert blocker.args[0].knocked_out == frozenset()


def test_importance_run_colours_the_grid_with_the_payload(qtbot, setup):
    controller, panel = setup
    assert panel.shown_values() is None and panel.compute_button.isEnabled()
    progress = []
    controller.analysis_progress.connect(lambda kind, done, total: progress.append((done, total)))
    payload = compute(qtbot, controller, panel)
    assert progress[-1] == (8, 8)
    assert payload.drops.shape == (2, 2, 4) and payload.input == controller.current_input
    np.testing.assert_array_equal(panel.shown_values(), payload.drops[0])
    assert not panel.stale and not panel.progress.isVisible() and panel.compute_button.isEnabled()
    assert panel.mask_combo.isVisible() and panel.mask_combo.count() == 2
    panel.mask_combo.setCurrentIndex(1)
    np.testing.assert_array_equal(panel.shown_values(), payload.drops[1])
    word = payload.target_tokens[1]
    assert word in panel.title_label.text()

    layer, head = np.unravel_index(np.argmax(payload.drops[1]), payload.drops[1].shape)
    color = panel.grid.cell_color(layer, head)
    assert color.red() > color.blue()  # the most helpful head is on the red side
    drop = payload.drops[1, layer, head]
    expected = f"layer {layer + 1}, head {head + 1}: removing it drops log p({word}) by {drop:.2f}"
    assert panel.hover_text(layer, head).startswith(expected)


def test_cancel_stops_the_run(qtbot, setup):
    controller, panel = setup
    release = threading.Event()
    controller.run_on_worker(lambda: release.wait(10))  # hold the worker so the run cannot finish first
    panel.compute_importance()
    assert panel.running and panel.progress.isVisible() and panel.cancel_button.isVisible()
    assert not panel.compute_button.isEnabled()
    with qtbot.waitSignal(controller.analysis_cancelled, timeout=5_000):
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    release.set()
    assert controller.wait_until_idle()
    assert not panel.running and not panel.progress.isVisible() and panel.compute_button.isEnabled()
    assert panel.importance is None and panel.shown_values() is None
    assert panel.status_label.text() == "Stopped."


def test_a_change_of_input_cancels_the_run_and_marks_the_map_stale(qtbot, setup):
    controller, panel = setup
    first = compute(qtbot, controller, panel)
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        click_cell(qtbot, panel, 0, 0)
    assert panel.stale and panel.grid.stale and "Out of date" in panel.legend_label.text()
    assert panel.compute_button.text() == "Compute again"

    release = threading.Event()
    controller.run_on_worker(lambda: release.wait(10))
    panel.compute_importance()
    with qtbot.waitSignal(controller.analysis_cancelled, timeout=5_000):
        controller.set_text("the dog sat on the [MASK] .", immediate=True)
    release.set()
    assert controller.wait_until_idle()
    assert panel.importance is first and panel.stale and "input changed" in panel.status_label.text()

    second = compute(qtbot, controller, panel)  # fresh again, for the new input
    assert not panel.stale and second.num_masks == 1 and not panel.mask_combo.isVisible()


def test_knocked_out_heads_show_zero_importance(qtbot, setup):
    controller, panel = setup
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        click_cell(qtbot, panel, 0, 3)
    payload = compute(qtbot, controller, panel)
    assert payload.knocked_out == frozenset({(0, 3)})
    assert (panel.shown_values()[0, 3] == 0).all()
    assert panel.status_label.text().startswith("7 heads in")


def test_view_arg_knocks_heads_out_then_computes(qtbot, setup):
    controller, panel = setup
    with qtbot.waitSignal(controller.analysis_ready, timeout=20_000) as blocker:
        panel.prepare_view("2.3, 1.1 ,importance, 9.9")  # 9.9 is outside the tiny model: ignored
    payload = blocker.args[1]
    assert controller.current_input.knocked_out == frozenset({(1, 2), (0, 0)}) == payload.knocked_out
    np.testing.assert_array_equal(panel.shown_values(), payload.drops[0])


def test_no_mask_disables_importance_with_an_explanation(qtbot, setup):
    controller, panel = setup
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the cat sat on the mat .", immediate=True)
    assert not panel.compute_button.isEnabled() and "Mask a word" in panel.legend_label.text()
    with qtbot.assertNotEmitted(controller.analysis_ready, wait=50):
        panel.compute_importance()


def test_helpers():
    assert parse_view_arg("importance") == (True, frozenset(), [])
    assert parse_view_arg("3.7,5.1") == (False, frozenset({(2, 6), (4, 0)}), [])
    assert parse_view_arg("0.1, x, 3") == (False, frozenset(), ["0.1", "x", "3"])
    assert format_drop(-0.004) == "0.00" and format_drop(-1.234) == "−1.23"
    assert diverging_color(0.0, 1.0).name() == "#f7f7f7"
    assert diverging_color(5.0, 1.0).name() == "#b2182b" and diverging_color(-1.0, 1.0).name() == "#2166ac"


def test_export_saves_the_map_and_its_numbers(qtbot, setup, tmp_path):
    import csv

    from PySide6.QtGui import QImage

    controller, panel = setup
    assert not panel.export_button.isEnabled()  # nothing to save yet
    with pytest.raises(ValueError, match="compute it first"):
        panel.export_csv(tmp_path / "none.csv")
    payload = compute(qtbot, controller, panel)
    assert panel.export_button.isEnabled()

    panel.export_csv(tmp_path / "heads.csv")
    with open(tmp_path / "heads.csv", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    words = payload.target_tokens
    assert header[:3] == ["layer", "head", "switched off"] and len(header) == 3 + 2 * payload.num_masks
    assert header[3] == f"log p drop: {words[0]} at #{payload.masked_positions[0]}"
    assert len(rows) == 2 * 4 and rows[0][:2] == ["1", "1"] and rows[-1][:2] == ["2", "4"]
    drops = np.array([[float(row[3 + 2 * i]) for row in rows] for i in range(payload.num_masks)])
    np.testing.assert_allclose(drops, payload.drops.reshape(payload.num_masks, -1), rtol=1e-5, atol=1e-7)
    kept = np.array([float(row[4]) for row in rows])  # p without the head = p * exp(-drop)
    np.testing.assert_allclose(kept, np.exp(payload.baseline_log_probs[0] - payload.drops[0].ravel()), rtol=1e-4)

    panel.export_png(tmp_path / "heads.png", width=1000)
    image = QImage(str(tmp_path / "heads.png"))
    assert image.width() == 1000 and image.height() > 300
    layer, head = np.unravel_index(np.argmax(payload.drops[0]), payload.drops[0].shape)
    cell = panel.grid.cell_rect(int(layer), int(head)).topLeft() + QPointF(6, 6)  # beside the number
    scale = 1000 / panel.grid.width()
    color = image.pixelColor(int(cell.x() * scale), int((cell.y() + panel._title_height()) * scale))
    assert color == panel.grid.cell_color(int(layer), int(head))  # the cell's own colour, where it is on screen

    panel.export_svg(tmp_path / "heads.svg")
    svg = (tmp_path / "heads.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and words[0] in svg


def test_the_export_menu_asks_where_and_a_failed_write_is_a_warning(qtbot, setup, tmp_path, monkeypatch):
    from PySide6 import QtWidgets

    controller, panel = setup
    compute(qtbot, controller, panel)
    answers, warnings = [], []
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a: (answers.pop(0), ""))
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning", lambda _parent, title, text: warnings.append(text))
    labels = [action.text() for action in panel.export_button.menu().actions()]
    assert labels == ["Importance as CSV…", "Map as PNG…", "Map as SVG…"]
    answers += [str(tmp_path / "saved.csv"), "", str(tmp_path / "no such folder" / "map.png")]
    panel.export_button.menu().actions()[0].trigger()
    assert (tmp_path / "saved.csv").read_text(encoding="utf-8").startswith("layer,head,")
    panel.export_button.menu().actions()[1].trigger()  # the dialog cancelled: nothing written, nothing said
    panel.export_button.menu().actions()[1].trigger()
    assert len(warnings) == 1 and "no such folder" in warnings[0]
