"""The scoring panel through the real controller and the tiny model: results trigger scoring, pairs compare."""

import numpy as np
import pytest
from conftest import show_widget

from bertviz_app.controller import Controller

SENTENCE = "the keys to the cabinet are on the table ."
OTHER = "the keys to the cabinet is on the table ."


@pytest.fixture
def panel(qtbot, controller):
    from bertviz_app.ui.scoring_panel import ScoringPanel

    p = ScoringPanel(controller)
    controller.result_ready.connect(p.set_result)
    return show_widget(qtbot, p, 1000, 600)


def started(controller):
    """Records the analyses the controller is asked to start."""
    calls = []
    original = controller.start

    def spy(kind, **params):
        calls.append((kind, params))
        return original(kind, **params)

    controller.start = spy
    return calls


def score_of(tiny_model, text, variant="word_l2r", knocked_out=frozenset()):
    from bertviz_app.analysis.scoring import pseudo_log_likelihood

    return pseudo_log_likelihood(tiny_model, text, variant=variant, knocked_out=knocked_out)


def type_and_wait(qtbot, controller, text):
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000, check_params_cb=lambda k, _p: k == "score"):
        controller.set_text(text, immediate=True)


def test_a_result_is_scored_and_shown_as_surprise_bars(qtbot, controller, panel, tiny_model):
    from bertviz_app.ui.scoring_panel import nats

    type_and_wait(qtbot, controller, SENTENCE)
    (score,) = panel.payload.scores
    expected = score_of(tiny_model, SENTENCE)
    assert score.total == pytest.approx(expected.total, abs=1e-6)
    assert panel.message() is None
    chart = panel.charts[0]
    assert chart.surprises() == pytest.approx((-expected.log_probs).tolist())
    header = panel.headers[0].text()
    assert nats(expected.total) in header and nats(expected.mean) in header and nats(expected.total)[0] == "−"
    assert not panel.columns[1].isVisible() and not panel.verdict_label.isVisible()
    # The tallest bar is the least expected token, and bars never overflow the chart.
    worst = int(np.argmax(chart.surprises()))
    heights = [chart.bar_rect(i).height() for i in range(len(score.tokens))]
    assert int(np.argmax(heights)) == worst and max(heights) <= chart.height()
    assert chart.bar_at(chart.bar_rect(worst).center()) == worst
    assert f"'{score.tokens[worst]}'" in chart.describe(worst)


def test_pair_mode_shows_both_scores_and_the_difference(qtbot, controller, panel, tiny_model):
    from bertviz_app.ui.scoring_panel import times_more_likely

    type_and_wait(qtbot, controller, SENTENCE)
    panel.set_pair_mode(True)
    assert panel.sentence_2.text() == SENTENCE  # a pair starts from the main sentence, ready for one change
    with qtbot.waitSignal(
        controller.analysis_ready, timeout=10_000, check_params_cb=lambda _k, p: p.sentences[-1] == OTHER
    ):
        panel.sentence_2.setText(OTHER)
    one, two = panel.payload.scores
    a, b = score_of(tiny_model, SENTENCE), score_of(tiny_model, OTHER)
    assert (one.total, two.total) == (pytest.approx(a.total, abs=1e-6), pytest.approx(b.total, abs=1e-6))
    assert panel.columns[1].isVisible() and panel.verdict_label.isVisible()
    better = 1 if a.total > b.total else 2
    text = panel.verdict_label.text()
    assert f"prefers sentence {better} by {abs(a.total - b.total):.2f} nats" in text
    assert f"({times_more_likely(abs(a.total - b.total))} more likely)" in text
    # Only "are" / "is" differ: those bars are highlighted, and both charts share one scale.
    assert panel.charts[0]._highlight == {5} and panel.charts[1]._highlight == {5}
    assert panel.charts[0]._top == panel.charts[1]._top


def test_a_typed_mask_asks_for_a_complete_sentence(qtbot, controller, panel):
    calls = started(controller)
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text("the keys to the [MASK] are on the table .", immediate=True)
    assert "complete sentence" in panel.message() and "[MASK]" in panel.message()
    assert calls == []


def test_clicked_masks_keep_the_score_and_knocked_out_heads_change_it(qtbot, controller, panel, tiny_model):
    type_and_wait(qtbot, controller, SENTENCE)
    calls = started(controller)
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.toggle_mask(2)  # the text as typed is unchanged: nothing to re-score
    assert calls == [] and panel.message() is None
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000):
        controller.set_knocked_out({(0, 1)})
    assert panel.payload.knocked_out == {(0, 1)}
    expected = score_of(tiny_model, SENTENCE, knocked_out=frozenset({(0, 1)}))
    assert panel.payload.scores[0].total == pytest.approx(expected.total, abs=1e-6)
    assert "1 head knocked out" in panel.note_label.text()


def test_a_hidden_tab_waits_until_it_is_shown(qtbot, controller, panel):
    panel.hide()
    calls = started(controller)
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        controller.set_text(SENTENCE, immediate=True)
    assert controller.wait_until_idle()
    assert calls == []
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000):
        panel.show()
    assert [kind for kind, _ in calls] == ["score"] and calls[0][1]["sentences"] == (SENTENCE,)
    assert panel.payload.sentences == (SENTENCE,)


def test_the_variant_selector_rescores(qtbot, controller, panel, tiny_model):
    type_and_wait(qtbot, controller, "the dog was unbelievable .")
    assert panel.payload.variant == "word_l2r"
    with qtbot.waitSignal(controller.analysis_ready, timeout=10_000):
        panel.set_variant("original")
    expected = score_of(tiny_model, "the dog was unbelievable .", "original")
    assert panel.payload.variant == "original"
    assert panel.payload.scores[0].total == pytest.approx(expected.total, abs=1e-6)
    assert "Original" in panel.note_label.text()


def test_prepare_view_turns_pair_mode_on(qtbot, controller, panel):
    panel.prepare_view(OTHER)
    assert panel.pair_mode and panel.second_row.isVisible() and panel.sentence_2.text() == OTHER
    type_and_wait(qtbot, controller, SENTENCE)
    assert panel.payload.sentences == (SENTENCE, OTHER)


def test_a_bad_second_sentence_is_a_message(qtbot, controller, panel):
    type_and_wait(qtbot, controller, SENTENCE)
    with qtbot.waitSignal(controller.analysis_failed, timeout=10_000):
        panel.set_pair_mode(True)
        panel.sentence_2.setText("the [mask] .")
    assert panel.message().startswith("Sentence 2: scoring needs a complete sentence")


def test_model_without_mlm_head_says_so(qtbot, tmp_path):
    from conftest import make_tiny_model

    from bertviz_app.ui.scoring_panel import ScoringPanel

    c = Controller(debounce_ms=20)
    try:
        with qtbot.waitSignal(c.model_loaded, timeout=30_000):
            c.load_model(str(make_tiny_model(tmp_path, mlm_head=False)))
        p = ScoringPanel(c)
        c.result_ready.connect(p.set_result)
        qtbot.addWidget(p)
        p.show()
        with qtbot.waitSignal(c.analysis_failed, timeout=10_000):
            c.set_text(SENTENCE, immediate=True)
        assert "masked-language-model head" in p.message()
    finally:
        c.shutdown()


def test_export_png(qtbot, controller, panel, tmp_path):
    from PySide6.QtGui import QImage

    type_and_wait(qtbot, controller, SENTENCE)
    path = tmp_path / "scores.png"
    panel.export_png(path)
    image = QImage(str(path))
    assert image.width() == 2 * panel.content.width() and image.height() == 2 * panel.content.height()


def test_verdict_in_plain_words():
    from bertviz_app.ui.scoring_panel import differing_tokens, times_more_likely, verdict

    assert verdict(-20.0, -22.3) == "The model prefers sentence 1 by 2.30 nats (10× more likely)."
    assert verdict(-25.0, -24.0).startswith("The model prefers sentence 2 by 1.00 nats (2.7× more likely)")
    assert verdict(-3.0, -3.0) == "The model finds the two sentences equally likely."
    assert times_more_likely(50.0) == "5.2×10²¹×"
    assert times_more_likely(8.0) == "2,981×"
    assert differing_tokens(("a", "b", "c"), ("a", "x", "y", "c")) == ({1}, {1, 2})
