"""Two inputs side by side: which tokens they share, how the shared tokens' attention and hidden states differ.

Typical uses: a he/she swap ("The doctor said he was tired" / "... she ..."), or one word in two senses
("I sat on the river bank" / "I went to the bank to deposit money"), where the shared token "bank" is followed
through the layers to see where its two readings part.

The helpers are plain numpy; the attention ones live in analysis/numeric/attention_flow.py, where the GUI imports
them. Only `compare_task` runs the model, and it imports the torch-based inference lazily.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from bertviz_app.analysis.numeric.attention_flow import alignment_indices

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceInput, InferenceResult
    from bertviz_app.engine.loader import LoadedModel

Pair = tuple[int, int]  # (token index in A, token index in B)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two runs of the model and how they line up. Token indices include [CLS] and [SEP]."""

    result_a: InferenceResult
    result_b: InferenceResult
    tokens_a: tuple[str, ...]  # as the model saw them: the mask token where a token was masked
    tokens_b: tuple[str, ...]
    alignment: tuple[Pair, ...]  # the S shared tokens, in order in both inputs
    embedding_shift: np.ndarray  # (L+1, S) float32: 1 - cos(h_A, h_B) per layer (0 = embeddings) and shared token
    display_a: tuple[str, ...] = ()  # tokens_a readably ("Ġbank" -> "bank"), for axes and labels
    display_b: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name, tokens in (("display_a", self.tokens_a), ("display_b", self.tokens_b)):
            if not getattr(self, name):
                object.__setattr__(self, name, tokens)

    @property
    def shared_tokens(self) -> tuple[str, ...]:
        return tuple(self.tokens_a[i] for i, _ in self.alignment)

    @property
    def shared_display(self) -> tuple[str, ...]:
        """The shared tokens readably."""
        return tuple(self.display_a[i] for i, _ in self.alignment)

    @property
    def only_a(self) -> tuple[int, ...]:
        """Indices of A's tokens that B lacks."""
        shared = {i for i, _ in self.alignment}
        return tuple(i for i in range(len(self.tokens_a)) if i not in shared)

    @property
    def only_b(self) -> tuple[int, ...]:
        shared = {j for _, j in self.alignment}
        return tuple(j for j in range(len(self.tokens_b)) if j not in shared)

    def most_shifted(self, layer: int | None = None, words_only: bool = False) -> int | None:
        """Index into the shared tokens of the one whose hidden state moved most at `layer` (default: the last),
        or None when nothing is shared or nothing moved. words_only skips [CLS] and [SEP], which often move most
        because they gather the whole sentence."""
        if not self.alignment:
            return None
        row = self.embedding_shift[-1 if layer is None else layer].astype(np.float64)  # (S,)
        if words_only:
            special = self.result_a.encoding.special
            row = np.where([special[i] for i, _ in self.alignment], -np.inf, row)
        best = int(np.argmax(row))
        return best if row[best] > 0 else None


def seen_tokens(result: InferenceResult, mask_token: str, readable: bool = False) -> tuple[str, ...]:
    """The result's tokens as the model received them (`readable`: their display forms): a masked word is the
    mask token, not the word it hid."""
    masked = set(result.masked_positions)
    tokens = result.display_tokens if readable else result.tokens
    return tuple(mask_token if i in masked else t for i, t in enumerate(tokens))


def align_tokens(
    tokens_a: tuple[str, ...] | list[str],
    tokens_b: tuple[str, ...] | list[str],
    segments_a: tuple[int, ...] | None = None,
    segments_b: tuple[int, ...] | None = None,
) -> tuple[Pair, ...]:
    """Pairs (i, j) of equal tokens in the same order in both sequences (difflib's matching blocks).

    A token matches only a token of the same sentence of a pair (segment), so the [SEP] closing sentence one is
    never paired with the final one of the other input. autojunk is off: with it, difflib ignores frequent
    tokens such as "the" in inputs of 200 tokens or more.
    """
    seg_a = segments_a if segments_a is not None else (0,) * len(tokens_a)
    seg_b = segments_b if segments_b is not None else (0,) * len(tokens_b)
    keys_a = list(zip(seg_a, tokens_a, strict=True))
    keys_b = list(zip(seg_b, tokens_b, strict=True))
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    return tuple((a + k, b + k) for a, b, size in matcher.get_matching_blocks() for k in range(size))


def cosine_distance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """1 - cos between matching vectors along the last axis: (..., D), (..., D) -> (...), in [0, 2].

    A zero vector has no direction: its distance to anything is 1 (cos taken as 0), never NaN.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    norms = np.linalg.norm(x, axis=-1) * np.linalg.norm(y, axis=-1)
    dots = np.sum(x * y, axis=-1)
    cos = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    # Rounding can put cos a hair above 1 for identical vectors; a distance is never negative.
    return np.clip(1.0 - cos, 0.0, 2.0)


def embedding_shift(hidden_a: np.ndarray, hidden_b: np.ndarray, alignment) -> np.ndarray:
    """hidden_a (L+1, T_a, D), hidden_b (L+1, T_b, D) -> (L+1, S): 1 - cos between each shared token's hidden
    state in A and in B, per layer."""
    ia, ib = alignment_indices(alignment)
    return cosine_distance(hidden_a[:, ia], hidden_b[:, ib]).astype(np.float32)  # (L+1, S)


def compare_task(
    lm: LoadedModel,
    inp: InferenceInput,
    other_text: str,
    other_pair: str | None = None,
    result_a: InferenceResult | None = None,
) -> Comparison:
    """Run the current input and `other_text` (with `other_pair` as its second sentence, if any) and compare them.

    Both runs have the same heads knocked out. The current input keeps its masks; the other input's masks are
    the [MASK]s typed in it (character spans of one sentence mean nothing in another). `result_a`, the result the
    window already has for the current input, saves running it again when it is indeed that input's.
    """
    from bertviz_app.analysis.inference import is_result_of, prepare, run_inference

    inp_a = replace(inp, want_attention=True, want_hidden_states=True, want_internals=False)
    inp_b = replace(inp_a, text=other_text, text_b=other_pair or None, masked_spans=())
    reusable = result_a is not None and result_a.attention is not None and result_a.hidden_states is not None
    if not (reusable and is_result_of(result_a, lm, prepare(lm, inp_a), inp_a)):
        result_a = run_inference(lm, inp_a)
    result_b = run_inference(lm, inp_b)
    mask = lm.tokenizer.mask_token
    tokens_a, tokens_b = seen_tokens(result_a, mask), seen_tokens(result_b, mask)
    alignment = align_tokens(tokens_a, tokens_b, result_a.encoding.segments, result_b.encoding.segments)
    return Comparison(
        result_a=result_a,
        result_b=result_b,
        tokens_a=tokens_a,
        tokens_b=tokens_b,
        alignment=alignment,
        embedding_shift=embedding_shift(result_a.hidden_states, result_b.hidden_states, alignment),
        display_a=seen_tokens(result_a, mask, readable=True),
        display_b=seen_tokens(result_b, mask, readable=True),
    )
