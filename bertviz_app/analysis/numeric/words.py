"""Tokens pooled to words: attention between words and one embedding per word.

A word is the tokens that share a word key (sentence, word index) — the tokenizer's own words for languages with
spaces ("un ##believ ##able"), jieba's for Chinese (北 京 -> 北京; see engine/words.py). Special tokens are words of
their own. Attention is pooled as Clark et al. (2019, "What does BERT look at?") pool it to words: a word as a key
receives the **sum** of what its tokens receive, a word as a query gives the **mean** of what its tokens give, so
every row still sums to 1. Embeddings are the mean of a word's tokens' hidden states.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

JOIN_MARK = "##"  # how a piece that continues a word is shown (engine/tokenizer.py's JOIN_MARK)


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


def membership(groups: list[list[int]], length: int) -> np.ndarray:
    """(W, T) float64: 1 where token t belongs to word w."""
    if sorted(i for g in groups for i in g) != list(range(length)):
        raise ValueError(f"the words must cover each of the {length} tokens exactly once")
    member = np.zeros((len(groups), length))
    for w, group in enumerate(groups):
        member[w, group] = 1.0
    return member


def pool_attention(attention: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """(..., T, T) -> (..., W, W) float32: keys summed over a word's tokens, queries averaged over them.

    pooled[w, v] = mean over query tokens i of w of (sum over key tokens j of v of attention[i, j]).
    """
    attention = np.asarray(attention)
    if attention.ndim < 2 or attention.shape[-1] != attention.shape[-2]:
        raise ValueError(f"attention must be (..., T, T), got shape {attention.shape}")
    member = membership(groups, attention.shape[-1])  # (W, T)
    queries = member / member.sum(axis=1, keepdims=True)  # (W, T): each row averages a word's tokens
    pooled = queries @ attention.astype(np.float64) @ member.T  # (..., W, W)
    return pooled.astype(np.float32)


def pool_embeddings(hidden: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """(..., T, D) -> (..., W, D) float32: the mean of each word's tokens' vectors."""
    hidden = np.asarray(hidden)
    member = membership(groups, hidden.shape[-2])  # (W, T)
    mean = member / member.sum(axis=1, keepdims=True)
    return (mean @ hidden.astype(np.float64)).astype(np.float32)


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
