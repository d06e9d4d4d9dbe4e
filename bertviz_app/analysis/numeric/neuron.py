"""The neuron view: one attention row taken apart, softmax(q·kⱼ / √d_k) for one query token, layer and head.

Pure numpy over the cached query and key vectors of an InferenceResult, so the panel can re-slice on every
click without asking the worker. Everything is float64: the point is to show numbers that add up exactly
(the products of a row sum to its score), not to save memory on a (T, hd) slice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class NeuronView:
    layer: int  # 0-based
    head: int  # 0-based
    query_token: int  # index into the tokens
    q: np.ndarray  # (hd,) the query vector of query_token (bias included, not yet scaled)
    k: np.ndarray  # (T, hd) the key vector of every token
    products: np.ndarray  # (T, hd) q * k[j], element by element
    scores: np.ndarray  # (T,) q · k[j] = products.sum(-1)
    scale: float  # √d_k, what the scores are divided by
    scaled: np.ndarray  # (T,) scores / scale
    probs: np.ndarray  # (T,) softmax(scaled): the attention row of query_token

    @property
    def head_dim(self) -> int:
        return int(self.q.shape[0])


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax of a 1-D array, shifted by its max so that large scores cannot overflow exp."""
    shifted = np.exp(x - x.max())
    return shifted / shifted.sum()


def neuron_view(queries: np.ndarray, keys: np.ndarray, layer: int, head: int, query_token: int) -> NeuronView:
    """queries, keys (L, H, T, hd) -> the computation of attention[layer, head, query_token] step by step."""
    if queries.ndim != 4 or queries.shape != keys.shape:
        raise ValueError(f"queries and keys must both be (L, H, T, hd); got {queries.shape} and {keys.shape}")
    num_layers, num_heads, num_tokens, head_dim = queries.shape
    if not 0 <= layer < num_layers:
        raise IndexError(f"layer {layer} out of range (the model has {num_layers})")
    if not 0 <= head < num_heads:
        raise IndexError(f"head {head} out of range (each layer has {num_heads})")
    if not 0 <= query_token < num_tokens:
        raise IndexError(f"query token {query_token} out of range (the input has {num_tokens} tokens)")
    if head_dim == 0:
        raise ValueError("the head dimension is 0")
    q = queries[layer, head, query_token].astype(np.float64)  # (hd,)
    k = keys[layer, head].astype(np.float64)  # (T, hd)
    products = q * k  # (T, hd)
    scores = products.sum(-1)  # (T,)
    scale = math.sqrt(head_dim)
    scaled = scores / scale  # (T,)
    return NeuronView(
        layer=layer,
        head=head,
        query_token=query_token,
        q=q,
        k=k,
        products=products,
        scores=scores,
        scale=scale,
        scaled=scaled,
        probs=softmax(scaled),
    )


def find_token(tokens: tuple[str, ...] | list[str], spec: str) -> int | None:
    """'#8' -> 8; 'it' -> the first token spelled 'it' (case-insensitive, '##' ignored); None if absent."""
    if spec.startswith("#") and spec[1:].isdigit():
        index = int(spec[1:])
        return index if 0 <= index < len(tokens) else None
    wanted = spec.lower()
    for i, token in enumerate(tokens):
        if token.lower() == wanted or token.lower().removeprefix("##") == wanted:
            return i
    return None
