"""The Applications view, reached as a user reaches it (View ▸ Applications): a sequence classifier's label
probabilities as transformers computes them, a token classifier's tags merged into entities, the readout at
each layer following the selected token, head importance for the label in the Heads view, a note for a model
without a classifier, and a message for a classifier whose label map does not fit."""

from __future__ import annotations

import contextlib
import json

import numpy as np
import pytest
import torch
from conftest import open_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from test_family_text import _type

transformers = pytest.importorskip("transformers")
transformers.utils.logging.set_verbosity_error()

from classifier_models import NER, SENTIMENT, classifier_folder  # noqa: E402

from bertviz_app.analysis.numeric.labels import entities  # noqa: E402
from bertviz_app.ui.applications_view import PREDICTED_COLOR  # noqa: E402

TEXT = "she went to paris and bought a book ."


@contextlib.contextmanager
def _classifier_window(qtbot, tmp_path, family: str, task: str, seed: int):
    """(the transformers model, the window with it open and TEXT typed, its controller), shut down after."""
    hf, folder = classifier_folder(tmp_path, family, task, seed=seed)
    win, controller = open_window(qtbot, folder)
    try:
        _type(qtbot, win.sentence.text_a, controller, TEXT)
        yield hf, win, controller
    finally:
        controller.shutdown()


def _show_from_menu(win):
    view_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    next(a for a in view_menu.actions() if a.text() == "Appl&ications").trigger()
    assert win.controller.wait_until_idle()
    return win.views["applications"]


def _hf_probs(hf, result, types: bool = True):
    kwargs = {"token_type_ids": torch.tensor([result.encoding.token_type_ids])} if types else {}
    with torch.no_grad():
        return hf(torch.tensor([result.encoding.input_ids]), **kwargs).logits[0].softmax(-1).numpy()


def test_a_sequence_classifier_shows_its_label_probabilities(qtbot, tmp_path):
    with _classifier_window(qtbot, tmp_path, "bert", "sequence", 2) as (hf, win, controller):
        view = _show_from_menu(win)
        qtbot.waitUntil(lambda: view.payload is not None, timeout=10_000)
        assert win.tabs.currentWidget() is view and view.message() is None
        expected = _hf_probs(hf, controller.current_result)
        np.testing.assert_allclose(view.bars.opts["width"], expected, atol=1e-4)
        best = int(expected.argmax())
        assert view.bars.opts["brushes"][best].name() == PREDICTED_COLOR
        assert SENTIMENT[best] in view.summary.text() and f"{100 * expected[best]:.1f}%" in view.summary.text()
        ticks = view.bars_plot.getAxis("left")._tickLevels[0]
        assert [label for _, label in ticks] == list(SENTIMENT.values())
        # the readout at each layer: embeddings + 2 layers, its last row the answer itself
        matrix = view.layer_matrix()
        assert matrix.shape == (3, 3)
        np.testing.assert_allclose(matrix[-1], expected, atol=1e-4)
        assert "trained on the last layer only" in view.label_layers.title.text()
        # the views that need word guesses point at this one
        assert "View ▸ Applications" in win.predictions.message.text()
        # the Layers view shows the labels read out at each layer instead of word guesses
        layers = win.views["layers"]
        win.tabs.setCurrentWidget(layers)
        qtbot.waitUntil(lambda: layers.label_layers is not None and layers.label_layers.matrix is not None)
        assert layers.message() is None and layers.label_layers.isVisible()
        np.testing.assert_allclose(layers.label_layers.matrix, matrix, atol=1e-6)
        win.tabs.setCurrentWidget(view)
        # typing on re-classifies
        _type(qtbot, win.sentence.text_a, controller, "the dog ate the red book .")
        qtbot.waitUntil(lambda: view.payload.input.text == "the dog ate the red book .", timeout=10_000)
        np.testing.assert_allclose(view.bars.opts["width"], _hf_probs(hf, controller.current_result), atol=1e-4)


def test_a_token_classifier_tags_tokens_and_the_readout_follows_the_selected_token(qtbot, tmp_path, monkeypatch):
    with _classifier_window(qtbot, tmp_path, "distilbert", "token", 7) as (hf, win, controller):
        view = _show_from_menu(win)
        qtbot.waitUntil(lambda: view.payload is not None, timeout=10_000)
        result = controller.current_result
        expected = _hf_probs(hf, result, types=False)  # (T, C)
        np.testing.assert_allclose(view.payload.probs, expected, atol=1e-4)
        chips = view.chips.chips()
        assert len(chips) == len(result.tokens)
        tags = [NER[int(i)] for i in expected.argmax(-1)]
        paris = result.display_tokens.index("paris")
        assert tags[paris] in chips[paris].tooltip and "%" in chips[paris].tooltip
        found = entities(view.payload)
        for e in found:  # each entity's last chip names its type, and the summary lists it
            assert chips[e.end - 1].text.endswith(e.type) and e.type in view.summary.text()
        # clicking a token's chip selects it everywhere, and the readout shows that token's tags by layer
        qtbot.mouseClick(view.chips, Qt.LeftButton, pos=view.chips.chip_rect(paris).center())
        assert win.selection.token == paris and view.readout_token() == paris
        np.testing.assert_allclose(view.layer_matrix()[-1], expected[paris], atol=1e-4)
        assert "“paris”" in view.label_layers.title.text()
        # so does the Layers view's, for the selected token
        layers = win.views["layers"]
        win.tabs.setCurrentWidget(layers)
        qtbot.waitUntil(lambda: layers.label_layers is not None and layers.label_layers.matrix is not None)
        np.testing.assert_allclose(layers.label_layers.matrix[-1], expected[paris], atol=1e-4)
        win.tabs.setCurrentWidget(view)
        # Export ▸ Probabilities as CSV: a row per token, a column per tag
        out = tmp_path / "tags.csv"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
        next(a for a in view.export_button.menu().actions() if a.text() == "Probabilities as CSV…").trigger()
        rows = out.read_text(encoding="utf-8").splitlines()
        assert rows[0] == "position,token,tag," + ",".join(NER.values()) and len(rows) == len(result.tokens) + 1
        assert rows[1 + paris].split(",")[2] == tags[paris]


def test_the_heads_view_ranks_heads_for_the_predicted_label(qtbot, tmp_path):
    with _classifier_window(qtbot, tmp_path, "roberta", "sequence", 3) as (hf, win, controller):
        heads = win.views["heads"]
        win.tabs.setCurrentWidget(heads)
        assert heads.can_compute()
        heads.compute_button.click()
        qtbot.waitUntil(lambda: heads.importance is not None, timeout=20_000)
        imp = heads.importance
        expected = _hf_probs(hf, controller.current_result, types=False)
        assert imp.score == "label" and imp.target_tokens == (SENTIMENT[int(expected.argmax())],)
        assert SENTIMENT[int(expected.argmax())] in heads.legend_label.text()


def test_a_model_without_a_classifier_says_what_to_open(qtbot, tiny_model_dir):
    win, controller = open_window(qtbot, tiny_model_dir)
    try:
        _type(qtbot, win.sentence.text_a, controller, TEXT)
        view = _show_from_menu(win)
        assert "no classification head" in (view.message() or "")
        assert "ForSequenceClassification" in view.message() and "id2label" in view.message()
    finally:
        controller.shutdown()


def test_a_classifier_with_a_bad_label_map_gets_a_message_and_the_model_stays(qtbot, tmp_path, tiny_model_dir):
    _, folder = classifier_folder(tmp_path, "bert", "sequence")
    raw = json.loads((folder / "config.json").read_text())
    raw["id2label"] = {"0": "negative", "1": "positive"}
    raw["label2id"] = {"negative": 0, "positive": 1}
    (folder / "config.json").write_text(json.dumps(raw))
    win, controller = open_window(qtbot, tiny_model_dir)
    try:
        before = controller.model_summary
        with qtbot.waitSignal(controller.model_load_failed, timeout=10_000):
            win.open_model(str(folder))
        assert controller.wait_until_idle()
        text = win.last_error_box.text()
        assert "id2label names 2 labels, but the classifier has 3 outputs" in text
        assert controller.model_summary is before
    finally:
        controller.shutdown()
