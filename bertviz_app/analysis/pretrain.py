"""The live pretraining demo: masked-language-model training of a COPY of the loaded model on a short text a
teacher pastes, a few dozen steps on the worker, with the predictions for a test sentence before and after.

The training is `training/mlm.py`'s own (`MLMSteps`: the same masking, AdamW, warm-up and clipping as
`bertviz-app train-mlm`), on the pasted text instead of a corpus: its tokens, each line followed by the
separator, cut into rows of at most `SEQ_LEN` tokens (the last row completed from the start of the text, so
no word is left out). The loaded model is never touched: its weights are deep-copied, in memory; nothing is
written unless the teacher saves the copy as a new model folder (`save_task`). The loss on the text is measured
before and after on one fixed masked copy of it (the curve's per-step losses each mask other tokens, so they
are noisy).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil
import tempfile
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bertviz_app.analysis.inference import InferenceInput, MaskPrediction, run_inference
from bertviz_app.engine.checkpoint import save_bert, tokenizer_folder
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
FINE_TUNING_JSON = "fine_tuning.json"  # in a saved copy: what it was fine-tuned from, on what, and how


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
    config: TrainConfig = field(default_factory=lambda: DEMO_CONFIG)  # the recipe: this run's steps, lr, seed
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
        config=cfg,
        model=tuned,
    )


@dataclass(frozen=True)
class SavedModel:
    """The payload of the "save_fine_tuned" task."""

    folder: str
    size: int  # bytes written


def save_task(_lm: LoadedModel, _inp: InferenceInput, *, training: Pretraining, folder: str) -> SavedModel:
    """The fine-tuned copy of `training` as a new model folder at `folder`: config.json, model.safetensors, the
    tokenizer's files (a bundled delta model's come from its base) and fine_tuning.json (the model it was tuned
    from, the text, the steps and the losses). `folder` must not exist, or be an empty folder; everything is
    written into a temporary folder beside it and renamed into place, so a failure leaves nothing behind. BERT
    models only (engine.checkpoint.hf_state_dict says so for the others)."""
    target = Path(folder).expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{target} already exists and is not an empty folder: choose a new name.")
    lm = training.model
    target.parent.mkdir(parents=True, exist_ok=True)
    # Not training/mlm.py's _write_atomically: that one uses (and first deletes) fixed <name>.tmp and <name>.old
    # beside the target, safe in train-mlm's own output folder but not in a folder the user picked.
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        save_bert(lm.model, tmp, tokenizer_folder(Path(lm.info.path)))
        info = {
            "fine_tuned_from": lm.name,
            "recipe": "the live pretraining demo (analysis/pretrain.py): train-mlm's steps on a pasted text",
            "config": {  # train-mlm's settings (its model, corpus and out have no meaning here)
                k: v for k, v in dataclasses.asdict(training.config).items() if k not in ("model", "corpus", "out")
            },
            "text": training.text,
            "test_sentence": training.probe,
            "loss_before": training.loss_before,
            "loss_after": training.loss_after,
            "losses": [round(float(x), 5) for x in training.losses],
        }
        (tmp / FINE_TUNING_JSON).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if target.exists():
            target.rmdir()  # empty (checked above)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SavedModel(str(target), sum(f.stat().st_size for f in target.iterdir()))


__all__ = ["DEMO_CONFIG", "Pretraining", "SavedModel", "TrainingStep", "pretrain_task", "save_task", "sequences"]
