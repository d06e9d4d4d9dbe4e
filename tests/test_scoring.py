"""Sentence scoring (pseudo-log-likelihood) against a naive loop: one masked copy, one forward, at a time."""

import math

import numpy as np
import pytest
import torch

from bertviz_app.analysis.inference import InferenceInput
from bertviz_app.analysis.scoring import (
    ScoreResult,
    SentenceScore,
    hidden_positions,
    pseudo_log_likelihood,
    score_task,
)
from bertviz_app.analysis.tasks import run_to_end
from bertviz_app.engine.errors import InputError

# "unbelievable" is three pieces in the toy vocabulary: un ##believ ##able; "walking" is walk ##ing.
MULTI_PIECE = "the dog was unbelievable and walking ."
SINGLE_PIECE = "the keys to the cabinet are on the table ."


def naive_pll(lm, text, variant, knocked_out=frozenset()):
    """Salazar et al. / Kauf & Ivanova written out plainly: for each word piece, mask it (and, for word_l2r,
    every later piece of the same word), run the model on that one copy, take log p(original piece)."""
    enc = lm.tokenizer.encode(text)
    ids = torch.tensor(enc.input_ids)
    heads = None
    if knocked_out:
        heads = torch.ones(lm.config.num_hidden_layers, lm.config.num_attention_heads)
        for layer, head in knocked_out:
            heads[layer, head] = 0.0
    out = []
    for i, special in enumerate(enc.special):
        if special:
            continue
        copy = ids.clone()
        copy[i] = lm.tokenizer.mask_id
        if variant == "word_l2r" and enc.word_ids[i] is not None:
            for j in range(i + 1, len(enc)):
                if enc.word_ids[j] == enc.word_ids[i]:
                    copy[j] = lm.tokenizer.mask_id
        with torch.no_grad():
            logits = lm.model(copy, torch.tensor(enc.token_type_ids), predict_at=torch.tensor([i]), head_mask=heads)
        out.append(float(torch.log_softmax(logits.logits[0].double(), -1)[ids[i]]))
    return np.array(out)


@pytest.mark.parametrize("variant", ["word_l2r", "original"])
@pytest.mark.parametrize("batch", [None, 3])
def test_pll_is_the_sum_of_masked_log_probs_one_by_one(tiny_model, variant, batch):
    score = pseudo_log_likelihood(tiny_model, MULTI_PIECE, variant=variant, batch=batch)
    expected = naive_pll(tiny_model, MULTI_PIECE, variant)
    assert isinstance(score, SentenceScore) and score.variant == variant
    assert score.tokens == ("the", "dog", "was", "un", "##believ", "##able", "and", "walk", "##ing", ".")
    assert score.positions == tuple(range(1, 11))  # [CLS] at 0 and [SEP] at 11 are not scored
    assert score.log_probs.dtype == np.float64 and score.log_probs.shape == (10,)
    np.testing.assert_allclose(score.log_probs, expected, atol=1e-5)
    assert score.total == pytest.approx(expected.sum(), abs=1e-4)
    assert score.mean == pytest.approx(expected.sum() / 10, abs=1e-5)
    assert np.all(score.log_probs < 0)


def test_word_l2r_differs_from_original_only_before_the_end_of_a_multi_piece_word(tiny_model):
    l2r = pseudo_log_likelihood(tiny_model, MULTI_PIECE, variant="word_l2r")
    orig = pseudo_log_likelihood(tiny_model, MULTI_PIECE, variant="original")
    # un and ##believ have pieces of their word to their right (hidden in word_l2r), as has walk; the
    # last piece of each word and the single-piece words see exactly the same input in both variants.
    differs = [tok in ("un", "##believ", "walk") for tok in l2r.tokens]
    same = ~np.array(differs)
    np.testing.assert_allclose(l2r.log_probs[same], orig.log_probs[same], atol=1e-6)
    assert np.all(np.abs(l2r.log_probs[~same] - orig.log_probs[~same]) > 1e-4)

    a = pseudo_log_likelihood(tiny_model, SINGLE_PIECE, variant="word_l2r")
    b = pseudo_log_likelihood(tiny_model, SINGLE_PIECE, variant="original")
    np.testing.assert_allclose(a.log_probs, b.log_probs, atol=1e-6)


def test_hidden_positions_mask_only_later_pieces_of_the_same_word(tiny_model):
    enc = tiny_model.tokenizer.encode(MULTI_PIECE)  # [CLS] the dog was un ##believ ##able and walk ##ing . [SEP]
    assert hidden_positions(enc, 4, "word_l2r") == [4, 5, 6]
    assert hidden_positions(enc, 5, "word_l2r") == [5, 6]
    assert hidden_positions(enc, 6, "word_l2r") == [6]
    assert hidden_positions(enc, 8, "word_l2r") == [8, 9]
    assert hidden_positions(enc, 4, "original") == [4]


def test_knocked_out_heads_apply_to_scoring(tiny_model):
    off = frozenset({(0, 1), (1, 3)})
    score = pseudo_log_likelihood(tiny_model, MULTI_PIECE, knocked_out=off)
    np.testing.assert_allclose(score.log_probs, naive_pll(tiny_model, MULTI_PIECE, "word_l2r", off), atol=1e-5)
    plain = pseudo_log_likelihood(tiny_model, MULTI_PIECE)
    assert abs(score.total - plain.total) > 1e-3
    assert score.knocked_out == off


@pytest.mark.parametrize("text", ["", "   ", "[CLS] [SEP]"])
def test_nothing_to_score_is_a_clear_error(tiny_model, text):
    with pytest.raises(InputError, match=r"empty|nothing to score"):
        pseudo_log_likelihood(tiny_model, text)


@pytest.mark.parametrize("text", ["the cat [MASK] on the mat", "the cat [mask] on the mat"])
def test_a_typed_mask_is_refused(tiny_model, text):
    with pytest.raises(InputError, match=r"complete sentence.*\[MASK\]"):
        pseudo_log_likelihood(tiny_model, text)


def test_unknown_variant_is_refused(tiny_model):
    with pytest.raises(ValueError, match="word_l2r"):
        pseudo_log_likelihood(tiny_model, SINGLE_PIECE, variant="l2r")


def run_generator(gen):
    progress = []
    return progress, run_to_end(gen, progress)


def test_score_task_scores_a_minimal_pair_with_progress_per_chunk(tiny_model):
    pair = ("the keys to the cabinet are on the table .", "the keys to the cabinet is on the table .")
    inp = InferenceInput(text="whatever the main sentence is", knocked_out=frozenset({(1, 0)}))
    progress, payload = run_generator(score_task(tiny_model, inp, sentences=pair, variant="original", batch=4))
    # 10 scored tokens each, 4 copies per forward: 3 chunks per sentence.
    assert progress == [(i, 6) for i in range(1, 7)]
    assert isinstance(payload, ScoreResult) and payload.sentences == pair and len(payload.scores) == 2
    for sentence, score in zip(pair, payload.scores):
        direct = pseudo_log_likelihood(tiny_model, sentence, variant="original", knocked_out=inp.knocked_out)
        np.testing.assert_allclose(score.log_probs, direct.log_probs, atol=1e-6)
        assert score.text == sentence and score.knocked_out == inp.knocked_out
    assert payload.scores[0].log_probs[5] != payload.scores[1].log_probs[5]  # are / is


def test_score_task_defaults_to_the_input_sentence_and_names_the_bad_one(tiny_model):
    _, payload = run_generator(score_task(tiny_model, InferenceInput(text=SINGLE_PIECE)))
    assert payload.sentences == (SINGLE_PIECE,) and payload.variant == "word_l2r"
    assert math.isclose(payload.scores[0].total, pseudo_log_likelihood(tiny_model, SINGLE_PIECE).total)
    with pytest.raises(InputError, match=r"^sentence 2: .*\[MASK\]"):
        run_generator(score_task(tiny_model, InferenceInput(text="x"), sentences=(SINGLE_PIECE, "the [MASK] .")))
