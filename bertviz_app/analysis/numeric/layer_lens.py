"""Per-layer predictions ("logit lens" for BERT): what the MLM head would guess from each layer's hidden state.

Works on `InferenceResult.layer_probs` (L+1, N, V) only: the softmax of the MLM head applied to the hidden state
after each layer (row 0: the embeddings) at each of the N masks. The last row is the model's own prediction;
the earlier rows show when the guess forms. The MLM head was trained on the last layer only, so early rows
read the intermediate states through a lens made for another layer (nostalgebraist 2020): a rough view.
"""

from __future__ import annotations

import numpy as np


def layer_names(num_states: int) -> list[str]:
    """Row labels: "embeddings", "layer 1", …, "layer L" for num_states = L+1 hidden states."""
    return ["embeddings"] + [f"layer {i}" for i in range(1, num_states)]


def _check(layer_probs: np.ndarray, mask_row: int) -> np.ndarray:
    if layer_probs.ndim != 3:
        raise ValueError(f"layer_probs must be (L+1, N, V), got shape {layer_probs.shape}")
    if not 0 <= mask_row < layer_probs.shape[1]:
        raise IndexError(f"mask row {mask_row} out of range (0..{layer_probs.shape[1] - 1})")
    return layer_probs[:, mask_row]  # (L+1, V)


def top_k_by_layer(layer_probs: np.ndarray, mask_row: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k most probable word pieces at every layer for one mask, most probable first.

    Returns (ids (L+1, k) int64, probabilities (L+1, k) float32); k is capped at the vocabulary size.
    """
    probs = _check(layer_probs, mask_row)  # (L+1, V)
    k = max(1, min(int(k), probs.shape[1]))
    # A partition finds the k-th largest probability in O(V); only the pieces at least that probable get sorted.
    # Ties are broken by vocabulary id (also at the k-th place), so equally likely pieces never swap places
    # from one render to the next.
    kth = -np.partition(-probs, k - 1, axis=1)[:, k - 1]  # (L+1,)
    ids = np.empty((probs.shape[0], k), dtype=np.int64)  # (L+1, k)
    for layer, (row, threshold) in enumerate(zip(probs, kth, strict=True)):
        candidates = np.flatnonzero(row >= threshold)
        ids[layer] = candidates[np.lexsort((candidates, -row[candidates]))[:k]]
    return ids, np.take_along_axis(probs, ids, axis=1).astype(np.float32)


def word_trajectory(layer_probs: np.ndarray, mask_row: int, token_id: int) -> tuple[np.ndarray, np.ndarray]:
    """One word piece's probability and rank at every layer for one mask.

    Returns (probabilities (L+1,) float32, ranks (L+1,) int64); rank 1 is the top guess, and a piece tied with
    others gets the best rank among them (1 + the number of pieces strictly more probable).
    """
    probs = _check(layer_probs, mask_row)  # (L+1, V)
    if not 0 <= token_id < probs.shape[1]:
        raise IndexError(f"token id {token_id} out of range (0..{probs.shape[1] - 1})")
    p = probs[:, token_id]  # (L+1,)
    ranks = 1 + (probs > p[:, None]).sum(axis=1)  # (L+1,)
    return p.astype(np.float32), ranks.astype(np.int64)
