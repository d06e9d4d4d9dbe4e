"""Head importance: how much the current top prediction at each mask (or a classifier's label) leans on each
attention head.

For every head still switched on, the drop in log-probability of the baseline's top-1 word at each mask when
that head alone is knocked out as well (on top of the heads the user already switched off, which stay off):
drop > 0 means the head helps the prediction, drop < 0 that the prediction does better without it.
Michel et al. (2019), "Are Sixteen Heads Really Better than One?", ablate heads the same way. For a model with a
classification head the score is the log-probability of the predicted (or a chosen) label of the sequence
classifier, or of the predicted tag at each word token of the token classifier.

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
from bertviz_app.analysis.numeric.labels import SEQUENCE
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
    # "mask": targets are words at masks; "label": a classifier's labels (the sequence's at position 0, or the
    # tag of each token at masked_positions), target_ids their label ids
    score: str = "mask"

    def __post_init__(self) -> None:
        if not self.target_displays:
            object.__setattr__(self, "target_displays", self.target_tokens)

    @property
    def num_masks(self) -> int:
        return len(self.masked_positions)


def _mask_scorer(lm: LoadedModel, masked: list[int]):
    """x (B, T, D) -> log-probabilities (B, N, V) of the vocabulary at the masks."""
    return lambda x: lm.model.mlm_logits(x[:, masked]).log_softmax(dim=-1)


def _label_scorer(lm: LoadedModel, positions: list[int]):
    """x (B, T, D) -> log-probabilities (B, N, C) of the labels: the sequence's (N = 1) or at each position."""
    if lm.task == SEQUENCE:
        return lambda x: lm.model.task_logits(x).log_softmax(dim=-1)[:, None]
    return lambda x: lm.model.task_logits(x[:, positions]).log_softmax(dim=-1)


@torch.inference_mode()
def _baseline(lm: LoadedModel, ids: torch.Tensor, types: torch.Tensor, scorer, base: torch.Tensor, chosen=None):
    """-> hidden states (L+1, T, D) entering each layer, targets (N,) (the top ones, or `chosen`), their log-probs
    (N,)."""
    out = lm.model(ids, types, output_hidden_states=True, head_mask=base)
    log_probs = scorer(out.last_hidden_state)[0]  # (N, K)
    targets = log_probs.argmax(dim=-1) if chosen is None else torch.full((len(log_probs),), int(chosen))  # (N,)
    best = log_probs.gather(-1, targets[:, None]).squeeze(-1)  # (N,)
    return out.hidden_states[0], targets, best


@torch.inference_mode()
def _batch_log_probs(
    lm: LoadedModel,
    hidden: torch.Tensor,
    heads: list[Head],
    base: torch.Tensor,
    scorer,
    targets: torch.Tensor,
) -> torch.Tensor:
    """log p(target) at each mask (or label position) with each of `heads` knocked out in turn -> (len(heads), N)."""
    B = len(heads)
    masks = base.expand(B, -1, -1).clone()  # (B, L, H)
    for row, (layer, head) in enumerate(heads):
        masks[row, layer, head] = 0.0
    start = min(layer for layer, _ in heads)
    x = hidden[start].expand(B, -1, -1)  # (B, T, D): identical to the baseline up to layer `start`
    x = lm.model.run_layers(x, start, head_mask=masks).last_hidden_state  # (B, T, D)
    log_probs = scorer(x)  # (B, N, K)
    index = targets.view(1, -1, 1).expand(B, -1, 1)  # (B, N, 1)
    return log_probs.gather(-1, index).squeeze(-1)  # (B, N)


def head_importance_task(
    lm: LoadedModel, inp: InferenceInput, batch: int = DEFAULT_BATCH, score: str = "auto", label: int | None = None
):
    """Generator: yields (heads done, heads to do) after the baseline and after each batch, returns HeadImportance.

    `batch` is the most heads per forward pass (fewer for long inputs, see STEP_TOKENS). `score`: "mask" (the
    top word at each mask), "label" (the classifier's label: `label`, by default the predicted one) or "auto"
    (the label where the model has a classification head, else the masks).
    Raises NoMLMHeadError without a masked-language-model head and InputError when nothing is masked.
    """
    start_time = time.perf_counter()
    if score == "auto":
        score = "label" if lm.task else "mask"
    if score == "label" and not lm.task:
        raise InputError("This model has no classification head: head importance for a label needs one.")
    if score == "mask" and not lm.has_mlm_head:
        raise NoMLMHeadError(
            "Head importance needs a model that predicts masked words, and this one has no "
            "masked-language-model head. Knocking heads out still changes attention and embeddings."
        )
    prep = prepare(lm, inp)
    if score == "label":
        masked = [0] if lm.task == SEQUENCE else [i for i, s in enumerate(prep.encoding.special) if not s]
        if label is not None and not 0 <= int(label) < len(lm.labels):
            raise InputError(f"There is no label {label}: this classifier has {len(lm.labels)}.")
        scorer = _label_scorer(lm, masked)
    else:
        masked = list(prep.masked)
        label = None
        scorer = _mask_scorer(lm, masked)
    if not masked:
        raise InputError(
            "Mask a word first (click a token, or type [MASK]): head importance measures how much each "
            "head helps the prediction at a mask."
        )
    L, H = lm.config.num_hidden_layers, lm.config.num_attention_heads
    base = head_mask(lm, inp.knocked_out)
    base = torch.ones(L, H) if base is None else base  # (L, H)
    # The same path with a head mask as the batches: otherwise heads that change nothing show float noise.
    hidden, targets, best = _baseline(lm, prep.input_ids, prep.token_type_ids, scorer, base, label)
    todo = [(layer, head) for layer in range(L) for head in range(H) if base[layer, head] > 0]  # layer-major
    drops = np.zeros((len(masked), L, H), dtype=np.float32)  # (N, L, H)
    batch = max(1, min(int(batch), STEP_TOKENS // len(prep.input_ids)))
    yield 0, len(todo)
    for first in range(0, len(todo), batch):
        heads = todo[first : first + batch]
        log_probs = _batch_log_probs(lm, hidden, heads, base, scorer, targets)  # (B, N)
        change = (best[None, :] - log_probs).numpy()  # (B, N)
        for row, (layer, head) in enumerate(heads):
            drops[:, layer, head] = change[row]
        yield first + len(heads), len(todo)
    target_ids = tuple(int(t) for t in targets.tolist())
    if score == "label":
        names = tuple(lm.labels[t] for t in target_ids)
        displays = names
    else:
        names = tuple(lm.tokenizer.id_to_token(t) for t in target_ids)
        displays = tuple(lm.tokenizer.display_prediction(n, prep.encoding, pos) for n, pos in zip(names, masked))
    return HeadImportance(
        input=inp,
        tokens=prep.encoding.tokens,
        masked_positions=tuple(masked),
        target_ids=target_ids,
        target_tokens=names,
        baseline_log_probs=best.numpy().astype(np.float32),
        drops=drops,
        knocked_out=frozenset((layer, head) for layer in range(L) for head in range(H) if base[layer, head] == 0),
        seconds=time.perf_counter() - start_time,
        target_displays=displays,
        score=score,
    )


def head_importance(lm: LoadedModel, inp: InferenceInput, batch: int = DEFAULT_BATCH, **options) -> HeadImportance:
    """head_importance_task run to the end (no progress, no cancelling): for scripts and tests."""
    return run_to_end(head_importance_task(lm, inp, batch, **options))
