"""How likely the model finds a whole sentence: pseudo-log-likelihood (PLL).

Salazar et al. (2020), "Masked Language Model Scoring": mask each token in turn and add up log p(token | the
rest). A masked LM gives no true sentence probability, but the PLL ranks sentences the way a likelihood would
(minimal pairs such as "the keys ... are / is").

Kauf & Ivanova (2023), "A Better Way to Do Masked Language Model Scoring" (PLL-word-l2r): with the original
recipe a word split into pieces tends to score too well (they show it for BERT-base), because while
"##believ" is masked the model still sees "un" and "##able" and can all but read the missing piece off them.
The word-l2r variant also masks the pieces of the same word to the right of the scored one, so each word is
scored left to right, one piece at a time, without a peek at its own ending. Single-piece words score the
same in both variants.

All masked copies of a sentence go through the model as one batch (in chunks), one forward per chunk.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import torch

from bertviz_app.analysis.inference import InferenceInput, head_mask, prepare
from bertviz_app.engine.errors import InputError, NoMLMHeadError
from bertviz_app.engine.loader import LoadedModel
from bertviz_app.engine.tokenizer import Encoding

VARIANTS = ("word_l2r", "original")
VARIANT_NAMES = {"word_l2r": "PLL-word-l2r", "original": "PLL (original)"}
# Tokens per forward pass when `batch` is not given. The bundled model runs ~0.2 ms per token on a laptop CPU
# whatever the batch from ~128 tokens up, so bigger chunks buy little speed; this size keeps one chunk (one
# worker step, the unit of cancelling) under ~100 ms. A 12-word sentence is one chunk.
TOKEN_BUDGET = 384


@dataclass(frozen=True, eq=False)
class SentenceScore:
    text: str
    tokens: tuple[str, ...]  # the scored tokens, in order ([CLS]/[SEP] are not scored): the tokenizer's strings
    positions: tuple[int, ...]  # where each sits in the model's input (0 is [CLS])
    log_probs: np.ndarray  # (N,) float64: natural log p(token | rest), in nats, one per scored token
    total: float  # the PLL: sum of log_probs
    mean: float  # total / N, comparable across sentences of different lengths
    variant: str  # "word_l2r" or "original"
    seconds: float  # model time only (not time spent queued behind other work)
    truncated: bool = False  # the text was longer than the model accepts; only the start was scored
    knocked_out: frozenset[tuple[int, int]] = frozenset()
    display_tokens: tuple[str, ...] = ()  # the scored tokens readably ("Ġparis" -> "paris"), for bars and labels

    def __post_init__(self) -> None:
        if not self.display_tokens:
            object.__setattr__(self, "display_tokens", self.tokens)


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """The payload of the "score" task: one score per sentence (two for a minimal pair)."""

    sentences: tuple[str, ...]
    scores: tuple[SentenceScore, ...]
    variant: str
    knocked_out: frozenset[tuple[int, int]]


@dataclass(frozen=True, eq=False)
class _Plan:
    """One sentence made ready for scoring: which copy hides which tokens."""

    text: str
    encoding: Encoding
    input_ids: torch.Tensor  # (T,)
    token_type_ids: torch.Tensor  # (T,)
    positions: tuple[int, ...]  # the N scored positions
    hidden: torch.Tensor  # (N, T) bool: the positions copy n replaces by [MASK]
    targets: torch.Tensor  # (N,) the original token id at each scored position


def scored_positions(encoding: Encoding, structural: frozenset[str] = frozenset()) -> list[int]:
    """The positions a score covers: not the template's specials, nor `structural` tokens typed in the text
    (the model's cls/sep/pad: tokens to the tokenizer, but structure, not words)."""
    return [
        i
        for i, (tok, special) in enumerate(zip(encoding.tokens, encoding.special))
        if not special and tok not in structural
    ]


def hidden_positions(encoding: Encoding, position: int, variant: str) -> list[int]:
    """What is masked while `position` is scored: the token itself, and with word_l2r the later pieces of its
    word (not the earlier ones: those were scored already and stay visible)."""
    if variant == "original":
        return [position]
    key = encoding.word_key(position)
    if key is None:
        return [position]
    return [position] + [j for j in range(position + 1, len(encoding)) if encoding.word_key(j) == key]


def _plan(lm: LoadedModel, text: str, text_b: str | None, variant: str) -> _Plan:
    if variant not in VARIANTS:
        raise ValueError(f"unknown scoring variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if not lm.has_mlm_head:
        raise NoMLMHeadError(
            "this model has no masked-language-model head, so it cannot score sentences; "
            "attention and embeddings still work"
        )
    prep = prepare(lm, InferenceInput(text=text, text_b=text_b))  # InputError for an empty text
    if prep.masked:
        raise InputError(
            "scoring needs a complete sentence, and this one has a [MASK]: type the word you want scored instead"
        )
    encoding = prep.encoding
    tok = lm.tokenizer
    positions = scored_positions(encoding, frozenset({tok.cls_token, tok.sep_token, tok.pad_token}))
    if not positions:
        raise InputError("there is nothing to score: the text has no words, only special tokens")
    hidden = torch.zeros(len(positions), len(encoding), dtype=torch.bool)  # (N, T)
    for n, pos in enumerate(positions):
        hidden[n, hidden_positions(encoding, pos, variant)] = True
    return _Plan(
        text=text,
        encoding=encoding,
        input_ids=prep.input_ids,
        token_type_ids=prep.token_type_ids,
        positions=tuple(positions),
        hidden=hidden,
        targets=prep.input_ids[list(positions)],
    )


def _chunks(plan: _Plan, batch: int | None) -> list[range]:
    n = len(plan.positions)
    size = batch if batch is not None else max(1, TOKEN_BUDGET // len(plan.encoding))
    if size < 1:
        raise ValueError(f"batch must be at least 1, not {size}")
    return [range(start, min(start + size, n)) for start in range(0, n, size)]


def _score_rows(lm: LoadedModel, plan: _Plan, rows: range, heads: torch.Tensor | None) -> np.ndarray:
    """log p(target | its masked copy) for copies `rows`, in one forward pass."""
    n = len(rows)
    hide = plan.hidden[rows.start : rows.stop]  # (n, T)
    ids = torch.where(hide, lm.tokenizer.mask_id, plan.input_ids.expand(n, -1))  # (n, T)
    types = plan.token_type_ids.expand(n, -1)  # (n, T)
    at = torch.tensor(plan.positions[rows.start : rows.stop], dtype=torch.long)
    predict_at = torch.stack([torch.arange(n), at], dim=1)  # (n, 2): copy r predicts at its own position
    with torch.inference_mode():
        logits = lm.model(ids, types, predict_at=predict_at, head_mask=heads).logits  # (n, V)
        log_probs = logits.float().log_softmax(dim=-1)
        picked = log_probs.gather(1, plan.targets[rows.start : rows.stop, None])[:, 0]  # (n,)
    return picked.double().numpy()


def _finish(plan: _Plan, parts: list[np.ndarray], seconds: float, variant: str, knocked_out) -> SentenceScore:
    log_probs = np.concatenate(parts) if parts else np.zeros(0)
    total = float(log_probs.sum())
    return SentenceScore(
        text=plan.text,
        tokens=tuple(plan.encoding.tokens[p] for p in plan.positions),
        display_tokens=tuple(plan.encoding.display_tokens[p] for p in plan.positions),
        positions=plan.positions,
        log_probs=log_probs,
        total=total,
        mean=total / len(log_probs),
        variant=variant,
        seconds=seconds,
        truncated=plan.encoding.truncated,
        knocked_out=frozenset(knocked_out),
    )


def pseudo_log_likelihood(
    lm: LoadedModel,
    text: str,
    text_b: str | None = None,
    variant: str = "word_l2r",
    knocked_out: frozenset[tuple[int, int]] = frozenset(),
    batch: int | None = None,
) -> SentenceScore:
    """Score `text` (and `text_b`, as a pair: both are scored, each in the context of the other).

    `batch`: masked copies per forward pass (None: as many as fit TOKEN_BUDGET tokens). Heads in
    `knocked_out` are switched off for every pass. Raises InputError for empty text, text with nothing but
    special tokens, and text with a [MASK] (a score needs every word known).
    """
    start = time.perf_counter()
    plan = _plan(lm, text, text_b, variant)
    heads = head_mask(lm, knocked_out)
    parts = [_score_rows(lm, plan, rows, heads) for rows in _chunks(plan, batch)]
    return _finish(plan, parts, time.perf_counter() - start, variant, knocked_out)


def score_task(
    lm: LoadedModel,
    inp: InferenceInput,
    sentences: tuple[str, ...] = (),
    variant: str = "word_l2r",
    batch: int | None = None,
) -> Generator[tuple[int, int], None, ScoreResult]:
    """The "score" analysis: one SentenceScore per sentence (one, or two for a minimal pair), with the heads
    knocked out in `inp`. No sentences: score the input's own sentence. Yields (chunks done, chunks in all)
    after each forward pass, so a long paragraph stays cancellable and never holds the worker for long."""
    sentences = tuple(sentences) or (inp.text,)
    plans = []
    for number, sentence in enumerate(sentences, start=1):
        try:
            plans.append(_plan(lm, sentence, None, variant))
        except InputError as exc:
            if len(sentences) == 1:
                raise
            raise InputError(f"sentence {number}: {exc}") from None
    heads = head_mask(lm, inp.knocked_out)
    chunks = [_chunks(plan, batch) for plan in plans]
    total = sum(len(c) for c in chunks)
    done = 0
    scores = []
    for plan, plan_chunks in zip(plans, chunks):
        parts, seconds = [], 0.0
        for rows in plan_chunks:
            start = time.perf_counter()
            parts.append(_score_rows(lm, plan, rows, heads))
            seconds += time.perf_counter() - start
            done += 1
            yield done, total
        scores.append(_finish(plan, parts, seconds, variant, inp.knocked_out))
    return ScoreResult(
        sentences=sentences, scores=tuple(scores), variant=variant, knocked_out=frozenset(inp.knocked_out)
    )
