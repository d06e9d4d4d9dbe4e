"""The predictions panel's "Fill together" section, driven through the real controller and the tiny model."""

from __future__ import annotations

import threading

import pytest

from bertviz_app.analysis.inference import InferenceInput
from bertviz_app.analysis.joint_fill import beam_search, iterative_fill
from bertviz_app.ui.fill_together import fill_text, format_probability
from bertviz_app.ui.predictions_panel import PredictionsPanel

TWO = "the [MASK] sat on the [MASK] ."


@pytest.fixture
def panel(qtbot, controller):
    p = PredictionsPanel(k=5, controller=controller)
    qtbot.addWidget(p)
    p.resize(380, 900)
    p.show()
    controller.result_ready.connect(p.set_result)  # as the main window does
    return p


def show(qtbot, controller, text: str) -> None:
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text(text, immediate=True)


def test_two_masks_are_filled_together_automatically(qtbot, controller, panel, tiny_model):
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000, check_params_cb=lambda k, _p: k == "joint_fill"):
        show(qtbot, controller, TWO)
    expected = iterative_fill(tiny_model, InferenceInput(TWO))
    section = panel.joint
    assert section.isVisibleTo(panel) and section.body.isVisibleTo(panel)
    independent, one_by_one = section.table.data
    assert independent["tokens"] == expected.independent.tokens
    assert independent["score"] == pytest.approx(expected.independent.chain.score, abs=1e-5)
    assert one_by_one["tokens"] == expected.iterative.tokens
    assert one_by_one["score"] == pytest.approx(expected.iterative.score, abs=1e-5)
    assert one_by_one["differs"] == expected.differs and not independent["differs"]
    # The independent row is the top bar of each mask above it (whenever that is an ordinary word).
    tops = tuple(m.predictions[0].token for m in controller.current_result.predictions)
    assert all(t == w for t, w in zip(tops, expected.independent.tokens) if not t.startswith("["))
    summary = section.summary.text()
    assert fill_text(expected.iterative.tokens) in summary
    assert format_probability(expected.independent.probability) in summary  # the product of the two alone
    assert section.note.text().startswith("Above, each mask is guessed alone")


def test_one_mask_and_no_mask_say_so_and_start_nothing(qtbot, controller, panel):
    show(qtbot, controller, "the cat sat on the [MASK] .")
    assert "same as the independent guess" in panel.joint.note.text()
    assert not panel.joint.body.isVisibleTo(panel) and panel.joint.isVisibleTo(panel)
    assert not controller.analysis_running("joint_fill") and panel.joint.table.data == []
    show(qtbot, controller, "the cat sat on the mat .")
    assert "Mask two or more tokens" in panel.joint.note.text()
    assert panel.bars() == [] and panel.message.isVisibleTo(panel)  # the panel's own message, as before


def test_beam_search_runs_on_the_button_with_progress(qtbot, controller, panel, tiny_model):
    text = "the [MASK] [MASK] on the [MASK] ."
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000, check_params_cb=lambda k, _p: k == "joint_fill"):
        show(qtbot, controller, text)
    panel.joint.beam_width.setValue(3)
    panel.joint.beam_order.setCurrentIndex(panel.joint.beam_order.findData("left_to_right"))
    progress = []
    controller.analysis_progress.connect(lambda kind, done, total: progress.append((kind, done, total)))
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000, check_params_cb=lambda k, _p: k == "beam_search"):
        panel.joint.beam_button.click()
        assert panel.joint.running.isVisibleTo(panel) and not panel.joint.beam_button.isEnabled()
    assert progress == [("beam_search", 1, 3), ("beam_search", 2, 3), ("beam_search", 3, 3)]
    assert panel.joint.progress.value() == panel.joint.progress.maximum() == 3
    expected = beam_search(tiny_model, InferenceInput(text), beam=3, expand=3, order="left_to_right")
    rows = panel.joint.beam_table.data
    assert [r["label"] for r in rows] == ["Independent", "#1", "#2", "#3"]
    assert [r["tokens"] for r in rows[1:]] == [c.tokens for c in expected.candidates]
    assert [r["score"] for r in rows[1:]] == pytest.approx([c.score for c in expected.candidates], abs=1e-5)
    assert rows[0]["score"] == pytest.approx(expected.independent.chain.score, abs=1e-5)
    assert not panel.joint.running.isVisibleTo(panel) and panel.joint.beam_button.isEnabled()
    assert "left to right" in panel.joint.beam_status.text()
    # A new input clears the old beam and fills the new masks together again.
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000, check_params_cb=lambda k, _p: k == "joint_fill"):
        show(qtbot, controller, TWO)
    assert panel.joint.beam_table.data == [] and panel.joint.beam is None


def test_cancel_stops_the_beam_search(qtbot, controller, panel):
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000, check_params_cb=lambda k, _p: k == "joint_fill"):
        show(qtbot, controller, TWO)
    gate = threading.Event()
    controller.run_on_worker(lambda: gate.wait(10))  # hold the worker so the search cannot finish first
    panel.joint.beam_button.click()
    with qtbot.waitSignal(controller.analysis_cancelled, timeout=5_000):
        panel.joint.cancel_button.click()
    gate.set()
    assert controller.wait_until_idle()
    assert panel.joint.beam_status.text() == "Beam search cancelled."
    assert panel.joint.beam_button.isEnabled() and not panel.joint.running.isVisibleTo(panel)
    assert panel.joint.beam_table.data == [] and not controller.analysis_running("beam_search")


def test_an_answer_about_another_input_is_ignored(qtbot, controller, panel, tiny_model):
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000, check_params_cb=lambda k, _p: k == "joint_fill"):
        show(qtbot, controller, TWO)
    shown = list(panel.joint.table.data)
    other = iterative_fill(tiny_model, InferenceInput("the [MASK] ran to the [MASK] ."))
    controller.analysis_ready.emit("joint_fill", other)
    assert panel.joint.table.data == shown and panel.joint.joint is not other


def test_knocked_out_heads_reach_the_joint_fill(qtbot, controller, panel, tiny_model):
    heads = {(0, 0), (1, 2)}
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000, check_params_cb=lambda k, _p: k == "joint_fill"):
        show(qtbot, controller, TWO)
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000, check_params_cb=lambda k, _p: k == "joint_fill"):
        controller.set_knocked_out(heads)
    expected = iterative_fill(tiny_model, InferenceInput(TWO, knocked_out=frozenset(heads)))
    assert panel.joint.joint.knocked_out == frozenset(heads)
    assert panel.joint.table.data[1]["score"] == pytest.approx(expected.iterative.score, abs=1e-5)


def test_without_a_controller_the_panel_is_as_before(qtbot, tiny_model):
    from bertviz_app.analysis.inference import run_inference

    panel = PredictionsPanel(k=4)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_result(run_inference(tiny_model, InferenceInput(TWO)))
    assert len(panel.bars()) == 2 and all(len(b.rows()) == 4 for b in panel.bars())
    assert not panel.joint.isVisibleTo(panel) and not panel._joint_pane.isVisibleTo(panel)
