"""The neuron view's numbers: by hand on two tokens, against the model's own attention, and against a loop."""

import math

import numpy as np
import pytest

from bertviz_app.analysis.inference import InferenceInput, run_inference
from bertviz_app.analysis.numeric.neuron import neuron_view, softmax


def test_two_tokens_by_hand():
    # One layer, one head, hd = 4, two tokens; query token 1.
    queries = np.zeros((1, 1, 2, 4), dtype=np.float32)
    keys = np.zeros((1, 1, 2, 4), dtype=np.float32)
    queries[0, 0, 1] = [1.0, 2.0, 0.0, -1.0]
    keys[0, 0, 0] = [2.0, 0.5, 3.0, 1.0]  # products 2, 1, 0, -1 -> score 2
    keys[0, 0, 1] = [0.0, -1.0, 1.0, -2.0]  # products 0, -2, 0, 2 -> score 0
    view = neuron_view(queries, keys, 0, 0, 1)
    np.testing.assert_array_equal(view.q, [1, 2, 0, -1])
    np.testing.assert_array_equal(view.products, [[2, 1, 0, -1], [0, -2, 0, 2]])
    np.testing.assert_array_equal(view.scores, [2.0, 0.0])
    assert view.scale == 2.0  # √4
    np.testing.assert_array_equal(view.scaled, [1.0, 0.0])
    e = math.e
    np.testing.assert_allclose(view.probs, [e / (e + 1), 1 / (e + 1)], rtol=1e-12)
    assert view.head_dim == 4
    assert (view.layer, view.head, view.query_token) == (0, 0, 1)


def test_softmax_is_stable_for_large_scores():
    p = softmax(np.array([1000.0, 1000.0, -1000.0]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, [0.5, 0.5, 0.0], atol=1e-12)


def naive_neuron_view(q_row, k_rows):
    """The same formula, one number at a time, in plain Python."""
    hd = len(q_row)
    products = [[q_row[d] * k[d] for d in range(hd)] for k in k_rows]
    scores = [sum(row) for row in products]
    scaled = [s / math.sqrt(hd) for s in scores]
    top = max(scaled)
    exps = [math.exp(s - top) for s in scaled]
    return products, scores, scaled, [x / sum(exps) for x in exps]


@pytest.mark.parametrize(
    "inp",
    [
        InferenceInput("the cat sat on the mat because it was tired ."),
        InferenceInput("the keys to the [MASK] are on the table", "she went to the bank"),
    ],
    ids=["sentence", "masked-pair"],
)
def test_matches_the_models_attention_on_every_row(tiny_model, inp):
    result = run_inference(tiny_model, inp)
    L, H, T, hd = result.queries.shape
    assert result.keys.shape == (L, H, T, hd)
    for layer in range(L):
        for head in range(H):
            for token in range(T):
                view = neuron_view(result.queries, result.keys, layer, head, token)
                np.testing.assert_allclose(view.probs, result.attention[layer, head, token], atol=1e-5)
                np.testing.assert_allclose(view.products.sum(-1), view.scores, rtol=1e-12)
                assert view.probs.sum() == pytest.approx(1.0)
    # And against the loop, for one (layer, head, token).
    view = neuron_view(result.queries, result.keys, L - 1, H - 1, 2)
    products, scores, scaled, probs = naive_neuron_view(
        result.queries[L - 1, H - 1, 2].tolist(), result.keys[L - 1, H - 1].tolist()
    )
    np.testing.assert_allclose(view.products, products, rtol=1e-12)
    np.testing.assert_allclose(view.scores, scores, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(view.scaled, scaled, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(view.probs, probs, rtol=1e-9)
    assert view.scale == pytest.approx(
        math.sqrt(tiny_model.config.hidden_size // tiny_model.config.num_attention_heads)
    )


def test_queries_and_keys_are_the_projections_of_the_layer_input(tiny_model):
    """The cached q/k the view starts from are hidden_states[layer] through the layer's query/key weights."""
    import torch

    result = run_inference(tiny_model, InferenceInput("the dog ran to the river"))
    layer, head = 1, 2
    hd = result.queries.shape[-1]
    sa = tiny_model.model.encoder.layer[layer].attention.self
    x = torch.from_numpy(result.hidden_states[layer])  # (T, D): the input of this layer
    cols = slice(head * hd, (head + 1) * hd)
    with torch.no_grad():
        q = x @ sa.query.weight[cols].T + sa.query.bias[cols]  # (T, hd)
        k = x @ sa.key.weight[cols].T + sa.key.bias[cols]
    np.testing.assert_allclose(result.queries[layer, head], q.numpy(), atol=1e-5)
    np.testing.assert_allclose(result.keys[layer, head], k.numpy(), atol=1e-5)


def test_out_of_range_and_bad_shapes():
    q = np.zeros((2, 3, 4, 5), dtype=np.float32)
    with pytest.raises(IndexError):
        neuron_view(q, q, 2, 0, 0)
    with pytest.raises(IndexError):
        neuron_view(q, q, 0, 3, 0)
    with pytest.raises(IndexError):
        neuron_view(q, q, 0, 0, 4)
    with pytest.raises(ValueError):
        neuron_view(q, q[:, :, :3], 0, 0, 0)
