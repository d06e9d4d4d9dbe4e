"""Where information flows, beyond one head's attention weights: rollout and value-weighted attention.

Both are functions of arrays an InferenceResult already holds (attention and value_norms), so the attention
panel computes them in the GUI thread without asking the model again. numpy only.

- Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): a layer's attention
  says where each position reads from the layer below, not from the input. Multiplying the layers' matrices
  follows the mixing back to the input tokens. The residual connection carries each position's own state
  past the attention, which the paper models by adding the identity: Â = 0.5·A + 0.5·I.
- Value-weighted attention (Kobayashi et al. 2020, "Attention is Not Only a Weight"): what token j adds to
  position i through head h is α_ij · v_j W_O^h, so a large weight on a token whose transformed value vector
  is tiny (often [SEP], [CLS] or punctuation) moves almost nothing. Weighting α_ij by ||v_j W_O^h|| shows
  how much arrives, not only where the head looks.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def _check_attention(attention: np.ndarray) -> None:
    if attention.ndim != 4 or attention.shape[-1] != attention.shape[-2]:
        raise ValueError(f"attention must be (layers, heads, T, T), got shape {attention.shape}")


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; rows that sum to 0 stay 0 (nothing flows there, and 0/0 is no answer)."""
    sums = matrix.sum(axis=-1, keepdims=True)
    positive = sums > 0
    if positive.all():  # the usual case; np.divide(..., where=) is about 5x slower than a plain division
        return matrix / sums
    return np.where(positive, matrix / np.where(positive, sums, 1), 0).astype(matrix.dtype, copy=False)


def layer_flow(layer_attention: np.ndarray, residual: bool = True) -> np.ndarray:
    """(H, T, T) one layer's attention → (T, T): the mean over heads, with the residual term Â = 0.5·A + 0.5·I
    when `residual`, rows re-normalised (they already sum to 1 up to rounding; padded rows may not)."""
    mixed = layer_attention.mean(axis=0)  # (T, T)
    if residual:
        mixed = 0.5 * mixed
        mixed[np.diag_indices_from(mixed)] += 0.5
    return _normalise_rows(mixed)


def iter_rollout(attention: np.ndarray, residual: bool = True, start_layer: int = 0) -> Iterator[np.ndarray]:
    """Rollout one layer at a time: yields the (T, T) matrix of layer 0, 1, ... (see rollout).

    A generator so a caller can stop at the layer it needs: the product up to layer l costs l matrix
    products of T × T, which at 512 tokens is most of the time budget of a repaint.
    """
    _check_attention(attention)
    num_layers, t = attention.shape[0], attention.shape[-1]
    if not 0 <= start_layer < max(num_layers, 1):
        raise ValueError(f"start_layer {start_layer} out of range for {num_layers} layers")
    dtype = np.result_type(attention.dtype, np.float32)
    joint = np.eye(t, dtype=dtype)  # (T, T): before any layer, each position holds only its own token
    for layer in range(num_layers):
        if layer >= start_layer:
            joint = layer_flow(attention[layer].astype(dtype, copy=False), residual) @ joint  # (T, T)
        yield joint


def rollout(attention: np.ndarray, residual: bool = True, start_layer: int = 0) -> np.ndarray:
    """(L, H, T, T) attention → (L, T, T) attention rollout (Abnar & Zuidema 2020).

    Per layer, A = the mean over heads and, with `residual`, Â = 0.5·A + 0.5·I (rows re-normalised). The
    rollout at layer l is Â_l · Â_{l-1} ··· Â_s with s = start_layer: row i says how much of input token j has
    reached position i by the output of layer l. Every row sums to 1. Layers below start_layer are the
    identity (nothing is counted as mixed before the start).
    """
    _check_attention(attention)
    if attention.shape[0] == 0:
        return np.zeros((0, *attention.shape[-2:]), dtype=np.result_type(attention.dtype, np.float32))
    return np.stack(list(iter_rollout(attention, residual, start_layer)))  # (L, T, T)


def value_weighted(attention: np.ndarray, value_norms: np.ndarray, normalise: bool = True) -> np.ndarray:
    """Attention weighted by the size of what each token sends (Kobayashi et al. 2020).

    attention (..., T, T) — usually (L, H, T, T) or one layer's (H, T, T) — and value_norms (..., T) =
    ||v_j W_O^h|| from the same heads → (..., T, T).

    Raw (normalise=False) this is Kobayashi's ||α f(x)||: α_ij · ||v_j W_O^h||, the length of the vector
    token j adds to position i, in the units of the hidden states, so its scale differs from layer to layer.
    With normalise=True (what the app shows) each row is divided by its sum: the share of what arrives at
    position i that comes from token j. Rows then sum to 1 like attention rows, so the two can be compared
    cell by cell on one colour scale, and with equal value norms it is exactly the attention.
    """
    if value_norms.shape != attention.shape[:-1]:
        raise ValueError(
            f"value_norms must be attention's shape without the last axis: {attention.shape[:-1]}, "
            f"got {value_norms.shape}"
        )
    weighted = attention * value_norms[..., None, :]  # (..., T, T): column j scaled by ||v_j W_O^h||
    return _normalise_rows(weighted) if normalise else weighted


def alignment_indices(alignment) -> tuple[np.ndarray, np.ndarray]:
    """Token pairs ((i_a, i_b), ...) of two inputs -> the index arrays (i_a...), (i_b...)."""
    pairs = np.asarray(alignment, dtype=np.int64).reshape(-1, 2)  # (S, 2)
    return pairs[:, 0], pairs[:, 1]


def shared_attention(attention: np.ndarray, index: np.ndarray, renormalize: bool = False) -> np.ndarray:
    """(..., T, T) -> (..., S, S): attention among the tokens at `index` only.

    Without renormalize these are the weights the model gave (rows of the full softmax), so a row sums to
    less than 1 when part of its attention went to tokens outside `index`. With renormalize each row is divided
    by its sum over `index`: the share of the attention that stayed among those tokens (an all-zero row stays 0).
    """
    index = np.asarray(index, dtype=np.int64)
    sub = np.asarray(attention)[..., index[:, None], index[None, :]]  # (..., S, S)
    if not renormalize:
        return sub
    sums = sub.sum(axis=-1, keepdims=True)
    return np.divide(sub, sums, out=np.zeros_like(sub), where=sums > 0)


def attention_difference(att_a: np.ndarray, att_b: np.ndarray, alignment, renormalize: bool = False) -> np.ndarray:
    """att_a (..., T_a, T_a), att_b (..., T_b, T_b) -> (..., S, S): attention among shared tokens, B minus A.

    Entry (s, r) is how much more shared token s attends to shared token r in B than in A (negative: less).
    The weights are the model's own unless `renormalize` (see shared_attention).
    """
    ia, ib = alignment_indices(alignment)
    return shared_attention(att_b, ib, renormalize) - shared_attention(att_a, ia, renormalize)
