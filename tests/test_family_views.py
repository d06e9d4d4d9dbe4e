"""Every view works for every family: a tiny random model of each family (saved by transformers, loaded by our
loader) is opened in the window, and each view is brought to the front through its View-menu action, as a user
would. No view may crash, log an unexpected worker error, or fall back to a message where it has something to
show; views that need more from the user (a second sentence, a corpus to index) say so in a message."""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import Qt
from test_family_text import _type, family, folders, window  # noqa: F401  (fixtures)

from bertviz_app.ui.views import REGISTRY

# Views that show content from the sentence alone; the others wait for the user (a message is right there).
SHOWS_CONTENT = ("attention", "embeddings", "layers", "heads", "neurons", "scoring")
TEXT = "The cat sat on the mat and looked at the bird."


def test_every_view_works_for_every_family(qtbot, window, family, caplog):  # noqa: F811
    controller = window.controller
    errors = []
    controller.error.connect(errors.append)
    _type(qtbot, window.sentence.text_a, controller, TEXT)
    # Mask "mat" by clicking its chip (Scoring scores the text as typed, so no [MASK] is typed).
    chips = window.sentence.chips
    mat = [c.text.strip().lstrip("␣") for c in chips.chips()].index("mat")
    with qtbot.waitSignal(controller.result_ready, timeout=10_000):
        qtbot.mouseClick(chips, Qt.LeftButton, pos=chips.chip_rect(mat).center())
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    actions = {a.text(): a for a in view_menu.actions()}
    with caplog.at_level(logging.ERROR):
        for name, spec in REGISTRY.items():
            actions[spec.title].trigger()
            assert window.tabs.currentWidget() is window.views[name]
            assert controller.wait_until_idle(60_000), name
            assert window.wait_until_drawn(30_000), name
            message = window.views[name].message()
            if name in SHOWS_CONTENT:
                assert message is None, f"{family}: the {name} view shows {message!r}"
            else:
                assert message is None or message.strip(), name
        # Compare with a second sentence, as --view-arg gives it.
        window.show_view("compare", "The dog sat on the mat and looked at the bird.")
        assert controller.wait_until_idle(60_000) and window.wait_until_drawn(30_000)
        assert window.views["compare"].message() is None, window.views["compare"].message()
    assert errors == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    result = controller.current_result
    assert result is not None and len(result.predictions) == 1


def test_the_attention_view_shows_shared_layers_and_local_windows(qtbot, window, family):  # noqa: F811
    """ALBERT's title names the layers that run the same weights; ModernBERT's local layers get their window
    outlined on the heatmap (global layers and other families none)."""
    from bertviz_app.ui.plot_items import window_edges

    controller = window.controller
    _type(qtbot, window.sentence.text_a, controller, TEXT)
    window.show_view("attention")
    panel = window.views["attention"]
    result = controller.current_result
    title = panel.heatmap_plot.titleLabel.text
    outline = panel.window_outline
    if family == "albert":  # 3 layers, one group: layer 1 runs the weights of layers 2 and 3
        assert "same weights as layers 2, 3" in title
    else:
        assert "same weights" not in title
    if (
        family == "modernbert"
    ):  # a window of 4 tokens: global layer 1 (every third, from the first), ±2 on layers 2 and 3
        assert result.attention_windows == (None, 2, 2)
        assert not outline.isVisible() and "local" not in title  # layer 1 is on show
        panel.layer_spin.setValue(2)
        title = panel.heatmap_plot.titleLabel.text
        assert outline.isVisible() and "local: sees ±2 tokens" in title
        x, y = outline.getData()
        ex, ey = window_edges(len(result.tokens), 2)
        assert np.allclose(x, ex, equal_nan=True) and np.allclose(y, ey, equal_nan=True)
        # Every cell the window hides has zero attention, every cell inside it is on the right side of the lines.
        t = len(result.tokens)
        far = np.abs(np.arange(t)[:, None] - np.arange(t)[None, :]) > 2
        assert np.all(result.attention[1][:, far] < 1e-6)
        panel.layer_spin.setValue(1)  # the global layer
        assert not outline.isVisible() and "local" not in panel.heatmap_plot.titleLabel.text
    else:
        assert not outline.isVisible()


def test_window_edges_trace_the_band():
    from bertviz_app.ui.plot_items import window_edges

    x, y = window_edges(5, 1)
    right = [(a, b) for a, b in zip(x, y) if not np.isnan(a) and a > b]
    # Row r may see columns r-1..r+1: the right edge of row 0 is at x = 1.5, of row 3 at x = 4.5 (outside: none).
    assert (1.5, -0.5) in right and (1.5, 0.5) in right and (3.5, 2.5) in right
    assert all(-0.5 < a < 4.5 for a in x if not np.isnan(a))
    assert window_edges(5, 1)[0].size == window_edges(5, 1)[1].size


def test_a_pair_says_when_the_model_has_no_segment_embeddings(qtbot, window, family):  # noqa: F811
    from PySide6.QtCore import Qt

    qtbot.mouseClick(window.sentence.pair_toggle, Qt.LeftButton)
    note = window.sentence.segment_note
    summary = window.controller.model_summary
    # The toy BERT-like families have two token types; RoBERTa's one, DistilBERT and ModernBERT none.
    expected = family in ("roberta", "distilbert", "modernbert") or not summary.segment_embeddings
    assert note.isVisible() == expected
    if expected:
        assert summary.family in note.text() and "no segment embeddings" in note.text()
    qtbot.mouseClick(window.sentence.pair_toggle, Qt.LeftButton)
    assert not note.isVisible()
