"""One input in, everything the panels show out: tokens, top-k at each mask, attention, hidden states."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from bertviz_app.engine.loader import LoadedModel
from bertviz_app.engine.tokenizer import Encoding

MaskSpan = tuple[int, int, int]  # (segment 0 or 1, start, end): characters of that sentence to mask


@dataclass(frozen=True)
class InferenceInput:
    text: str
    text_b: str | None = None
    masked_spans: tuple[MaskSpan, ...] = ()  # besides every [MASK] typed in the text
    whole_word: bool = False  # masking one piece of a word masks all its pieces
    top_k: int = 10
    want_attention: bool = True
    want_hidden_states: bool = True


@dataclass(frozen=True)
class Prediction:
    token: str
    token_id: int
    probability: float


@dataclass(frozen=True)
class MaskPrediction:
    position: int  # index into the tokens (which include [CLS] and [SEP])
    original_token: str  # what the text had there ("[MASK]" when typed as such)
    predictions: tuple[Prediction, ...]  # most probable first


@dataclass(frozen=True, eq=False)
class InferenceResult:
    model_name: str
    encoding: Encoding
    masked_positions: tuple[int, ...]
    predictions: tuple[MaskPrediction, ...]  # empty when the model has no MLM head or nothing is masked
    has_mlm_head: bool
    attention: np.ndarray | None  # (L, H, T, T) float32, rows sum to 1
    hidden_states: np.ndarray | None  # (L+1, T, D) float32
    seconds: float

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.encoding.tokens


def positions_to_mask(encoding: Encoding, spans: tuple[MaskSpan, ...] = (), whole_word: bool = False) -> list[int]:
    """Token positions to replace by [MASK]: typed [MASK] tokens, and tokens overlapping a masked span."""
    chosen = set()
    for i, token in enumerate(encoding.tokens):
        if token == "[MASK]":
            chosen.add(i)
            continue
        if encoding.special[i]:
            continue
        start, end = encoding.offsets[i]
        segment = encoding.token_type_ids[i]
        if any(s == segment and start < e and b < end for s, b, e in spans):
            chosen.add(i)
    if whole_word:
        for i in list(chosen):
            if encoding.tokens[i] != "[MASK]":
                chosen.update(encoding.whole_word(i))
    return sorted(chosen)


def shift_spans(old: str, new: str, spans: tuple[MaskSpan, ...], segment: int) -> tuple[MaskSpan, ...]:
    """Carry masked character spans of one sentence across an edit of it.

    The edit is the stretch between the texts' common prefix and common suffix: spans ending before it
    stay, spans starting after it move by the change in length, and spans it cuts into are dropped (their
    word changed). Typing right before or after a masked word keeps the mask on it.
    """
    if old == new:
        return spans
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    edit_start, edit_end = prefix, len(old) - suffix  # the replaced stretch of `old`
    delta = len(new) - len(old)
    kept = []
    for span in spans:
        seg, start, end = span
        if seg != segment or end <= edit_start:
            kept.append(span)
        elif start >= edit_end:
            kept.append((seg, start + delta, end + delta))
    return tuple(kept)


def run_inference(lm: LoadedModel, inp: InferenceInput) -> InferenceResult:
    start = time.perf_counter()
    encoding = lm.tokenizer.encode(inp.text, inp.text_b)
    masked = positions_to_mask(encoding, inp.masked_spans, inp.whole_word)
    ids = torch.tensor(encoding.input_ids, dtype=torch.long)  # (T,)
    if masked:
        ids[masked] = lm.tokenizer.mask_id
    types = torch.tensor(encoding.token_type_ids, dtype=torch.long)
    types.clamp_(max=lm.config.type_vocab_size - 1)  # models with type_vocab_size 1 see a pair as one text
    predict = lm.has_mlm_head and bool(masked)
    with torch.inference_mode():
        out = lm.model(
            ids,
            types,
            predict_at=torch.tensor(masked, dtype=torch.long) if predict else None,
            output_attentions=inp.want_attention,
            output_hidden_states=inp.want_hidden_states,
        )
        predictions = ()
        if predict:
            k = max(1, min(inp.top_k, lm.config.vocab_size))
            probs, top_ids = out.logits.softmax(dim=-1).topk(k, dim=-1)  # (N, k)
            predictions = tuple(
                MaskPrediction(
                    position=pos,
                    original_token=encoding.tokens[pos],
                    predictions=tuple(
                        Prediction(lm.tokenizer.id_to_token(int(i)), int(i), float(p))
                        for p, i in zip(probs[row].tolist(), top_ids[row].tolist())
                    ),
                )
                for row, pos in enumerate(masked)
            )
    return InferenceResult(
        model_name=lm.name,
        encoding=encoding,
        masked_positions=tuple(masked),
        predictions=predictions,
        has_mlm_head=lm.has_mlm_head,
        attention=out.attentions[0].numpy().copy() if inp.want_attention else None,
        hidden_states=out.hidden_states[0].numpy().copy() if inp.want_hidden_states else None,
        seconds=time.perf_counter() - start,
    )
