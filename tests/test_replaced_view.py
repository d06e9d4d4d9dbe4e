"""The Replaced tokens view: an ELECTRA discriminator's per-token probability that the token was swapped in, as
transformers' ElectraForPreTraining computes it, shown as one bar per token; other models get a message."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import QSettings
from test_family_text import _type
from toy_tokenizers import build, write_toy_tokenizer

from bertviz_app.app import build_window
from bertviz_app.ui.replaced_view import REPLACED_COLOR, THRESHOLD
from bertviz_app.ui.settings import Settings

transformers = pytest.importorskip("transformers")
transformers.utils.logging.set_verbosity_error()

TEXT = "The cat sat on the mat and looked at the bird."


def _discriminator(folder):
    vocab = write_toy_tokenizer(folder, "wordpiece")
    tok = build("wordpiece")
    config = transformers.ElectraConfig(
        vocab_size=vocab,
        pad_token_id=tok.token_to_id("[PAD]"),
        hidden_size=32,
        num_attention_heads=4,
        intermediate_size=48,
        max_position_embeddings=80,
        num_hidden_layers=2,
        embedding_size=16,
    )
    config._attn_implementation = "eager"
    torch.manual_seed(0)
    model = transformers.ElectraForPreTraining(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.5)  # spread the probabilities on both sides of one half
    model.save_pretrained(folder)
    return model


def _open(qtbot, folder):
    settings = Settings(QSettings(str(folder / "settings.ini"), QSettings.IniFormat))
    win, controller = build_window(str(folder), settings=settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert controller.wait_until_idle() and controller.model_summary is not None
    return win, controller


def _show_from_menu(win):
    view_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    next(a for a in view_menu.actions() if a.text() == "&Replaced tokens").trigger()
    assert win.controller.wait_until_idle()
    return win.views["replaced"]


def test_a_discriminator_shows_each_tokens_replaced_probability(qtbot, tmp_path):
    hf = _discriminator(tmp_path)
    win, controller = _open(qtbot, tmp_path)
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
    win, controller = _open(qtbot, tiny_model_dir)
    try:
        _type(qtbot, win.sentence.text_a, controller, TEXT)
        view = _show_from_menu(win)
        assert "not an ELECTRA discriminator" in (view.message() or "")
    finally:
        controller.shutdown()
