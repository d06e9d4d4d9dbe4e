"""Head importance: how much the current top prediction at each mask leans on each attention head.

For every head still switched on, the drop in log-probability of the baseline's top-1 word at each mask when
that head alone is knocked out as well (on top of the heads the user already switched off, which stay off):
drop > 0 means the head helps the prediction, drop < 0 that the prediction does better without it.
Michel et al. (2019), "Are Sixteen Heads Really Better than One?", ablate heads the same way.

Many heads go into one forward pass: B copies of the sentence, row b with its own head knocked out through a
(B, L, H) head mask. Every layer below a head computes exactly what the baseline computed, so a batch starts
at its lowest head's layer from the baseline's hidden state there instead of at the embeddings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from bertviz_app.analysis.inference import Head, InferenceInput, head_mask, prepare
from bertviz_app.analysis.tasks import run_to_end
from bertviz_app.engine.errors import InputError, NoMLMHeadError
from bertviz_app.engine.loader import LoadedModel

DEFAULT_BATCH = 24
# At most this many tokens (rows x sentence length) in one batch: a long input gets fewer heads per step, so a
# step stays short enough for Cancel and for inference requests queued behind it.
STEP_TOKENS = 512


@dataclass(frozen=True, eq=False)
class HeadImportance:
    """What removing each head alone does to the prediction at each mask. N masks, L layers, H heads."""

    input: InferenceInput  # what it was computed for (knock-outs included): stale once the input moves on
    tokens: tuple[str, ...]
    masked_positions: tuple[int, ...]  # (N,) token positions, in the order of the rows below
    target_ids: tuple[int, ...]  # (N,) the baseline's top-1 word at each mask
    target_tokens: tuple[str, ...]  # (N,) the tokenizer's strings
    baseline_log_probs: np.ndarray  # (N,) float32: log p(target) with only the user's knock-outs
    drops: np.ndarray  # (N, L, H) float32: baseline log p(target) - log p(target) without that head; 0 if off
    knocked_out: frozenset[Head]  # the heads already off in the baseline (their drop is 0 by definition)
    seconds: float
    target_displays: tuple[str, ...] = ()  # (N,) the same words readably ("Ġparis" -> "paris")

    def __post_init__(self) -> None:
        if not self.target_displays:
            object.__setattr__(self, "target_displays", self.target_tokens)

    @property
    def num_masks(self) -> int:
        return len(self.masked_positions)


@torch.inference_mode()
def _baseline(lm: LoadedModel, ids: torch.Tensor, types: torch.Tensor, masked: list[int], base: torch.Tensor):
    """-> hidden states (L+1, T, D) entering each layer, targets (N,), their log-probs (N,)."""
    out = lm.model(
        ids,
        types,
        predict_at=torch.tensor(masked, dtype=torch.long),
        output_hidden_states=True,
        head_mask=base,
    )
    log_probs = out.logits.log_softmax(dim=-1)  # (N, V)
    best, targets = log_probs.max(dim=-1)  # (N,)
    return out.hidden_states[0], targets, best


@torch.inference_mode()
def _batch_log_probs(
    lm: LoadedModel,
    hidden: torch.Tensor,
    heads: list[Head],
    base: torch.Tensor,
    masked: list[int],
    targets: torch.Tensor,
) -> torch.Tensor:
    """log p(target) at each mask with each of `heads` knocked out in turn -> (len(heads), N)."""
    B = len(heads)
    masks = base.expand(B, -1, -1).clone()  # (B, L, H)
    for row, (layer, head) in enumerate(heads):
        masks[row, layer, head] = 0.0
    start = min(layer for layer, _ in heads)
    x = hidden[start].expand(B, -1, -1)  # (B, T, D): identical to the baseline up to layer `start`
    x = lm.model.run_layers(x, start, head_mask=masks).last_hidden_state  # (B, T, D)
    log_probs = lm.model.mlm_logits(x[:, masked]).log_softmax(dim=-1)  # (B, N, V)
    index = targets.view(1, -1, 1).expand(B, -1, 1)  # (B, N, 1)
    return log_probs.gather(-1, index).squeeze(-1)  # (B, N)


def head_importance_task(lm: LoadedModel, inp: InferenceInput, batch: int = DEFAULT_BATCH):
    """Generator: yields (heads done, heads to do) after the baseline and after each batch, returns HeadImportance.

    `batch` is the most heads per forward pass (fewer for long inputs, see STEP_TOKENS).
    Raises NoMLMHeadError without a masked-language-model head and InputError when nothing is masked.
    """
    start_time = time.perf_counter()
    if not lm.has_mlm_head:
        raise NoMLMHeadError(
            "Head importance needs a model that predicts masked words, and this one has no "
            "masked-language-model head. Knocking heads out still changes attention and embeddings."
        )
    prep = prepare(lm, inp)
    masked = list(prep.masked)
    if not masked:
        raise InputError(
            "Mask a word first (click a token, or type [MASK]): head importance measures how much each "
            "head helps the prediction at a mask."
        )
    L, H = lm.config.num_hidden_layers, lm.config.num_attention_heads
    base = head_mask(lm, inp.knocked_out)
    base = torch.ones(L, H) if base is None else base  # (L, H)
    # The same path with a head mask as the batches: otherwise heads that change nothing show float noise.
    hidden, targets, best = _baseline(lm, prep.input_ids, prep.token_type_ids, masked, base)
    todo = [(layer, head) for layer in range(L) for head in range(H) if base[layer, head] > 0]  # layer-major
    drops = np.zeros((len(masked), L, H), dtype=np.float32)  # (N, L, H)
    batch = max(1, min(int(batch), STEP_TOKENS // len(prep.input_ids)))
    yield 0, len(todo)
    for first in range(0, len(todo), batch):
        heads = todo[first : first + batch]
        log_probs = _batch_log_probs(lm, hidden, heads, base, masked, targets)  # (B, N)
        change = (best[None, :] - log_probs).numpy()  # (B, N)
        for row, (layer, head) in enumerate(heads):
            drops[:, layer, head] = change[row]
        yield first + len(heads), len(todo)
    target_ids = tuple(int(t) for t in targets.tolist())
    return HeadImportance(
        input=inp,
        tokens=prep.encoding.tokens,
        masked_positions=tuple(masked),
        target_ids=target_ids,
        target_tokens=tuple(lm.tokenizer.id_to_token(t) for t in target_ids),
        baseline_log_probs=best.numpy().astype(np.float32),
        drops=drops,
        knocked_out=frozenset((layer, head) for layer in range(L) for head in range(H) if base[layer, head] == 0),
        seconds=time.perf_counter() - start_time,
        target_displays=tuple(
            lm.tokenizer.display_prediction(lm.tokenizer.id_to_token(t), prep.encoding, pos)
            for t, pos in zip(target_ids, masked)
        ),
    )


def head_importance(lm: LoadedModel, inp: InferenceInput, batch: int = DEFAULT_BATCH) -> HeadImportance:
    """head_importance_task run to the end (no progress, no cancelling): for scripts and tests."""
    return run_to_end(head_importance_task(lm, inp, batch))
