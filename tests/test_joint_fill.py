"""Filling several masks together, checked against naive loops of one forward per choice."""

from __future__ import annotations

import math

import pytest
import torch

from bertviz_app.analysis.inference import InferenceInput, head_mask, prepare
from bertviz_app.analysis.joint_fill import ONE_MASK_NOTE, beam_search, beam_search_task, iterative_fill
from bertviz_app.analysis.tasks import run_to_end
from bertviz_app.engine.errors import InputError, NoMLMHeadError

TWO = "the [MASK] sat on the [MASK] ."
THREE = "the [MASK] [MASK] on the [MASK] ."


def allowed_ids(lm) -> list[int]:
    tok = lm.tokenizer
    specials = {tok.pad_id, tok.unk_id, tok.cls_id, tok.sep_id, tok.mask_id}
    return [i for i in range(tok.vocab_size) if i not in specials]


class Naive:
    """One unbatched forward per question, nothing shared with the module under test but prepare()."""

    def __init__(self, lm, inp: InferenceInput):
        self.lm = lm
        self.prep = prepare(lm, inp)
        self.masks = list(self.prep.masked)
        self.hm = head_mask(lm, inp.knocked_out)
        self.allowed = allowed_ids(lm)

    def log_probs(self, fill: dict[int, int]) -> dict[int, torch.Tensor]:
        """fill: mask index -> token id. Returns {open mask index: (V,) log-probabilities}."""
        ids = self.prep.input_ids.clone()
        for i, token in fill.items():
            ids[self.masks[i]] = token
        open_ = [i for i in range(len(self.masks)) if i not in fill]
        with torch.inference_mode():
            logits = self.lm.model(
                ids,
                self.prep.token_type_ids,
                predict_at=torch.tensor([self.masks[i] for i in open_]),
                head_mask=self.hm,
            ).logits
        return {i: row.log_softmax(-1) for i, row in zip(open_, logits)}

    def best(self, logp: torch.Tensor) -> tuple[float, int]:
        allowed = torch.tensor(self.allowed)
        token = int(allowed[logp[allowed].argmax()])
        return float(logp[token]), token

    def greedy(self, pick) -> tuple[dict[int, int], list[int], dict[int, float]]:
        """Fill every mask: `pick(open_logps)` says which mask next; its best word goes in."""
        fill, order, logps = {}, [], {}
        while len(fill) < len(self.masks):
            open_logps = self.log_probs(fill)
            i = pick(open_logps)
            logps[i], fill[i] = self.best(open_logps[i])
            order.append(i)
        return fill, order, logps

    def most_confident(self, open_logps) -> int:
        return max(sorted(open_logps), key=lambda i: self.best(open_logps[i])[0])

    def replay(self, tokens, order) -> list[float]:
        """Log-probability of each word of a filling when put in, in the given order."""
        fill, out = {}, []
        for i in order:
            out.append(float(self.log_probs(fill)[i][tokens[i]]))
            fill[i] = tokens[i]
        return out


@pytest.mark.parametrize("text", [TWO, THREE])
def test_iterative_fill_equals_a_naive_loop(tiny_model, text):
    inp = InferenceInput(text)
    result = iterative_fill(tiny_model, inp)
    naive = Naive(tiny_model, inp)
    fill, order, logps = naive.greedy(naive.most_confident)
    n = len(naive.masks)
    got = result.iterative
    assert got.order == tuple(order)
    assert got.token_ids == tuple(fill[i] for i in range(n))
    assert got.tokens == tuple(tiny_model.tokenizer.id_to_token(fill[i]) for i in range(n))
    assert got.probabilities == pytest.approx([math.exp(logps[i]) for i in range(n)], rel=1e-4)
    assert got.score == pytest.approx(sum(logps.values()), abs=1e-4)
    assert got.probability == pytest.approx(math.exp(sum(logps.values())), rel=1e-4)
    assert result.positions == tuple(naive.masks) and result.note == ""


def test_independent_fill_is_one_pass_and_its_chain_score_is_replayed(tiny_model):
    inp = InferenceInput(THREE)
    result = iterative_fill(tiny_model, inp)
    naive = Naive(tiny_model, inp)
    first = naive.log_probs({})
    best = [naive.best(first[i]) for i in range(3)]
    ind = result.independent
    assert ind.token_ids == tuple(t for _, t in best)
    assert ind.probabilities == pytest.approx([math.exp(lp) for lp, _ in best], rel=1e-4)
    assert ind.probability == pytest.approx(math.prod(math.exp(lp) for lp, _ in best), rel=1e-4)
    # The chain score puts the same words in, each time the one the model finds most probable now.
    fill, expected = {}, 0.0
    order = []
    while len(fill) < 3:
        open_logps = naive.log_probs(fill)
        i = max(sorted(open_logps), key=lambda j: float(open_logps[j][ind.token_ids[j]]))
        expected += float(open_logps[i][ind.token_ids[i]])
        fill[i] = ind.token_ids[i]
        order.append(i)
    assert ind.chain.token_ids == ind.token_ids and ind.chain.order == tuple(order)
    assert ind.chain.score == pytest.approx(expected, abs=1e-4)


def test_beam_of_one_is_greedy_in_either_order(tiny_model):
    inp = InferenceInput(THREE)
    naive = Naive(tiny_model, inp)
    fill, order, logps = naive.greedy(min)  # the leftmost open mask first
    (left,) = beam_search(tiny_model, inp, beam=1, order="left_to_right").candidates
    assert left.order == (0, 1, 2) == tuple(order)
    assert left.token_ids == tuple(fill[i] for i in range(3))
    assert left.score == pytest.approx(sum(logps.values()), abs=1e-4)
    (confident,) = beam_search(tiny_model, inp, beam=1, order="confidence").candidates
    iterative = iterative_fill(tiny_model, inp).iterative
    assert (confident.token_ids, confident.order) == (iterative.token_ids, iterative.order)
    assert confident.score == pytest.approx(iterative.score, abs=1e-5)


def test_a_beam_as_wide_as_the_vocabulary_finds_the_best_pair(tiny_model):
    inp = InferenceInput(TWO)
    naive = Naive(tiny_model, inp)
    vocab = naive.allowed
    first = naive.log_probs({})[0].tolist()
    # Every first word in its own row of one batch: row a has word a in the first mask.
    ids = naive.prep.input_ids.repeat(len(vocab), 1)  # (V', T)
    ids[:, naive.masks[0]] = torch.tensor(vocab)
    with torch.inference_mode():
        at = torch.tensor([(row, naive.masks[1]) for row in range(len(vocab))])  # (V', 2): (batch row, position)
        logits = tiny_model.model(ids, naive.prep.token_type_ids.expand(len(vocab), -1), predict_at=at).logits
    second = logits.log_softmax(-1).tolist()  # (V', V): p(second word | first word a)
    pairs = [((a, b), first[a] + second[row][b]) for row, a in enumerate(vocab) for b in vocab]
    pairs.sort(key=lambda p: -p[1])
    v = tiny_model.config.vocab_size
    result = beam_search(tiny_model, inp, beam=v, expand=v, order="left_to_right")
    assert result.candidates[0].token_ids == pairs[0][0]
    top = [(c.token_ids, c.score) for c in result.candidates[:5]]
    assert [ids for ids, _ in top] == [ids for ids, _ in pairs[:5]]
    assert [s for _, s in top] == pytest.approx([s for _, s in pairs[:5]], abs=1e-4)
    # A narrow beam is allowed to miss it, but never to beat it.
    narrow = beam_search(tiny_model, inp, beam=2, expand=2, order="left_to_right")
    assert narrow.candidates[0].score <= pairs[0][1] + 1e-4


@pytest.mark.parametrize("order", ["confidence", "left_to_right"])
def test_beam_scores_are_sums_of_log_probs_recomputed_one_forward_at_a_time(tiny_model, order):
    inp = InferenceInput(THREE)
    naive = Naive(tiny_model, inp)
    result = beam_search(tiny_model, inp, beam=4, expand=3, order=order)
    assert len(result.candidates) == 4 and result.order == order
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert len({c.token_ids for c in result.candidates}) == 4  # no filling twice
    for c in result.candidates:
        steps = naive.replay(c.token_ids, c.order)
        assert sorted(c.order) == [0, 1, 2]
        assert c.score == pytest.approx(sum(steps), abs=1e-4)
        assert [c.probabilities[i] for i in c.order] == pytest.approx([math.exp(s) for s in steps], rel=1e-4)
    ind = result.independent
    assert ind.chain.score == pytest.approx(sum(naive.replay(ind.token_ids, ind.chain.order)), abs=1e-4)
    if order == "left_to_right":
        assert ind.chain.order == (0, 1, 2)


def test_beam_search_task_reports_one_step_per_mask(tiny_model):
    steps = beam_search_task(tiny_model, InferenceInput(THREE), beam=3, expand=3)
    progress = []
    result = run_to_end(steps, progress)
    assert progress == [(1, 3), (2, 3), (3, 3)]
    assert result.beam == 3 and len(result.candidates) == 3


def test_knocked_out_heads_are_honoured(tiny_model):
    heads = frozenset({(0, 1), (1, 2), (1, 3)})
    inp = InferenceInput(THREE, knocked_out=heads)
    naive = Naive(tiny_model, inp)
    _fill, _order, logps = naive.greedy(naive.most_confident)
    result = iterative_fill(tiny_model, inp)
    assert result.knocked_out == heads
    assert result.iterative.score == pytest.approx(sum(logps.values()), abs=1e-4)
    # The test can fail: with every head on, the numbers are different.
    assert iterative_fill(tiny_model, InferenceInput(THREE)).iterative.score != pytest.approx(
        result.iterative.score, abs=1e-4
    )
    candidate = beam_search(tiny_model, inp, beam=2, expand=2).candidates[0]
    assert candidate.score == pytest.approx(sum(naive.replay(candidate.token_ids, candidate.order)), abs=1e-4)


def test_one_mask_joint_is_independent(tiny_model):
    result = iterative_fill(tiny_model, InferenceInput("the cat sat on the [MASK] ."))
    assert result.note == ONE_MASK_NOTE and not result.differs
    assert result.iterative.token_ids == result.independent.token_ids
    assert result.iterative.score == pytest.approx(result.independent.score, abs=1e-6)
    assert beam_search(tiny_model, InferenceInput("the cat sat on the [MASK] .")).note == ONE_MASK_NOTE


def test_special_tokens_are_never_chosen(tiny_model_dir):
    from bertviz_app.engine import load_folder

    lm = load_folder(tiny_model_dir)  # a copy of its own: its MLM bias is changed below
    mask_id = lm.tokenizer.mask_id
    with torch.no_grad():
        lm.model.cls.predictions.bias[mask_id] += 50.0  # [MASK] is now by far the most probable "word"
    result = iterative_fill(lm, InferenceInput(TWO))
    assert result.iterative.probabilities[0] < 0.01  # probabilities stay the model's: [MASK] takes almost all
    for filling in (result.iterative, result.independent, *beam_search(lm, InferenceInput(TWO), beam=3).candidates):
        assert mask_id not in filling.token_ids and "[MASK]" not in filling.tokens


def test_clear_messages_without_masks_or_mlm_head(tiny_model, tmp_path):
    from conftest import make_tiny_model

    from bertviz_app.engine import load_folder

    with pytest.raises(InputError, match="nothing is masked"):
        iterative_fill(tiny_model, InferenceInput("the cat sat ."))
    headless = load_folder(make_tiny_model(tmp_path / "headless", mlm_head=False))
    with pytest.raises(NoMLMHeadError, match="no masked-language-model head"):
        beam_search(headless, InferenceInput(TWO))
    with pytest.raises(ValueError, match="unknown order"):
        beam_search(tiny_model, InferenceInput(TWO), order="random")


def test_the_windows_result_stands_in_for_the_first_forward_only_when_it_is_this_inputs(tiny_model, monkeypatch):
    from bertviz_app.analysis import joint_fill
    from bertviz_app.analysis.inference import run_inference

    inp = InferenceInput("the [MASK] sat on the [MASK] .")
    fresh = iterative_fill(tiny_model, inp)
    forwards = []
    real = joint_fill._Setup.log_probs

    def counted(self, fills):  # a call with repeated fills only forwards the distinct ones (a second call)
        if len(set(fills)) == len(fills):
            forwards.append(fills)
        return real(self, fills)

    monkeypatch.setattr(joint_fill._Setup, "log_probs", counted)
    reused = run_to_end(joint_fill.joint_fill_task(tiny_model, inp, result=run_inference(tiny_model, inp)))
    assert len(forwards) == 1  # two masks: only the forward after the first choice
    assert reused.iterative.tokens == fresh.iterative.tokens and reused.independent.tokens == fresh.independent.tokens
    assert reused.iterative.score == pytest.approx(fresh.iterative.score, abs=1e-4)
    forwards.clear()
    other = run_inference(tiny_model, InferenceInput(inp.text, knocked_out=frozenset({(0, 0)})))
    run_to_end(joint_fill.joint_fill_task(tiny_model, inp, result=other))
    assert len(forwards) == 2  # not this input's (other heads off): the first forward runs
