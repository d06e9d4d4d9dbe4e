"""The compare panel, through the real controller and the tiny model: when it runs, what it shows, its messages."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import show_widget
from PySide6.QtCore import QPointF

from bertviz_app.analysis.numeric.attention_flow import attention_difference
from bertviz_app.controller import Controller
from bertviz_app.ui.compare_panel import NO_B_MESSAGE, ComparePanel, suggest_swap

HE = "the dog sat on the mat and he was happy"
SHE = "the dog sat on the mat and she was happy"


def failing_compare(lm, inp, other_text, other_pair=None, result_a=None):
    raise RuntimeError("no comparing today")


@pytest.fixture(scope="module")
def shared_controller(qapp, tiny_model_dir):
    c = Controller(debounce_ms=10)
    c.load_model(str(tiny_model_dir))
    assert c.wait_until_idle() and c.model_summary is not None
    yield c
    c.shutdown()


@pytest.fixture
def controller(shared_controller):
    """One model load for the module; each test starts from an empty sentence."""
    shared_controller.set_text("", immediate=True)
    assert shared_controller.wait_until_idle()
    return shared_controller


@pytest.fixture
def starts(controller, monkeypatch):
    """Every compare run the panel starts, as the sentence B it asked for."""
    seen = []
    original = controller.start

    def spy(kind, **params):
        seen.append(params.get("other_text"))
        return original(kind, **params)

    monkeypatch.setattr(controller, "start", spy)
    return seen


@pytest.fixture
def panel(qtbot, controller):
    p = ComparePanel(controller)
    controller.result_ready.connect(p.set_result)
    return show_widget(qtbot, p, 1200, 700)


def set_a(qtbot, controller, text):
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text(text, immediate=True)


def type_b(qtbot, controller, panel, text):
    panel.text_b.clear()
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000):
        qtbot.keyClicks(panel.text_b, text)
    assert controller.wait_until_idle()


def test_without_sentence_b_it_asks_for_one(qtbot, controller, panel, starts):
    set_a(qtbot, controller, HE)
    assert controller.wait_until_idle()
    assert panel.message() == NO_B_MESSAGE
    assert starts == [] and panel.text_a.text() == HE and panel.text_a.isReadOnly()
    assert "she" in panel.text_b.placeholderText()  # the suggested he/she swap


def test_typing_b_runs_one_comparison_and_shows_the_three_heatmaps(qtbot, controller, panel, starts):
    set_a(qtbot, controller, HE)
    type_b(qtbot, controller, panel, SHE)
    assert starts == [SHE]  # every keystroke restarted the debounce: one run for the whole sentence
    assert panel.message() is None
    c = panel.comparison
    assert c.tokens_b == tuple(["[CLS]", *SHE.split(), "[SEP]"])
    assert panel.mean_over_heads  # the default: the mean of the layer's heads
    a = c.result_a.attention[0].mean(axis=0)
    b = c.result_b.attention[0].mean(axis=0)
    np.testing.assert_allclose(panel.image_a.image, a)
    np.testing.assert_allclose(panel.image_b.image, b)
    np.testing.assert_allclose(panel.image_diff.image, attention_difference(a, b, c.alignment))
    lo, hi = panel.diff_colorbar.levels()
    assert hi == -lo == pytest.approx(max(np.abs(panel.image_diff.image).max(), 1e-3))  # centred on 0
    np.testing.assert_allclose(panel.shift_image.image, c.embedding_shift)
    assert "only in A:</b> he" in panel.tokens_label.text() and "only in B:</b> she" in panel.tokens_label.text()
    assert panel.shift_summary.startswith("most after layer 1:")


def test_layer_head_and_renormalising_rerender_from_the_cached_comparison(qtbot, controller, panel, starts):
    set_a(qtbot, controller, HE)
    type_b(qtbot, controller, panel, SHE)
    c = panel.comparison
    panel.mean_check.setChecked(False)
    panel.layer_spin.setValue(2)
    panel.head_spin.setValue(3)
    assert (panel.layer, panel.head, panel.mean_over_heads) == (1, 2, False)
    a, b = c.result_a.attention[1, 2], c.result_b.attention[1, 2]
    np.testing.assert_allclose(panel.image_a.image, a)
    np.testing.assert_allclose(panel.image_diff.image, attention_difference(a, b, c.alignment))
    panel.renormalize_check.setChecked(True)
    np.testing.assert_allclose(panel.image_diff.image, attention_difference(a, b, c.alignment, renormalize=True))
    assert "re-normalised" in panel.diff_colorbar.getAxis("left").labelText
    assert panel.shift_summary.startswith("most after layer 2:")
    row, col = 1, 2
    panel._on_attention_hover(panel.plot_diff.vb.mapViewToScene(QPointF(col, row)))
    text = panel.readout_label.text()
    assert text == panel.hover_text("diff", row, col)
    tokens = c.shared_tokens
    assert text.startswith(f"“{tokens[row]}” → “{tokens[col]}”")
    assert f"{float(panel.image_diff.image[row, col]):+.3f}" in text
    assert controller.wait_until_idle() and starts == [SHE]  # nothing ran again


def test_a_new_input_compares_again(qtbot, controller, panel, starts):
    set_a(qtbot, controller, HE)
    type_b(qtbot, controller, panel, SHE)
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000):
        controller.set_text("the cat sat on the mat and he was happy", immediate=True)
    assert panel.comparison.tokens_a[2] == "cat" and starts == [SHE, SHE]
    assert panel.comparison.only_a == (2, 8)  # cat and he


def test_a_hidden_panel_waits_until_it_is_shown(qtbot, controller, panel, starts):
    panel.hide()
    panel.prepare_view(SHE)
    set_a(qtbot, controller, HE)
    assert controller.wait_until_idle()
    assert starts == [] and panel.stale
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000):
        panel.show()
    assert starts == [SHE] and not panel.stale and panel.message() is None


def test_prepare_view_before_any_result_compares_with_the_first(qtbot, controller, panel, starts):
    panel.prepare_view(SHE)
    assert starts == []  # no result to compare with yet
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000):
        controller.set_text(HE, immediate=True)
    assert starts == [SHE] and panel.text_b.text() == SHE


def test_emptying_b_and_worker_errors_are_messages(qtbot, controller, panel, monkeypatch):
    set_a(qtbot, controller, HE)
    type_b(qtbot, controller, panel, SHE)
    panel.text_b.setText("   ")
    qtbot.waitUntil(lambda: panel.message() == NO_B_MESSAGE, timeout=5_000)
    assert panel.comparison is None and not panel.export_button.isEnabled()

    from bertviz_app.analysis.tasks import TASKS, Task

    monkeypatch.setitem(TASKS, "compare", Task("compare", failing_compare))
    with qtbot.waitSignal(controller.analysis_failed, timeout=10_000):
        panel.text_b.setText(SHE)
    assert "Could not compare" in panel.message() and "no comparing today" in panel.message()


def test_export_png(qtbot, controller, panel, tmp_path):
    set_a(qtbot, controller, HE)
    type_b(qtbot, controller, panel, SHE)
    for which in ("attention", "shift"):
        path = tmp_path / f"{which}.png"
        panel.export_png(path, which, width=800)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_swap_suggestions():
    assert suggest_swap("The doctor said he was tired") == "The doctor said she was tired"
    assert suggest_swap("He put on his coat.") == "She put on her coat."
    assert suggest_swap("She thanked him, then her.") == "He thanked her, then her."
    assert suggest_swap("I sat on the bank") is None


def test_the_main_window_has_the_view_and_passes_it_the_view_arg(qtbot, tiny_model_dir, tmp_path):
    from PySide6.QtCore import QSettings

    from bertviz_app.app import build_window
    from bertviz_app.ui.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    win, controller = build_window(str(tiny_model_dir), HE, settings=settings)
    qtbot.addWidget(win)
    try:
        win.show_view("compare", SHE)
        win.show()
        assert controller.wait_until_idle()  # the first result, then the comparison it started
        assert isinstance(win.views["compare"], ComparePanel) and win.tabs.currentWidget() is win.compare
        assert win.compare.message() is None and win.compare.comparison.only_b == (8,)
    finally:
        controller.shutdown()
