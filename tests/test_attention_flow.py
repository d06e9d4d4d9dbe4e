"""Attention rollout and value-weighted attention, checked by hand and against naive loops."""

import numpy as np
import pytest

from bertviz_app.analysis.numeric.attention_flow import iter_rollout, layer_flow, rollout, value_weighted


def random_attention(layers=4, heads=3, t=7, seed=0, dtype=np.float64) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, (layers, heads, t, t))
    att = np.exp(logits)
    return (att / att.sum(-1, keepdims=True)).astype(dtype)  # (L, H, T, T)


def naive_rollout(attention: np.ndarray, residual: bool = True, start_layer: int = 0) -> np.ndarray:
    """The definition written out: every layer's product rebuilt from scratch, entry by entry."""
    num_layers, num_heads, t, _ = attention.shape
    flows = []
    for layer in range(num_layers):
        a = [[sum(attention[layer, h, i, j] for h in range(num_heads)) / num_heads for j in range(t)] for i in range(t)]
        if residual:
            a = [[0.5 * a[i][j] + (0.5 if i == j else 0.0) for j in range(t)] for i in range(t)]
        a = [[a[i][j] / sum(a[i]) for j in range(t)] for i in range(t)]
        flows.append(a)
    out = np.zeros((num_layers, t, t))
    for layer in range(num_layers):
        product = [[1.0 if i == j else 0.0 for j in range(t)] for i in range(t)]
        for k in range(start_layer, layer + 1):  # Â_k · (Â_{k-1} ··· Â_s)
            product = [[sum(flows[k][i][m] * product[m][j] for m in range(t)) for j in range(t)] for i in range(t)]
        out[layer] = product
    return out


def test_rollout_of_identity_attention_is_identity():
    eye = np.broadcast_to(np.eye(5), (3, 2, 5, 5)).astype(np.float32)
    for residual in (True, False):
        result = rollout(eye, residual=residual)
        assert result.shape == (3, 5, 5)
        np.testing.assert_allclose(result, np.broadcast_to(np.eye(5), (3, 5, 5)), atol=1e-7)


def test_one_layer_with_residual_is_half_attention_half_identity():
    att = random_attention(layers=1, heads=4, t=6)
    expected = 0.5 * att[0].mean(axis=0) + 0.5 * np.eye(6)
    np.testing.assert_allclose(rollout(att)[0], expected, rtol=1e-12)
    np.testing.assert_allclose(layer_flow(att[0]), expected, rtol=1e-12)
    # By hand: two tokens that only look at each other end up half themselves, half the other.
    swap = np.array([[[[0.0, 1.0], [1.0, 0.0]]]])  # (1, 1, 2, 2)
    np.testing.assert_allclose(rollout(swap)[0], [[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_allclose(rollout(swap, residual=False)[0], [[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.parametrize("residual", [True, False])
@pytest.mark.parametrize("start_layer", [0, 2])
def test_rollout_equals_naive_matrix_products(residual, start_layer):
    att = random_attention(layers=4, heads=3, t=6, seed=start_layer)
    expected = naive_rollout(att, residual, start_layer)
    np.testing.assert_allclose(rollout(att, residual, start_layer), expected, rtol=1e-10, atol=1e-14)
    if start_layer:
        np.testing.assert_array_equal(rollout(att, residual, start_layer)[:start_layer], np.eye(6)[None].repeat(2, 0))
    # One layer at a time gives the same matrices (the panel computes rollout that way).
    steps = list(iter_rollout(att, residual, start_layer))
    np.testing.assert_allclose(np.stack(steps), expected, rtol=1e-10, atol=1e-14)


def test_rollout_rows_sum_to_one():
    att = random_attention(layers=12, heads=4, t=40, seed=3, dtype=np.float32)
    result = rollout(att)
    assert result.dtype == np.float32
    np.testing.assert_allclose(result.sum(-1), 1.0, atol=1e-5)
    assert (result >= 0).all()


def test_rollout_rejects_bad_input():
    with pytest.raises(ValueError):
        rollout(np.ones((2, 3, 4)))
    with pytest.raises(ValueError):
        rollout(random_attention(layers=2), start_layer=2)


def test_value_weighted_with_equal_norms_is_attention():
    att = random_attention()
    norms = np.full(att.shape[:-1], 2.5)
    np.testing.assert_allclose(value_weighted(att, norms), att, rtol=1e-12)
    np.testing.assert_allclose(value_weighted(att, norms, normalise=False), 2.5 * att, rtol=1e-12)


def test_value_weighted_by_hand():
    att = np.array([[[[0.5, 0.5], [1.0, 0.0]]]])  # (1, 1, 2, 2)
    norms = np.array([[[1.0, 3.0]]])  # token 1 sends a vector three times as long
    raw = value_weighted(att, norms, normalise=False)
    np.testing.assert_allclose(raw[0, 0], [[0.5, 1.5], [1.0, 0.0]])
    np.testing.assert_allclose(value_weighted(att, norms)[0, 0], [[0.25, 0.75], [1.0, 0.0]])
    # A row whose every weight lands on zero-norm tokens receives nothing: zeros, not NaN.
    np.testing.assert_array_equal(value_weighted(att, np.zeros((1, 1, 2))), np.zeros((1, 1, 2, 2)))
    # One layer's (H, T, T) works the same as the (L, H, T, T) stack.
    big, big_norms = random_attention(), np.random.default_rng(1).random((4, 3, 7))
    np.testing.assert_allclose(value_weighted(big[2], big_norms[2]), value_weighted(big, big_norms)[2])
    np.testing.assert_allclose(value_weighted(big, big_norms).sum(-1), 1.0)
    with pytest.raises(ValueError):
        value_weighted(big, big_norms[..., :-1])


def test_value_norms_from_inference_equal_a_naive_computation(tiny_model):
    from bertviz_app.analysis.inference import InferenceInput, run_inference

    lm = tiny_model
    result = run_inference(lm, InferenceInput("the cat sat on the [MASK] .", want_internals=True))
    hidden = result.hidden_states  # (L+1, T, D): index l is the input of layer l
    num_layers, num_heads, t = result.value_norms.shape
    d = hidden.shape[-1]
    hd = d // num_heads
    for layer in range(num_layers):
        block = lm.model.encoder.layer[layer]
        w_v = block.attention.self.value.weight.detach().numpy().astype(np.float64)  # (D, D) out x in
        b_v = block.attention.self.value.bias.detach().numpy().astype(np.float64)
        w_o = block.attention.output.dense.weight.detach().numpy().astype(np.float64)  # (D, D) out x in
        for head in range(num_heads):
            cols = slice(head * hd, (head + 1) * hd)
            for j in range(t):
                x = hidden[layer, j].astype(np.float64)
                v = w_v[cols] @ x + b_v[cols]  # (hd,): this head's value vector of token j
                sent = w_o[:, cols] @ v  # (D,): what it adds to the output, before the residual
                assert result.value_norms[layer, head, j] == pytest.approx(np.linalg.norm(sent), rel=1e-4)
