"""Tokens pooled to words: attention between words and one embedding per word.

A word is the tokens that share a word key (sentence, word index) — the tokenizer's own words for languages with
spaces ("un ##believ ##able"), jieba's for Chinese (北 京 -> 北京; see engine/words.py). Special tokens are words of
their own. Attention is pooled as Clark et al. (2019, "What does BERT look at?") pool it to words: a word as a key
receives the **sum** of what its tokens receive, a word as a query gives the **mean** of what its tokens give, so
every row still sums to 1. Embeddings are the mean of a word's tokens' hidden states.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

import numpy as np

JOIN_MARK = "##"  # how a piece that continues a word is shown (engine/tokenizer.py's JOIN_MARK)
POOL_NOW_MAX = 250_000  # attention numbers (layers × heads × T × T) pooled on the GUI thread (a few ms at most:
# 10M numbers take 55 ms on a quiet 2-core machine); more: on the worker, a layer a step (pool_words_task)


def word_groups(word_keys: Sequence[Hashable | None]) -> list[list[int]]:
    """Token positions grouped into words, in order: neighbouring tokens with the same key are one word; a token
    whose key is None (a special token) is a word of its own. `word_keys[i]` is Encoding.word_key(i)."""
    groups: list[list[int]] = []
    for i, key in enumerate(word_keys):
        if groups and key is not None and word_keys[groups[-1][-1]] == key:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def has_words(groups: list[list[int]]) -> bool:
    """Whether pooling changes anything: some word has two or more tokens."""
    return any(len(g) > 1 for g in groups)


def _starts(groups: list[list[int]], length: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each word starts and how many tokens it has; ValueError unless the words are runs of neighbouring
    tokens covering each of the `length` tokens once, in order."""
    if [i for g in groups for i in g] != list(range(length)):
        raise ValueError(f"the words must cover each of the {length} tokens exactly once, in order")
    return np.array([g[0] for g in groups], dtype=np.intp), np.array([len(g) for g in groups], dtype=np.float32)


def pool_attention(attention: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """(..., T, T) -> (..., W, W) float32: keys summed over a word's tokens, queries averaged over them.

    pooled[w, v] = mean over query tokens i of w of (sum over key tokens j of v of attention[i, j]), as sums over
    runs of tokens (np.add.reduceat): microseconds for a sentence, but 0.6 s for 512 tokens × 144 heads on a quiet
    2-core machine (2-3 s loaded; about what the product with a (W, T) membership matrix takes), which is why a
    view pools more than POOL_NOW_MAX numbers on the worker (pool_words_task).
    """
    attention = np.asarray(attention, dtype=np.float32)
    if attention.ndim < 2 or attention.shape[-1] != attention.shape[-2]:
        raise ValueError(f"attention must be (..., T, T), got shape {attention.shape}")
    starts, sizes = _starts(groups, attention.shape[-1])
    keys = np.add.reduceat(attention, starts, axis=-1)  # (..., T, W)
    return np.add.reduceat(keys, starts, axis=-2) / sizes[:, None]  # (..., W, W)


def pool_embeddings(hidden: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """(..., T, D) -> (..., W, D) float32: the mean of each word's tokens' vectors."""
    hidden = np.asarray(hidden, dtype=np.float32)
    starts, sizes = _starts(groups, hidden.shape[-2])
    return np.add.reduceat(hidden, starts, axis=-2) / sizes[:, None]  # (..., W, D)


def word_labels(labels: Sequence[str], groups: list[list[int]]) -> list[str]:
    """A label per word: its tokens' labels joined, without the marks of continuing pieces ("un", "##believ",
    "##able" -> "unbelievable"; "北", "京" -> "北京")."""
    out = []
    for group in groups:
        first, *rest = (labels[i] for i in group)
        out.append(first + "".join(t.removeprefix(JOIN_MARK) for t in rest))
    return out


def pooled_index(groups: list[list[int]], position: int | None) -> int | None:
    """The word holding token `position` (None stays None)."""
    if position is None:
        return None
    return next((w for w, g in enumerate(groups) if position in g), None)


def result_words(result) -> list[list[int]] | None:
    """The token positions of each word of an InferenceResult (or anything shaped like one), or None when every
    word is one token (nothing to pool)."""
    enc = result.encoding
    groups = word_groups([enc.word_key(i) for i in range(len(enc))])
    return groups if has_words(groups) else None


def pooled_result(result, groups: list[list[int]], with_attention: bool = True):
    """An InferenceResult (or anything shaped like one) pooled to its words (`result_words`). Its tokens are the
    words (labels joined), a word is masked or unknown where one of its tokens is, its attention is pooled as
    `pool_attention` says (or left out: `with_attention` False, for a view that shows none) and its hidden states
    as `pool_embeddings`; what has no word-level meaning (value norms, query/key vectors, per-token predictions,
    local attention windows) is left out."""
    enc = result.encoding

    def first(values) -> tuple:
        return tuple(values[g[0]] for g in groups)

    def any_of(values) -> tuple:
        return tuple(any(values[i] for i in g) for g in groups)

    encoding = replace(
        enc,
        tokens=tuple(word_labels(enc.tokens, groups)),
        input_ids=first(enc.input_ids),
        token_type_ids=first(enc.token_type_ids),
        offsets=tuple((enc.offsets[g[0]][0], enc.offsets[g[-1]][1]) for g in groups),
        word_ids=first(enc.word_ids),
        special=first(enc.special),
        segments=first(enc.segments),
        typed_mask=any_of(enc.typed_mask),
        display_tokens=tuple(word_labels(enc.display_tokens, groups)),
        starts_word=first(enc.starts_word),
        unknown=any_of(enc.unknown),
    )
    masked = set(result.masked_positions)
    return replace(
        result,
        encoding=encoding,
        masked_positions=tuple(w for w, g in enumerate(groups) if masked.intersection(g)),
        predictions=(),
        attention=None if result.attention is None or not with_attention else pool_attention(result.attention, groups),
        hidden_states=None if result.hidden_states is None else pool_embeddings(result.hidden_states, groups),
        queries=None,
        keys=None,
        value_norms=None,
        layer_probs=None,
        replaced_probs=None,
        attention_windows=(),
    )


@dataclass(frozen=True)
class PooledWords:
    """What pool_words_task returns: the result it was given, pooled to its words."""

    result: object


def pool_words_task(_model, _inp, *, result, groups: list[list[int]]):
    """The "pool_words" analysis: pooled_result of a long input on the worker, one layer's attention a step, so
    that inference and cancelling get in between (a change of input cancels it)."""
    layers = []
    total = 0 if result.attention is None else result.attention.shape[0]
    for layer in range(total):
        layers.append(pool_attention(result.attention[layer], groups))
        yield layer + 1, total
    pooled = pooled_result(result, groups, with_attention=False)
    return PooledWords(replace(pooled, attention=np.stack(layers) if layers else None))
