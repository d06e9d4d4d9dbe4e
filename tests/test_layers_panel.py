"""Per-layer predictions: the numpy functions against naive loops and the model itself, the controller's
vocabulary look-ups, and the panel (table rows, following a word, messages, choosing a mask)."""

import csv
from dataclasses import replace

import numpy as np
import pytest
import torch
from conftest import make_result, show_widget, toy_vocab

from bertviz_app.analysis.inference import InferenceInput, MaskPrediction, Prediction, prepare, run_inference
from bertviz_app.analysis.numeric.layer_lens import layer_names, top_k_by_layer, word_trajectory
from bertviz_app.controller import Controller

VOCAB = toy_vocab()
ID = {token: i for i, token in enumerate(VOCAB)}


def random_layer_probs(states=4, masks=2, seed=0, tie=True) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, (states, masks, len(VOCAB)))
    if tie:
        # A six-way tie at the top of one row, across the k = 5 boundary: order and ranks must still be exact.
        logits[1, 0, :6] = logits[1, 0].max() + 1
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    return (probs / probs.sum(-1, keepdims=True)).astype(np.float32)  # (L+1, N, V)


# ---- analysis ---------------------------------------------------------------------------------------------


def test_top_k_by_layer_matches_a_naive_sort():
    lp = random_layer_probs()
    for row in range(lp.shape[1]):
        for k in (1, 5, 7, len(VOCAB), len(VOCAB) + 3):
            ids, probs = top_k_by_layer(lp, row, k)
            kk = min(k, len(VOCAB))
            assert ids.shape == probs.shape == (lp.shape[0], kk)
            for layer in range(lp.shape[0]):
                p = lp[layer, row].tolist()
                naive = sorted(range(len(p)), key=lambda i: (-p[i], i))[:kk]  # ties in vocabulary order
                assert ids[layer].tolist() == naive
                np.testing.assert_array_equal(probs[layer], lp[layer, row, naive])


def test_word_trajectory_matches_a_naive_count():
    lp = random_layer_probs()
    for row in range(lp.shape[1]):
        for token_id in (0, 3, 5, 17, len(VOCAB) - 1):
            probs, ranks = word_trajectory(lp, row, token_id)
            assert probs.shape == ranks.shape == (lp.shape[0],)
            for layer in range(lp.shape[0]):
                p = lp[layer, row]
                better = sum(1 for q in p if q > p[token_id])
                assert ranks[layer] == better + 1
                assert probs[layer] == p[token_id]
    _, ranks = word_trajectory(lp, 0, 3)  # one of six tied at the top of layer 1: they all share rank 1
    assert ranks[1] == 1
    top_ids, _ = top_k_by_layer(lp, 0, 1)
    assert all(word_trajectory(lp, 0, int(top_ids[layer, 0]))[1][layer] == 1 for layer in range(lp.shape[0]))


def test_bad_arguments_are_refused():
    lp = random_layer_probs()
    with pytest.raises(IndexError):
        top_k_by_layer(lp, 2, 3)
    with pytest.raises(IndexError):
        word_trajectory(lp, 0, len(VOCAB))
    with pytest.raises(ValueError):
        top_k_by_layer(lp[0], 0, 3)
    assert layer_names(3) == ["embeddings", "layer 1", "layer 2"]


def test_layer_probs_are_the_mlm_head_on_each_layer_run_one_at_a_time(tiny_model):
    inp = InferenceInput("the [MASK] sat on the [MASK] .", top_k=8)
    result = run_inference(tiny_model, inp)
    model = tiny_model.model
    num_layers = tiny_model.config.num_hidden_layers
    assert result.layer_probs.shape == (num_layers + 1, 2, tiny_model.config.vocab_size)
    # A second path: embeddings, then the encoder layers one by one, the MLM head read after each.
    prep = prepare(tiny_model, inp)
    with torch.inference_mode():
        x = model.embeddings(prep.input_ids[None], prep.token_type_ids[None])  # (1, T, D)
        for layer in range(num_layers + 1):
            if layer > 0:
                x, _, _ = model.encoder.layer[layer - 1](x, None)
            for row, pos in enumerate(result.masked_positions):
                expected = model.mlm_logits(x[0, pos]).softmax(-1).numpy()  # (V,)
                np.testing.assert_allclose(result.layer_probs[layer, row], expected, rtol=1e-4, atol=1e-6)
    # The last layer's row is the model's own prediction.
    for row, mask in enumerate(result.predictions):
        ids, probs = top_k_by_layer(result.layer_probs, row, 8)
        assert ids[-1].tolist() == [p.token_id for p in mask.predictions]
        np.testing.assert_allclose(probs[-1], [p.probability for p in mask.predictions], rtol=1e-5)


# ---- controller look-ups ----------------------------------------------------------------------------------


def test_controller_looks_up_words_in_the_loaded_vocabulary(qtbot, tiny_model_dir):
    c = Controller(debounce_ms=20)
    try:
        assert c.token_id("cat") == [] and c.token_strings([ID["cat"]]) == []  # no model yet
        with qtbot.waitSignal(c.model_loaded, timeout=30_000):
            c.load_model(str(tiny_model_dir))
        assert c.token_id("cat") == [ID["cat"]]
        assert c.token_id(" Paris ") == [ID["paris"]]  # the model is uncased
        assert c.token_id("unbelievable") == [ID["un"], ID["##believ"], ID["##able"]]
        assert c.token_id("##ing") == [ID["##ing"]]  # a vocabulary entry as typed, not '#', '#', 'ing'
        assert c.token_id("xyzzy") == [ID["[UNK]"]]
        assert c.token_id("") == [] and c.token_id("   ") == []
        assert c.token_strings([ID["un"], ID["##believ"], 10_000]) == ["un", "##believ", "[UNK]"]
    finally:
        c.shutdown()


# ---- panel ------------------------------------------------------------------------------------------------

TOKENS = ["[CLS]", "paris", "is", "the", "capital", "of", "[MASK]", ".", "[SEP]"]


def canned(masked=(6,), states=4, seed=1, **changes):
    """A result whose layer_probs make 'france' climb to the top at the last layer of the first mask."""
    result = make_result(TOKENS, None, None, masked)
    if not masked:
        return replace(result, **changes)
    lp = random_layer_probs(states=states, masks=len(masked), seed=seed, tie=False)
    climb = np.linspace(0.0, 0.6, states)
    lp[:, 0] *= (1 - climb)[:, None]
    lp[:, 0, ID["france"]] += climb
    predictions = []
    for row, pos in enumerate(masked):
        ids, probs = top_k_by_layer(lp, row, 10)
        predictions.append(
            MaskPrediction(
                pos, TOKENS[pos], tuple(Prediction(VOCAB[i], int(i), float(p)) for i, p in zip(ids[-1], probs[-1]))
            )
        )
    return replace(result, **{"predictions": tuple(predictions), "layer_probs": lp, **changes})


def points(curve) -> int:
    return 0 if curve.yData is None else len(curve.yData)


@pytest.fixture
def panel(qtbot, controller):
    from bertviz_app.ui.layers_panel import LayersPanel

    p = LayersPanel(controller)
    return show_widget(qtbot, p, 1000, 700)


def test_table_rows_are_each_layers_top_k(panel):
    result = canned()
    panel.set_result(result)
    assert panel.message() is None
    assert panel.row_names() == ["embeddings", "layer 1", "layer 2", "layer 3 · output"]
    ids, probs = top_k_by_layer(result.layer_probs, 0, 5)
    expected = [[(VOCAB[i], float(p)) for i, p in zip(ids[r], probs[r])] for r in range(4)]
    assert panel.k == 5 and panel.table_rows() == expected
    assert panel.table_rows()[-1][0][0] == "france"
    panel.k_spin.setValue(8)
    assert len(panel.table_rows()[0]) == 8 and panel.table.columnCount() == 8
    assert not panel.mask_combo.isVisibleTo(panel)  # one mask: nothing to choose


def test_the_top_guess_is_followed_until_a_word_is_typed(panel):
    result = canned()
    panel.set_result(result)
    assert panel.followed_token == "france" and panel.followed_id == ID["france"]
    assert "top guess" in panel.note()
    probs, ranks = panel.trajectory()
    lp = result.layer_probs[:, 0]
    np.testing.assert_array_equal(probs, lp[:, ID["france"]])
    assert ranks.tolist() == [1 + int((lp[layer] > lp[layer, ID["france"]]).sum()) for layer in range(4)]
    np.testing.assert_allclose(panel.prob_curve.yData, 100 * probs, rtol=1e-6)
    np.testing.assert_allclose(panel.rank_curve.yData, np.log10(ranks), rtol=1e-6)

    panel.follow_edit.setText("Capital")
    panel.follow_word("Capital")
    assert panel.followed_token == "capital"
    _, ranks = panel.trajectory()
    assert "Following “capital”" in panel.note() and f"rank {ranks[-1]}" in panel.note()
    panel.rank_check.setChecked(False)
    assert points(panel.rank_curve) == 0 and points(panel.prob_curve) == 4
    panel.follow_word("")
    assert panel.followed_token == "france"


def test_a_word_of_several_pieces_follows_its_first_and_an_unknown_word_is_named(panel):
    panel.set_result(canned())
    panel.follow_word("unbelievable")
    assert panel.followed_token == "un"
    assert "3 word pieces" in panel.note() and "following the first, “un”" in panel.note()
    panel.follow_word("xyzzy")
    assert panel.followed_id is None and panel.trajectory() is None
    assert "“xyzzy” is not in this model's vocabulary" in panel.note()
    assert points(panel.prob_curve) == 0


def test_clicking_a_cell_follows_its_word(panel, qtbot):
    from PySide6.QtCore import Qt

    panel.set_result(canned())
    item = panel.table.item(1, 2)
    token = item.text()
    rect = panel.table.visualItemRect(item)
    with qtbot.waitSignal(panel.word_followed) as sig:
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [token]
    assert panel.follow_edit.text() == token and panel.followed_token == token
    assert panel.trajectory()[1][1] == 3  # third guess after layer 1


def test_a_typed_word_is_kept_across_results_and_view_arg_waits_for_one(panel):
    panel.clear("Loading the model…")
    panel.prepare_view("paris")
    assert panel.message() == "Loading the model…"
    panel.set_result(canned())
    assert panel.followed_token == "paris" and panel.follow_edit.text() == "paris"
    panel.set_result(canned(seed=5))
    assert panel.followed_token == "paris"


def test_messages_when_there_is_nothing_to_show(panel):
    panel.set_result(canned(has_mlm_head=False, predictions=(), layer_probs=None))
    assert "no masked-language-model head" in panel.message()
    panel.set_result(canned(masked=(), predictions=(), layer_probs=None))
    assert "Mask a word" in panel.message()
    panel.set_result(canned(layer_probs=None))
    assert "no per-layer predictions" in panel.message()
    assert panel.table.rowCount() == 0 and not panel.export_button.isEnabled()
    panel.set_result(canned())
    assert panel.message() is None and panel.export_button.isEnabled()
    panel.clear("Loading bert-base-uncased…")
    assert panel.message() == "Loading bert-base-uncased…"


def test_choosing_another_mask(panel):
    result = canned(masked=(3, 6))
    panel.set_result(result)
    assert panel.mask_combo.isVisibleTo(panel) and panel.mask_combo.count() == 2
    assert panel.mask_combo.itemText(0) == "“the” · token 3"
    assert panel.mask_combo.itemText(1) == "[MASK] · token 6"
    panel.mask_combo.setCurrentIndex(1)
    assert panel.mask_row == 1
    ids, _ = top_k_by_layer(result.layer_probs, 1, 5)
    assert [[t for t, _ in row] for row in panel.table_rows()] == [[VOCAB[i] for i in r] for r in ids]
    assert panel.followed_id == ids[-1, 0]  # the top guess of the mask now shown
    assert "token 6" in panel.title_label.text()
    panel.set_result(canned(masked=(3, 6), seed=4))
    assert panel.mask_row == 1  # kept while the new result has it
    panel.set_result(canned())
    assert panel.mask_row == 0 and not panel.mask_combo.isVisibleTo(panel)


def test_csv_export(panel, tmp_path):
    result = canned()
    panel.set_result(result)
    panel.follow_word("paris")
    path = tmp_path / "layers.csv"
    panel.export_csv(path)
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["layer", "guess 1", "guess 1 probability"] and rows[0][-2:] == [
        "paris probability",
        "paris rank",
    ]
    assert [r[0] for r in rows[1:]] == layer_names(4)
    assert rows[-1][1] == "france"
    assert float(rows[-1][2]) == pytest.approx(panel.table_rows()[-1][0][1], rel=1e-5)
    _probs, ranks = panel.trajectory()
    assert [int(r[-1]) for r in rows[1:]] == ranks.tolist()


def test_follows_live_results_from_the_controller(qtbot, controller, panel):
    controller.result_ready.connect(panel.set_result)
    with qtbot.waitSignal(controller.result_ready, timeout=10_000) as blocker:
        controller.set_text("the cat sat on the [MASK] .", immediate=True)
    result = blocker.args[0]
    (mask,) = result.predictions
    assert [t for t, _ in panel.table_rows()[-1]] == [p.token for p in mask.predictions[:5]]
    assert panel.followed_token == mask.predictions[0].token
    assert len(panel.row_names()) == controller.model_summary.layers + 1
