"""The Replaced tokens view: an ELECTRA discriminator's per-token probability that the token was swapped in, as
transformers' ElectraForPreTraining computes it, shown as one bar per token; other models get a message."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import open_window
from test_family_folders import make_folder
from test_family_text import _type

from bertviz_app.ui.replaced_view import REPLACED_COLOR, THRESHOLD

transformers = pytest.importorskip("transformers")
transformers.utils.logging.set_verbosity_error()

TEXT = "The cat sat on the mat and looked at the bird."


def _discriminator(folder):
    # Larger random weights than make_folder's default spread the probabilities on both sides of one half.
    return make_folder(folder, "electra", model_class="ElectraForPreTraining", scale=0.5)


def _show_from_menu(win):
    view_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    next(a for a in view_menu.actions() if a.text() == "&Replaced tokens").trigger()
    assert win.controller.wait_until_idle()
    return win.views["replaced"]


def test_a_discriminator_shows_each_tokens_replaced_probability(qtbot, tmp_path):
    hf = _discriminator(tmp_path)
    win, controller = open_window(qtbot, tmp_path)
    try:
        _type(qtbot, win.sentence.text_a, controller, TEXT)
        view = _show_from_menu(win)
        assert win.tabs.currentWidget() is view and view.message() is None
        result = controller.current_result
        with torch.no_grad():
            logits = hf(torch.tensor([result.encoding.input_ids])).logits[0]
        expected = logits.sigmoid().numpy()
        heights = view.bars.opts["height"]
        np.testing.assert_allclose(heights, expected, atol=1e-4)
        # Bars above one half are drawn red, and the summary names exactly those (non-special) tokens.
        brushes = view.bars.opts["brushes"]
        red = [i for i, b in enumerate(brushes) if b.name() == REPLACED_COLOR]
        words = [i for i, s in enumerate(result.encoding.special) if not s]
        assert red == [i for i in range(len(expected)) if expected[i] > THRESHOLD]
        flagged = [result.display_tokens[i] for i in words if expected[i] > THRESHOLD]
        assert flagged, "the test model should flag something (seeded)"
        assert all(f"“{w}”" in view.summary.text() for w in flagged)
    finally:
        controller.shutdown()


def test_a_model_without_a_discriminator_says_so(qtbot, tiny_model_dir):
    win, controller = open_window(qtbot, tiny_model_dir)
    try:
        _type(qtbot, win.sentence.text_a, controller, TEXT)
        view = _show_from_menu(win)
        assert "not an ELECTRA discriminator" in (view.message() or "")
    finally:
        controller.shutdown()
