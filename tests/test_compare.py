"""Comparing two inputs: token alignment, embedding shift and attention difference, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import make_result

from bertviz_app.analysis.compare import (
    Comparison,
    align_tokens,
    compare_task,
    cosine_distance,
    embedding_shift,
    seen_tokens,
)
from bertviz_app.analysis.inference import InferenceInput, run_inference
from bertviz_app.analysis.numeric.attention_flow import attention_difference, shared_attention
from bertviz_app.engine.errors import InputError

HE = "the dog sat on the mat and he was happy"
SHE = "the dog sat on the mat and she was happy"
RIVER_BANK = "i sat on the river bank"
MONEY_BANK = "i went to the bank"


def test_identical_inputs_give_zero_difference_and_zero_shift(tiny_model):
    c = compare_task(tiny_model, InferenceInput(HE), HE)
    t = len(c.tokens_a)
    assert c.alignment == tuple((i, i) for i in range(t))
    assert c.only_a == () and c.only_b == ()
    assert c.embedding_shift.shape == (tiny_model.config.num_hidden_layers + 1, t)
    np.testing.assert_allclose(c.embedding_shift, 0.0, atol=1e-6)
    diff = attention_difference(c.result_a.attention, c.result_b.attention, c.alignment)  # (L, H, T, T)
    assert diff.shape == c.result_a.attention.shape
    assert np.all(diff == 0.0)


def test_a_one_word_swap_keeps_every_other_token(tiny_model):
    c = compare_task(tiny_model, InferenceInput(HE), SHE)
    he = c.tokens_a.index("he")
    assert c.tokens_b[he] == "she"
    assert c.alignment == tuple((i, i) for i in range(len(c.tokens_a)) if i != he)
    assert c.only_a == (he,) and c.only_b == (he,)
    assert "[CLS]" in c.shared_tokens and "[SEP]" in c.shared_tokens
    # Layer 0 is each token's own embedding (word + position + segment): unchanged where the word and its place are.
    np.testing.assert_allclose(c.embedding_shift[0], 0.0, atol=1e-6)
    # From layer 1 on, the other tokens see "she" instead of "he".
    assert (c.embedding_shift[1:] > 1e-6).any(axis=1).all()


def test_the_two_senses_of_bank_are_aligned_and_bank_moves(tiny_model):
    c = compare_task(tiny_model, InferenceInput(RIVER_BANK), MONEY_BANK)
    i, j = c.tokens_a.index("bank"), c.tokens_b.index("bank")
    assert (i, j) in c.alignment
    s = c.alignment.index((i, j))
    assert c.shared_tokens[s] == "bank"
    assert (c.embedding_shift[:, s] > 1e-4).all()  # it sits elsewhere (layer 0) and in other company
    assert set(c.only_a) == {c.tokens_a.index(w) for w in ("sat", "on", "river")}
    assert c.tokens_a[0] == c.tokens_b[0] == "[CLS]" and (0, 0) in c.alignment
    assert (len(c.tokens_a) - 1, len(c.tokens_b) - 1) in c.alignment  # the final [SEP]s


def test_shift_equals_a_naive_cosine_from_two_separate_runs(tiny_model):
    c = compare_task(tiny_model, InferenceInput(RIVER_BANK, want_internals=False), MONEY_BANK)
    ha = run_inference(tiny_model, InferenceInput(RIVER_BANK)).hidden_states
    hb = run_inference(tiny_model, InferenceInput(MONEY_BANK)).hidden_states
    naive = np.zeros((ha.shape[0], len(c.alignment)))
    for layer in range(ha.shape[0]):
        for s, (i, j) in enumerate(c.alignment):
            x, y = ha[layer, i].tolist(), hb[layer, j].tolist()
            dot = sum(a * b for a, b in zip(x, y, strict=True))
            nx, ny = math.sqrt(sum(a * a for a in x)), math.sqrt(sum(b * b for b in y))
            naive[layer, s] = 1.0 - dot / (nx * ny)
    np.testing.assert_allclose(c.embedding_shift, naive, atol=1e-5)
    np.testing.assert_allclose(embedding_shift(ha, hb, c.alignment), naive, atol=1e-5)


def test_attention_difference_equals_manual_subtraction():
    rng = np.random.default_rng(3)

    def softmax_rows(n):
        x = np.exp(rng.normal(size=(n, n)))
        return x / x.sum(-1, keepdims=True)

    att_a, att_b = softmax_rows(7), softmax_rows(6)
    alignment = ((0, 0), (2, 1), (3, 2), (5, 4), (6, 5))
    diff = attention_difference(att_a, att_b, alignment)
    renorm = attention_difference(att_a, att_b, alignment, renormalize=True)
    s = len(alignment)
    manual = np.zeros((s, s))
    manual_renorm = np.zeros((s, s))
    for r, (ia, ib) in enumerate(alignment):
        row_a = sum(att_a[ia, ja] for ja, _ in alignment)
        row_b = sum(att_b[ib, jb] for _, jb in alignment)
        for k, (ja, jb) in enumerate(alignment):
            manual[r, k] = att_b[ib, jb] - att_a[ia, ja]
            manual_renorm[r, k] = att_b[ib, jb] / row_b - att_a[ia, ja] / row_a
    np.testing.assert_allclose(diff, manual, atol=1e-12)
    np.testing.assert_allclose(renorm, manual_renorm, atol=1e-12)
    # Stacked (L, H, T, T) arrays give the same per matrix.
    stacked = attention_difference(np.stack([att_a, att_a * 0]), np.stack([att_b, att_b * 0]), alignment)
    np.testing.assert_allclose(stacked[0], manual, atol=1e-12)
    assert np.all(stacked[1] == 0)


def test_renormalised_rows_sum_to_one_over_shared_tokens_and_zero_rows_stay_zero():
    att = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0], [0.2, 0.2, 0.6]])
    np.testing.assert_allclose(shared_attention(att, np.array([0, 2])), [[0.5, 0.0], [0.2, 0.6]])
    np.testing.assert_allclose(shared_attention(att, np.array([0, 2]), renormalize=True), [[1.0, 0.0], [0.25, 0.75]])
    np.testing.assert_allclose(shared_attention(att, np.array([0, 1]), renormalize=True), [[0.5, 0.5], [0.0, 0.0]])


def test_knockouts_apply_to_both_inputs_and_masks_typed_in_b_count(tiny_model):
    knocked = frozenset({(0, 1), (1, 3)})
    dog = HE.index("dog")
    inp = InferenceInput(HE, masked_spans=((0, dog, dog + 3),), knocked_out=knocked)
    other = "the [MASK] sat on the mat and she was happy"
    c = compare_task(tiny_model, inp, other)
    assert c.result_a.masked_positions == (2,) and c.tokens_a[2] == "[MASK]"
    assert c.result_b.masked_positions == (2,) and c.tokens_b[2] == "[MASK]"
    assert (2, 2) in c.alignment  # the two masks are the same token as the model sees them
    assert c.result_a.knocked_out == c.result_b.knocked_out == knocked
    expected_b = run_inference(tiny_model, InferenceInput(other, knocked_out=knocked))
    np.testing.assert_allclose(c.result_b.attention, expected_b.attention, atol=1e-6)
    np.testing.assert_allclose(c.result_b.hidden_states, expected_b.hidden_states, atol=1e-6)
    all_on = compare_task(tiny_model, InferenceInput(HE, masked_spans=inp.masked_spans), other)
    assert not np.allclose(all_on.embedding_shift, c.embedding_shift, atol=1e-6)


def test_a_masked_word_is_not_aligned_with_the_word_it_hides(tiny_model):
    dog = HE.index("dog")
    c = compare_task(tiny_model, InferenceInput(HE, masked_spans=((0, dog, dog + 3),)), HE)
    assert seen_tokens(c.result_a, tiny_model.tokenizer.mask_token)[2] == "[MASK]" and c.tokens_b[2] == "dog"
    assert c.only_a == (2,) and c.only_b == (2,)


def test_alignment_respects_segments_and_keeps_frequent_tokens():
    a = ("[CLS]", "the", "cat", "[SEP]", "the", "dog", "[SEP]")
    b = ("[CLS]", "the", "dog", "[SEP]")
    # A token matches only within its own sentence of a pair: B's single sentence lines up with A's first one.
    assert align_tokens(a, b, (0, 0, 0, 0, 1, 1, 1), (0, 0, 0, 0)) == ((0, 0), (1, 1), (3, 3))
    # Ignoring segments, difflib's longest block "the dog [SEP]" would pair B with A's second sentence.
    assert align_tokens(a, b) == ((0, 0), (4, 1), (5, 2), (6, 3))
    long_a = ("the", "cat") * 150
    long_b = ("the", "cat") * 149 + ("the", "dog")
    pairs = align_tokens(long_a, long_b)
    assert len(pairs) == 299  # with difflib's autojunk, the frequent "the" and "cat" would be ignored


def test_cosine_distance_edge_cases():
    np.testing.assert_allclose(cosine_distance([1.0, 0.0], [-2.0, 0.0]), 2.0)
    np.testing.assert_allclose(cosine_distance([1.0, 1.0], [3.0, 3.0]), 0.0, atol=1e-15)
    assert cosine_distance([0.0, 0.0], [1.0, 0.0]) == 1.0  # no direction: not NaN


def test_most_shifted_points_at_the_largest_shift():
    tokens = ("[CLS]", "b", "c", "[SEP]")
    result = make_result(tokens, None, None)
    shift = np.array([[0.0, 0.0, 0.0, 0.0], [0.5, 0.3, 0.2, 0.0]], dtype=np.float32)
    c = Comparison(result, result, tokens, tokens, tuple((i, i) for i in range(4)), shift)
    assert c.most_shifted() == 0 and c.most_shifted(words_only=True) == 1
    assert c.most_shifted(0) is None and c.most_shifted(0, words_only=True) is None


def test_an_empty_other_sentence_is_an_input_error(tiny_model):
    with pytest.raises(InputError):
        compare_task(tiny_model, InferenceInput(HE), "   ")


def test_registered_as_an_analysis():
    from bertviz_app.analysis.tasks import TASKS

    assert TASKS["compare"].run is compare_task and TASKS["compare"].payload is Comparison


def test_the_windows_result_for_the_current_input_is_reused_and_any_other_is_not(tiny_model):
    inp = InferenceInput("the cat sat on the [MASK] .")
    mine = run_inference(tiny_model, inp)
    reused = compare_task(tiny_model, inp, "the dog sat on the mat .", result_a=mine)
    assert reused.result_a is mine
    fresh = compare_task(tiny_model, inp, "the dog sat on the mat .")
    np.testing.assert_allclose(reused.embedding_shift, fresh.embedding_shift, atol=1e-6)
    for other in (
        run_inference(tiny_model, InferenceInput("the cat sat on the mat .")),  # another text
        run_inference(tiny_model, InferenceInput(inp.text, knocked_out=frozenset({(0, 1)}))),  # other heads
    ):
        assert compare_task(tiny_model, inp, "the dog sat on the mat .", result_a=other).result_a is not other
