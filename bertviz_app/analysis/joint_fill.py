"""Filling several masks together: most-confident-first decoding and a small beam search.

BERT's guesses at two masks come from one pass in which neither mask sees the other, so the independent top-1
words can clash ("the the city"). Filling the masks one at a time, each choice conditioned on the words already
put in, gives a joint fill. Definitions used throughout (and shown in the predictions panel):

- Independent fill: each mask's own top-1 from ONE forward with every mask in place. Its independent
  probability is the product of those top-1 probabilities (each computed as if the other masks stayed masked).
- Chain-rule score of a filling in an order: fill the masks in that order; at each step the probability of the
  word put in, given the words already in and the masks still open. The score is the sum of the logs, so
  exp(score) is the probability of the filling under that step-by-step decoding. It depends on the order;
  BERT defines no single joint distribution over several masks.
- Order rules: "confidence" fills next the open mask where the model is most sure (for a fixed filling: where
  the word to put in is most probable, which reproduces the iterative fill's own score for its own words);
  "left_to_right" fills in sentence order (one factorisation for every candidate, so beam search approximates
  its exact best).
- The independent fill is also scored by the chain rule under the same rule as the joint candidates, so the
  two can be compared number for number.

[CLS], [SEP], [PAD], [UNK] and [MASK] are never chosen (a mask "filled" with [MASK] would still be a mask); the
probabilities stay the model's softmax over the whole vocabulary.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from dataclasses import dataclass

import torch

from bertviz_app.analysis.inference import (
    InferenceInput,
    InferenceResult,
    PreparedInput,
    head_mask,
    is_result_of,
    prepare,
)
from bertviz_app.analysis.tasks import run_to_end
from bertviz_app.engine.errors import InputError, NoMLMHeadError
from bertviz_app.engine.loader import LoadedModel

ORDERS = ("confidence", "left_to_right")
ONE_MASK_NOTE = "With one mask, filling together is the same as the independent guess."

Fill = tuple[int | None, ...]  # per mask (sentence order): the token id put in, or None while still masked


@dataclass(frozen=True)
class Filling:
    """Every mask filled, one at a time, each choice seeing the words chosen before it."""

    token_ids: tuple[int, ...]  # per mask, in sentence order
    tokens: tuple[str, ...]  # the tokenizer's strings
    order: tuple[int, ...]  # mask indices (0 = first mask in the sentence) in the order they were filled
    probabilities: tuple[float, ...]  # per mask: the probability of its word at the moment it was put in
    score: float  # sum of the logs of `probabilities`: chain-rule log-probability of the filling in `order`
    displays: tuple[str, ...] = ()  # the words readably, as the prediction list shows them ("Ġparis" -> "paris")

    def __post_init__(self) -> None:
        if not self.displays:
            object.__setattr__(self, "displays", self.tokens)

    @property
    def probability(self) -> float:
        return math.exp(self.score)


@dataclass(frozen=True)
class IndependentFill:
    """Each mask's own top-1 from one forward in which every mask stays masked."""

    token_ids: tuple[int, ...]
    tokens: tuple[str, ...]
    probabilities: tuple[float, ...]  # per mask, from that one forward
    score: float  # sum of their logs: log of the product of the independent probabilities
    chain: Filling  # the same words scored by the chain rule (same order rule as the joint candidates)
    displays: tuple[str, ...] = ()  # the words readably

    def __post_init__(self) -> None:
        if not self.displays:
            object.__setattr__(self, "displays", self.tokens)

    @property
    def probability(self) -> float:
        return math.exp(self.score)


@dataclass(frozen=True)
class JointFillResult:
    """The automatic comparison: independent top-1s next to the most-confident-first fill."""

    tokens: tuple[str, ...]  # the input's tokens, masks in place (to match the result it belongs to)
    positions: tuple[int, ...]  # token positions of the masks
    knocked_out: frozenset[tuple[int, int]]
    independent: IndependentFill  # chain score under the "confidence" rule
    iterative: Filling
    note: str  # "" or a remark such as ONE_MASK_NOTE
    seconds: float  # first step to last (run by the controller, this includes other jobs between steps)

    @property
    def differs(self) -> bool:
        return self.iterative.token_ids != self.independent.token_ids


@dataclass(frozen=True)
class BeamSearchResult:
    tokens: tuple[str, ...]
    positions: tuple[int, ...]
    knocked_out: frozenset[tuple[int, int]]
    order: str  # the order rule, one of ORDERS
    beam: int
    expand: int
    candidates: tuple[Filling, ...]  # best chain-rule score first
    independent: IndependentFill  # chain score under the same order rule as the candidates
    note: str
    seconds: float

    @property
    def differs(self) -> bool:
        return bool(self.candidates) and self.candidates[0].token_ids != self.independent.token_ids


@dataclass(frozen=True)
class _Hypothesis:
    fill: Fill
    order: tuple[int, ...]
    logps: tuple[float | None, ...]  # per mask, log-probability of its word when put in
    score: float


class _Setup:
    """What every step needs: the prepared input, the head mask and the tokens that may be chosen."""

    def __init__(self, lm: LoadedModel, inp: InferenceInput):
        if not lm.has_mlm_head:
            raise NoMLMHeadError(
                "this model has no masked-language-model head, so it cannot fill masks; "
                "open a fill-mask model (such as bert-base-uncased) to fill several masks together"
            )
        self.lm = lm
        self.prep: PreparedInput = prepare(lm, inp)
        if not self.prep.masked:
            raise InputError("nothing is masked: type [MASK] or click tokens to mask two or more, then fill them")
        self.head_mask = head_mask(lm, inp.knocked_out)
        self.knocked_out = frozenset(inp.knocked_out)
        tok = lm.tokenizer
        # The decoder may be wider than the tokenizer's vocabulary (padded rows): never choose those either.
        self.allowed = torch.zeros(lm.config.vocab_size, dtype=torch.bool)
        self.allowed[: tok.vocab_size] = True
        for special in (tok.pad_id, tok.unk_id, tok.cls_id, tok.sep_id, tok.mask_id):
            self.allowed[special] = False
        self.n_allowed = int(self.allowed.sum())
        self.start = time.perf_counter()

    @property
    def n(self) -> int:
        return len(self.prep.masked)

    def log_probs(self, fills: list[Fill]) -> list[dict[int, torch.Tensor]]:
        """One batched forward: for each fill, {mask index: (V,) log-probabilities} at its open masks."""
        unique = list(dict.fromkeys(fills))  # e.g. the independent words while they agree with the joint fill
        if len(unique) < len(fills):
            answers = dict(zip(unique, self.log_probs(unique)))
            return [answers[fill] for fill in fills]
        masked = self.prep.masked
        ids = self.prep.input_ids.repeat(len(fills), 1)  # (B, T)
        types = self.prep.token_type_ids.expand(len(fills), -1)  # (B, T)
        wanted = []  # (row, mask index) for every open mask
        for b, fill in enumerate(fills):
            for i, token in enumerate(fill):
                if token is None:
                    wanted.append((b, i))
                else:
                    ids[b, masked[i]] = token
        at = torch.tensor([(b, masked[i]) for b, i in wanted], dtype=torch.long).view(-1, 2)  # (M, 2)
        with torch.inference_mode():
            logits = self.lm.model(ids, types, predict_at=at, head_mask=self.head_mask).logits  # (M, V)
            logps = logits.float().log_softmax(dim=-1)
        out: list[dict[int, torch.Tensor]] = [{} for _ in fills]
        for row, (b, i) in enumerate(wanted):
            out[b][i] = logps[row]
        return out

    def choosable(self, logp: torch.Tensor) -> torch.Tensor:
        return logp.masked_fill(~self.allowed, -math.inf)

    def filling(self, h: _Hypothesis) -> Filling:
        ids = tuple(int(t) for t in h.fill)
        return Filling(
            token_ids=ids,
            tokens=tuple(self.lm.tokenizer.id_to_token(t) for t in ids),
            displays=self.displays(ids),
            order=h.order,
            probabilities=tuple(math.exp(lp) for lp in h.logps),
            score=h.score,
        )

    def independent(self, first: dict[int, torch.Tensor], chain: _Hypothesis) -> IndependentFill:
        ids, logps = [], []
        for i in range(self.n):
            lp, token = self.choosable(first[i]).max(dim=-1)
            ids.append(int(token))
            logps.append(float(lp))
        return IndependentFill(
            token_ids=tuple(ids),
            tokens=tuple(self.lm.tokenizer.id_to_token(t) for t in ids),
            probabilities=tuple(math.exp(lp) for lp in logps),
            score=sum(logps),
            chain=self.filling(chain),
            displays=self.displays(ids),
        )

    def displays(self, ids) -> tuple[str, ...]:
        """One word per mask readably, marked where its spacing differs from the text's there."""
        tok, enc = self.lm.tokenizer, self.prep.encoding
        return tuple(tok.display_prediction(tok.id_to_token(t), enc, p) for t, p in zip(ids, self.prep.masked))


def _start(n: int) -> _Hypothesis:
    return _Hypothesis(fill=(None,) * n, order=(), logps=(None,) * n, score=0.0)


def _put(h: _Hypothesis, i: int, token: int, logp: float) -> _Hypothesis:
    fill = (*h.fill[:i], token, *h.fill[i + 1 :])
    logps = (*h.logps[:i], logp, *h.logps[i + 1 :])
    return _Hypothesis(fill, (*h.order, i), logps, h.score + logp)


def _next_mask(setup: _Setup, open_logps: dict[int, torch.Tensor], order: str) -> int:
    """Which open mask a hypothesis fills next: the leftmost, or the one whose top-1 is most probable."""
    if order == "left_to_right":
        return min(open_logps)
    return max(sorted(open_logps), key=lambda i: float(setup.choosable(open_logps[i]).max()))


def _forced_step(h: _Hypothesis, open_logps: dict[int, torch.Tensor], target: tuple[int, ...], order: str):
    """Put one of the given words in: the leftmost, or the one the model finds most probable right now."""
    if order == "left_to_right":
        i = min(open_logps)
    else:
        i = max(sorted(open_logps), key=lambda j: float(open_logps[j][target[j]]))
    return _put(h, i, target[i], float(open_logps[i][target[i]]))


def _check_order(order: str) -> None:
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; use one of {ORDERS}")


def _note(setup: _Setup) -> str:
    return ONE_MASK_NOTE if setup.n == 1 else ""


# ---- most-confident-first ------------------------------------------------------------------------------
def _joint_fill_steps(
    lm: LoadedModel, inp: InferenceInput, result: InferenceResult | None = None
) -> Generator[tuple[int, int], None, JointFillResult]:
    """N steps, each one batched forward of (at most) two rows: the iterative fill, and the independent top-1s
    put in by the same most-confident-first rule (their chain-rule score). The first forward (every mask open)
    also gives the independent top-1s; `result`, when it is this input's, already holds it (its last layer_probs
    row), which saves that forward."""
    setup = _Setup(lm, inp)
    n = setup.n
    greedy, forced = _start(n), _start(n)
    if result is not None and result.layer_probs is not None and is_result_of(result, lm, setup.prep, inp):
        final = torch.from_numpy(result.layer_probs[-1]).log()  # (N, V)
        first = {i: final[i] for i in range(n)}
    else:
        (first,) = setup.log_probs([greedy.fill])  # every mask open: this also gives the independent guesses
    target = tuple(int(setup.choosable(first[i]).argmax()) for i in range(n))
    for step in range(n):
        lp_greedy, lp_forced = setup.log_probs([greedy.fill, forced.fill]) if step else (first, first)
        i = _next_mask(setup, lp_greedy, "confidence")
        lp, token = setup.choosable(lp_greedy[i]).max(dim=-1)
        greedy = _put(greedy, i, int(token), float(lp))
        forced = _forced_step(forced, lp_forced, target, "confidence")
        yield step + 1, n
    return JointFillResult(
        tokens=setup.prep.encoding.tokens,
        positions=setup.prep.masked,
        knocked_out=setup.knocked_out,
        independent=setup.independent(first, forced),
        iterative=setup.filling(greedy),
        note=_note(setup),
        seconds=time.perf_counter() - setup.start,
    )


def iterative_fill(lm: LoadedModel, inp: InferenceInput) -> JointFillResult:
    """Most-confident-first decoding: run the model, fill the open mask whose top-1 is most probable with that
    word, run again, until every mask is filled. `result.iterative` holds the words per mask, the order of
    filling, each choice's probability when it was made and the chain-rule score (sum of their logs);
    `result.independent` the one-pass top-1s, their product and their chain-rule score under the same rule.
    Raises NoMLMHeadError without an MLM head and InputError when nothing is masked."""
    return run_to_end(_joint_fill_steps(lm, inp))


def joint_fill_task(lm: LoadedModel, inp: InferenceInput, result: InferenceResult | None = None):
    """The controller's "joint_fill": one forward per step, so typing stays live between them. `result`: the
    window's result for this input, whose last-layer probabilities stand in for the first forward."""
    return _joint_fill_steps(lm, inp, result)


# ---- beam search ---------------------------------------------------------------------------------------
def _beam_steps(
    lm: LoadedModel, inp: InferenceInput, beam: int, expand: int, order: str
) -> Generator[tuple[int, int], None, BeamSearchResult]:
    _check_order(order)
    if beam < 1 or expand < 1:
        raise ValueError("beam and expand must be at least 1")
    setup = _Setup(lm, inp)
    n = setup.n
    hypotheses = [_start(n)]
    forced = _start(n)
    (first,) = setup.log_probs([hypotheses[0].fill])  # every mask open: this also gives the independent guesses
    target = tuple(int(setup.choosable(first[i]).argmax()) for i in range(n))
    for step in range(n):
        if step == 0:
            per_hypothesis, lp_forced = [first], first
        else:
            # The independent words ride along as one more row of the same forward.
            *per_hypothesis, lp_forced = setup.log_probs([h.fill for h in hypotheses] + [forced.fill])
        forced = _forced_step(forced, lp_forced, target, order)
        options = []  # (score, hypothesis, mask index, token, log-prob): every extension of every hypothesis
        for h, open_logps in zip(hypotheses, per_hypothesis):
            i = _next_mask(setup, open_logps, order)
            top_lp, top_ids = setup.choosable(open_logps[i]).topk(min(expand, setup.n_allowed))
            options.extend((h.score + lp, h, i, t, lp) for lp, t in zip(top_lp.tolist(), top_ids.tolist()))
        options.sort(key=lambda o: -o[0])  # stable: ties keep the better hypothesis and the more probable word
        hypotheses, seen = [], set()
        for _score, h, i, token, lp in options:
            new = _put(h, i, token, lp)
            if new.fill in seen:  # the same words reached in another order: the better score came first
                continue
            seen.add(new.fill)
            hypotheses.append(new)
            if len(hypotheses) == beam:
                break
        yield step + 1, n
    return BeamSearchResult(
        tokens=setup.prep.encoding.tokens,
        positions=setup.prep.masked,
        knocked_out=setup.knocked_out,
        order=order,
        beam=beam,
        expand=expand,
        candidates=tuple(setup.filling(h) for h in hypotheses),
        independent=setup.independent(first, forced),
        note=_note(setup),
        seconds=time.perf_counter() - setup.start,
    )


def beam_search(
    lm: LoadedModel, inp: InferenceInput, beam: int = 5, expand: int = 5, order: str = "confidence"
) -> BeamSearchResult:
    """A small beam search over the masks. Each step fills one more mask in every hypothesis (all hypotheses
    in one forward): the next mask by `order`, with each of its `expand` most probable words; the `beam` best
    partial fillings by summed log-probability go on. After N steps the candidates are complete fillings,
    best chain-rule score first. beam=1 is greedy decoding in that order (with "confidence", exactly the
    iterative fill). `result.independent` is the one-pass top-1s scored by the chain rule under `order`."""
    return run_to_end(_beam_steps(lm, inp, beam, expand, order))


def beam_search_task(lm: LoadedModel, inp: InferenceInput, beam: int = 5, expand: int = 5, order: str = "confidence"):
    """The controller's "beam_search": yields (done, total) after each mask is filled; cancellable between."""
    return _beam_steps(lm, inp, beam, expand, order)
