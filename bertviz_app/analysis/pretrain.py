"""The live pretraining demo: masked-language-model training of a COPY of the loaded model on a short text a
teacher pastes, a few dozen steps on the worker, with the predictions for a test sentence before and after.

The training is `training/mlm.py`'s own (`MLMSteps`: the same masking, AdamW, warm-up and clipping as
`bertviz-app train-mlm`), on the pasted text instead of a corpus: its tokens, each line followed by the
separator, cut into rows of at most `SEQ_LEN` tokens (the last row completed from the start of the text, so
no word is left out). The loaded model is never touched: its weights are deep-copied, in memory; nothing is
written anywhere. The loss on the text is measured before and after on one fixed masked copy of it (the
curve's per-step losses each mask other tokens, so they are noisy).
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np

from bertviz_app.analysis.inference import InferenceInput, MaskPrediction, run_inference
from bertviz_app.engine.errors import InputError, NoMLMHeadError
from bertviz_app.engine.loader import LoadedModel
from bertviz_app.training.config import TrainConfig
from bertviz_app.training.mlm import MLMSteps, VocabInfo, make_eval_set, masked_accuracy, token_stream

# A classroom's recipe: rows of 8 per step (about 0.1 s a step with the bundled model on 2 CPU cores); the top
# two layers and the head train (as train-mlm's default), with a learning rate high enough that a paragraph
# visibly changes the guesses within the few dozen steps the panel asks for. `steps` comes with each run.
SEQ_LEN = 64
DEMO_CONFIG = TrainConfig(seq_len=SEQ_LEN, batch=8, lr=5e-4, warmup=4, train_layers=2, seed=0)
MIN_TOKENS = 4  # fewer leaves almost nothing to mask
MAX_TOKENS = 4096  # a few pages: more than a demo's seconds can learn from


@dataclass(frozen=True)
class TrainingStep:
    """What each step of the run reports, for the live curve."""

    step: int  # 1-based
    loss: float  # the step's masked-LM loss (nats per masked token)
    steps_per_second: float  # over the steps so far (training only)


@dataclass(frozen=True, eq=False)
class Pretraining:
    """The payload of the "pretrain" task."""

    text: str
    probe: str  # the test sentence, with [MASK]
    losses: np.ndarray  # (steps,) float64: each step's training loss
    loss_before: float  # on one fixed masked copy of the text, before training
    loss_after: float  # the same, after
    steps_per_second: float
    seconds: float  # training time
    before: tuple[MaskPrediction, ...]  # the test sentence's guesses with the loaded weights
    after: tuple[MaskPrediction, ...]  # with the fine-tuned copy
    text_ids: frozenset[int]  # the ids of the text's tokens: guesses among them are the text's words
    # The fine-tuned copy (a LoadedModel), an opaque handle for Controller.use_model: the views may hand it back,
    # never look inside it.
    model: object = field(default=None, repr=False)


def sequences(stream: np.ndarray, seq_len: int, cls_id: int, sep_id: int) -> np.ndarray:
    """(N, T) rows `[CLS] piece [SEP]` covering the whole stream, T = min(seq_len, len(stream) + 2); the last
    row is completed from the start of the stream (a short text has no tail to spare)."""
    body = min(seq_len, len(stream) + 2) - 2
    n = -(-len(stream) // body)  # ceil
    wrapped = np.resize(stream, n * body)  # repeats the stream from its start to fill the last row
    out = np.empty((n, body + 2), dtype=stream.dtype)
    out[:, 0], out[:, -1] = cls_id, sep_id
    out[:, 1:-1] = wrapped.reshape(n, body)
    return out


def _guesses(lm: LoadedModel, probe: str, top_k: int) -> tuple[MaskPrediction, ...]:
    inp = InferenceInput(probe, top_k=top_k, want_attention=False, want_hidden_states=False, want_internals=False)
    return run_inference(lm, inp).predictions


def pretrain_task(
    lm: LoadedModel,
    inp: InferenceInput,
    *,
    text: str,
    probe: str,
    steps: int,
    lr: float = DEMO_CONFIG.lr,
    top_k: int = 5,
    seed: int = 0,
) -> Generator[tuple[int, int, TrainingStep], None, Pretraining]:
    """Generator: fine-tune a copy of `lm` on `text` for `steps` steps, yielding (done, steps, TrainingStep) after
    each; returns the Pretraining. `probe` is a sentence with the mask token typed in it (`[MASK]`); `lr` is the
    peak learning rate."""
    if not lm.has_mlm_head:
        raise NoMLMHeadError(f"{lm.name} has no masked-word head, so it cannot be trained to fill masks here")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    tok = lm.tokenizer
    stream = token_stream(tok, lines)[:MAX_TOKENS]
    if len(stream) - len(lines) < MIN_TOKENS:  # the separators after each line do not count
        raise InputError(f"Paste a text of at least {MIN_TOKENS} words to train on.")
    before = _guesses(lm, probe, top_k)
    if not before:
        raise InputError("The test sentence needs a [MASK] for the model to guess.")
    cfg = dataclasses.replace(DEMO_CONFIG, steps=steps, lr=lr, seed=seed)
    seqs = sequences(stream, cfg.seq_len, tok.cls_id, tok.sep_id)
    vocab = VocabInfo.from_tokenizer(tok, lm.config.vocab_size)
    model = copy.deepcopy(lm.model).float()  # never the loaded weights; float32 even where those are fp16
    device = next(model.parameters()).device
    eval_inputs, eval_labels = make_eval_set(seqs, vocab, seed=seed + 1, mlm_prob=cfg.mlm_prob)
    loss_before = masked_accuracy(model, eval_inputs, eval_labels, device=device)["loss"]
    trainer = MLMSteps(model, seqs, vocab, cfg, device=device)
    losses, seconds = [], 0.0
    for done in range(1, steps + 1):
        start = time.perf_counter()
        loss, _lr = trainer.step()
        seconds += time.perf_counter() - start
        losses.append(loss)
        yield done, steps, TrainingStep(done, loss, done / seconds)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    tuned = dataclasses.replace(lm, model=model)
    loss_after = masked_accuracy(model, eval_inputs, eval_labels, device=device)["loss"]
    ids = {int(i) for i in stream if not vocab.special[int(i)]}  # no [SEP] between lines, no [UNK]
    return Pretraining(
        text=text,
        probe=probe,
        losses=np.asarray(losses, dtype=np.float64),
        loss_before=float(loss_before),
        loss_after=float(loss_after),
        steps_per_second=steps / seconds if seconds else 0.0,
        seconds=seconds,
        before=before,
        after=_guesses(tuned, probe, top_k),
        text_ids=frozenset(ids),
        model=tuned,
    )


__all__ = ["DEMO_CONFIG", "Pretraining", "TrainingStep", "pretrain_task", "sequences"]
