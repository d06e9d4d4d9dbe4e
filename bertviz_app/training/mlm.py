"""Masked-language-model (MLM) fine-tuning of a BERT loaded by our engine. Plain torch; no Qt.

The recipe, in order:

* the corpus (``train.txt``: one passage per line) is tokenized into one stream, passages separated by
  ``[SEP]``, and cut into packed sequences ``[CLS] t1 … t(L-2) [SEP]`` (no padding, so no attention mask);
* each batch masks 15% of the non-special tokens (or of the words, ``whole_word``) and replaces them
  80/10/10 with ``[MASK]`` / a random token / themselves; ``[CLS]``, ``[SEP]``, ``[PAD]``, ``[UNK]`` and
  ``[MASK]`` are never chosen;
* only the top ``train_layers`` encoder layers and the MLM head train (embeddings frozen by default, so a
  tied decoder stays equal to the base's word embeddings); the frozen bottom runs without autograd;
* a model with no MLM head (e.g. a sentence-transformers encoder) gets a new one: transform dense = identity,
  LayerNorm default, output bias = log unigram frequency of the training tokens;
* AdamW with linear warm-up then linear or cosine decay; gradient clipping;
* everything is a pure function of (config, corpus, seed): batch ``s`` and its masking depend only on the seed
  and ``s``, so a resumed run repeats an uninterrupted one exactly;
* ``OUT/checkpoint/`` (a complete Hugging Face model folder + ``train_state.pt``) is refreshed every
  ``save_every`` steps; the final model is written to ``OUT/`` in Hugging Face layout (``config.json``,
  ``model.safetensors``, tokenizer files) with ``training.json`` describing the run.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from bertviz_app.engine.checkpoint import save_bert, tokenizer_folder
from bertviz_app.engine.errors import ConfigError
from bertviz_app.engine.model import BertModel
from bertviz_app.engine.tokenizer import BertTokenizer
from bertviz_app.training.config import RESUME_LOCKED, TrainConfig, config_from_args

IGNORE = -100  # label of positions that are not predicted
CHECKPOINT_DIR = "checkpoint"
TRAIN_STATE = "train_state.pt"
TRAINING_JSON = "training.json"
LOG_FILE = "train.log"
METRICS_FILE = "metrics.jsonl"

# --------------------------------------------------------------------------------------------------
# Corpus: text → token stream → packed sequences
# --------------------------------------------------------------------------------------------------


def corpus_files(corpus: str | Path) -> tuple[Path, Path | None]:
    """(train file, held-out file or None) of a corpus folder (train.txt, heldout.txt) or a single file."""
    path = Path(corpus)
    if path.is_dir():
        train = path / "train.txt"
        if not train.is_file():
            raise ValueError(f"no train.txt in the corpus folder {path}")
        heldout = path / "heldout.txt"
        return train, (heldout if heldout.is_file() else None)
    if path.is_file():
        return path, None
    raise ValueError(f"corpus {path} is neither a folder nor a file")


def read_lines(path: Path) -> Iterable[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line:
                yield line


def token_stream(
    tokenizer: BertTokenizer, lines: Iterable[str], max_tokens: int | None = None, chunk_lines: int = 4096
) -> np.ndarray:
    """Token ids of the passages, each followed by [SEP]; stops once ``max_tokens`` are collected."""
    backend = tokenizer._tok  # the `tokenizers` object; batch encoding is much faster than encode()
    dtype = np.uint16 if tokenizer.vocab_size <= np.iinfo(np.uint16).max else np.int32
    parts: list[np.ndarray] = []
    total = 0
    chunk: list[str] = []

    def flush() -> None:
        nonlocal total
        for enc in backend.encode_batch(chunk, add_special_tokens=False):
            ids = np.asarray([*enc.ids, tokenizer.sep_id], dtype=dtype)
            parts.append(ids)
            total += len(ids)
        chunk.clear()

    for line in lines:
        chunk.append(line)
        if len(chunk) >= chunk_lines:
            flush()
            if max_tokens is not None and total >= max_tokens:
                break
    if chunk:
        flush()
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def pack(stream: np.ndarray, seq_len: int, cls_id: int, sep_id: int) -> np.ndarray:
    """(N, seq_len) sequences ``[CLS] chunk [SEP]`` cut from the stream; the incomplete tail is dropped."""
    body = seq_len - 2
    n = len(stream) // body
    if n == 0:
        raise ValueError(f"the corpus is too small: {len(stream)} tokens do not fill one sequence of {seq_len}")
    out = np.empty((n, seq_len), dtype=stream.dtype)
    out[:, 0] = cls_id
    out[:, 1:-1] = stream[: n * body].reshape(n, body)
    out[:, -1] = sep_id
    return out


@dataclass
class VocabInfo:
    """Per-id lookup tables the masking needs."""

    mask_id: int
    vocab_size: int
    special: torch.Tensor  # (V,) bool: never masked, never a random replacement
    continuation: torch.Tensor  # (V,) bool: "##" word pieces (continue the previous word)
    replacement_ids: torch.Tensor  # (R,) ids a masked token may be replaced with at random

    @classmethod
    def from_tokenizer(cls, tokenizer: BertTokenizer, vocab_size: int) -> VocabInfo:
        special = torch.zeros(vocab_size, dtype=torch.bool)
        for i in (tokenizer.pad_id, tokenizer.unk_id, tokenizer.cls_id, tokenizer.sep_id, tokenizer.mask_id):
            special[i] = True
        continuation = torch.zeros(vocab_size, dtype=torch.bool)
        placeholder = torch.zeros(vocab_size, dtype=torch.bool)  # [unused17] etc.: never seen in text
        for i in range(min(vocab_size, tokenizer.vocab_size)):
            tok = tokenizer.id_to_token(i)
            continuation[i] = tok.startswith("##")
            placeholder[i] = tok == "" or (tok.startswith("[") and tok.endswith("]"))
        replacement = torch.nonzero(~special & ~placeholder).flatten()
        return cls(tokenizer.mask_id, vocab_size, special, continuation, replacement)


def mask_tokens(
    input_ids: torch.Tensor,
    vocab: VocabInfo,
    generator: torch.Generator,
    *,
    mlm_prob: float = 0.15,
    whole_word: bool = False,
    replace_probs=(0.8, 0.1),
):
    """BERT masking. input_ids (B, T) int64 → (inputs (B, T), labels (B, T) with IGNORE where not masked).

    Each non-special token (or, with ``whole_word``, each word: a token and the "##" pieces after it) is
    chosen with probability ``mlm_prob``; a chosen token becomes [MASK] with probability replace_probs[0], a
    random non-special token with replace_probs[1], and stays itself otherwise (for whole words the choice
    is made once per word). At least one token of the batch is always chosen.
    """
    B, T = input_ids.shape
    special = vocab.special[input_ids]  # (B, T)
    if whole_word:
        starts = ~vocab.continuation[input_ids] | special  # (B, T): a word begins here
        group = torch.cumsum(starts.long(), dim=1) - 1  # (B, T) word index within the row
        group = group.clamp_min(0)
    else:
        group = torch.arange(T).expand(B, T)  # every token its own group
    u_choose = torch.rand(B, T, generator=generator)
    u_replace = torch.rand(B, T, generator=generator)
    random_pick = torch.randint(len(vocab.replacement_ids), (B, T), generator=generator)
    chosen = (torch.gather(u_choose, 1, group) < mlm_prob) & ~special  # (B, T)
    if not bool(chosen.any()):
        candidates = torch.nonzero(~special)
        if len(candidates):
            b, t = candidates[int(torch.randint(len(candidates), (1,), generator=generator))]
            chosen[b, t] = True
    r = torch.gather(u_replace, 1, group)  # (B, T), shared by a word's pieces
    to_mask = chosen & (r < replace_probs[0])
    to_random = chosen & (r >= replace_probs[0]) & (r < replace_probs[0] + replace_probs[1])
    inputs = input_ids.clone()
    inputs[to_mask] = vocab.mask_id
    inputs[to_random] = vocab.replacement_ids[random_pick[to_random]]
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, IGNORE))
    return inputs, labels


def unigram_counts(stream: np.ndarray, vocab_size: int, special: torch.Tensor | None = None) -> np.ndarray:
    counts = np.bincount(stream.astype(np.int64), minlength=vocab_size)[:vocab_size].astype(np.float64)
    if special is not None:
        counts[special.numpy()] = 0.0
    return counts


# --------------------------------------------------------------------------------------------------
# Model preparation
# --------------------------------------------------------------------------------------------------


def with_new_mlm_head(model: BertModel, counts: np.ndarray | None, head_init: str = "identity") -> BertModel:
    """A copy of ``model`` (same weights) with a freshly initialised MLM head.

    transform.dense = identity (or torch's default init), LayerNorm = (1, 0), decoder tied to the word
    embeddings (a copy of them when untied), output bias = log unigram frequency of ``counts`` (add-one).
    """
    cfg = model.config
    new = BertModel(cfg, with_pooler=model.pooler is not None, with_mlm_head=True)
    missing, unexpected = new.load_state_dict(model.state_dict(), strict=False)
    assert not unexpected, unexpected
    assert all(k.startswith("cls.") for k in missing), missing
    head = new.cls.predictions
    with torch.no_grad():
        if head_init == "identity":
            head.transform.dense.weight.copy_(torch.eye(cfg.hidden_size))
            head.transform.dense.bias.zero_()
        head.transform.LayerNorm.weight.fill_(1.0)
        head.transform.LayerNorm.bias.zero_()
        if not cfg.tie_word_embeddings:
            head.decoder.weight.copy_(new.embeddings.word_embeddings.weight)
        if counts is not None:
            c = torch.as_tensor(counts, dtype=torch.float64) + 1.0
            head.bias.copy_((c / c.sum()).log().to(torch.float32))
        else:
            head.bias.zero_()
    new.tie_weights()
    return new


def set_trainable(model: BertModel, train_layers: int, train_embeddings: bool = False) -> int:
    """Freeze everything but the top ``train_layers`` layers and the head; returns the first layer that needs
    autograd in the forward pass (0 when the embeddings train)."""
    for p in model.parameters():
        p.requires_grad_(False)
    layers = model.encoder.layer
    first = len(layers) - min(train_layers, len(layers))
    for layer in layers[first:]:
        for p in layer.parameters():
            p.requires_grad_(True)
    if train_embeddings:
        for p in model.embeddings.parameters():
            p.requires_grad_(True)
    if model.cls is not None:
        head = model.cls.predictions
        for p in (*head.transform.parameters(), head.bias):
            p.requires_grad_(True)
        if not model.config.tie_word_embeddings:
            head.decoder.weight.requires_grad_(True)
    return 0 if train_embeddings else first


def trainable_names(model: BertModel) -> list[str]:
    """Hugging Face names of the tensors training changes (what differs from the base model)."""
    ours = {n for n, p in model.named_parameters() if p.requires_grad}
    if model.config.tie_word_embeddings and "embeddings.word_embeddings.weight" in ours:
        ours.discard("cls.predictions.decoder.weight")
    return sorted(n if n.startswith("cls.") else f"bert.{n}" for n in ours)


def param_groups(model: BertModel, lr: float, head_lr: float, weight_decay: float) -> list[dict]:
    groups: dict[tuple[bool, bool], list] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        is_head = name.startswith("cls.")
        no_decay = name.endswith(".bias") or "LayerNorm" in name or name == "cls.predictions.bias"
        groups.setdefault((is_head, no_decay), []).append(p)
    out = []
    for (is_head, no_decay), params in sorted(groups.items()):
        base = head_lr if is_head else lr
        decay = 0.0 if no_decay else weight_decay
        out.append({"params": params, "lr": base, "base_lr": base, "weight_decay": decay})
    return out


def decay_start(total: int, warmup: int, schedule: str, decay_frac: float = 0.2) -> int:
    """The step where the learning rate starts to fall (for "wsd": the last ``decay_frac`` of the steps)."""
    if schedule == "wsd":
        return max(warmup, total - round(decay_frac * total))
    return warmup


def lr_factor(
    step: int, total: int, warmup: int, schedule: str = "linear", min_ratio: float = 0.0, decay_frac: float = 0.2
) -> float:
    """Multiplier of the peak learning rate for optimizer step ``step`` (0-based).

    Linear warm-up over ``warmup`` steps, then: "linear" / "cosine" decay to ``min_ratio`` at ``total``, or
    "wsd" (warm-up, stable, decay): constant until the last ``decay_frac`` of the steps, then linear decay.
    A "wsd" run's ``steps`` may change on resumption as long as its decay has not begun.
    """
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    start = decay_start(total, warmup, schedule, decay_frac)
    if step < start:
        return 1.0
    span = max(1, total - start)
    progress = min(1.0, (step - start) / span)
    decay = 0.5 * (1.0 + math.cos(math.pi * progress)) if schedule == "cosine" else 1.0 - progress
    return min_ratio + (1.0 - min_ratio) * decay


def masked_logits(model: BertModel, input_ids: torch.Tensor, positions: torch.Tensor, grad_from: int = 0):
    """Vocabulary logits (N, V) at ``positions`` (N, 2); layers below ``grad_from`` run without autograd."""
    types = torch.zeros_like(input_ids)
    with torch.no_grad() if grad_from > 0 else nullcontext():
        x = model.embeddings(input_ids, types)  # (B, T, D)
        x = model.run_layers(x, 0, grad_from).last_hidden_state
    x = model.run_layers(x, grad_from).last_hidden_state  # (B, T, D)
    selected = x[positions[:, 0], positions[:, 1]]  # (N, D)
    return model.mlm_logits(selected)  # (N, V)


# --------------------------------------------------------------------------------------------------
# Evaluation helpers (also used by evaluate.py)
# --------------------------------------------------------------------------------------------------


def make_eval_set(seqs: np.ndarray, vocab: VocabInfo, seed: int = 1234, mlm_prob: float = 0.15):
    """A fixed masked set: ``mlm_prob`` of the non-special tokens all replaced by [MASK]."""
    ids = torch.from_numpy(seqs.astype(np.int64))
    g = torch.Generator().manual_seed(seed)
    inputs, labels = mask_tokens(ids, vocab, g, mlm_prob=mlm_prob, replace_probs=(1.0, 0.0))
    return inputs, labels


@torch.no_grad()
def masked_accuracy(
    model: BertModel,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    *,
    batch: int = 32,
    device: torch.device | str = "cpu",
    autocast: bool = False,
) -> dict:
    """top-1 / top-5 accuracy and mean cross-entropy over the masked positions, with the engine's forward."""
    was_training = model.training
    model.eval()
    n = top1 = top5 = 0
    loss_sum = 0.0
    dev = torch.device(device)
    for start in range(0, len(inputs), batch):
        x = inputs[start : start + batch].to(dev)
        y = labels[start : start + batch].to(dev)
        pos = torch.nonzero(y != IGNORE)  # (N, 2)
        if len(pos) == 0:
            continue
        target = y[pos[:, 0], pos[:, 1]]
        with _autocast(dev, autocast):
            logits = model(x, predict_at=pos).logits
        logits = logits.float()
        loss_sum += float(F.cross_entropy(logits, target, reduction="sum"))
        best = logits.topk(5, dim=-1).indices  # (N, 5)
        top1 += int((best[:, 0] == target).sum())
        top5 += int((best == target[:, None]).any(dim=1).sum())
        n += len(target)
    model.train(was_training)
    return {"top1": top1 / max(n, 1), "top5": top5 / max(n, 1), "loss": loss_sum / max(n, 1), "masked": n}


def unigram_accuracy(counts: np.ndarray, labels: torch.Tensor) -> dict:
    """The accuracy of always predicting the corpus's most frequent tokens."""
    best = torch.from_numpy(np.argsort(-counts, kind="stable")[:5].copy())
    target = labels[labels != IGNORE]
    n = max(len(target), 1)
    return {
        "top1": float((target == best[0]).sum()) / n,
        "top5": float(torch.isin(target, best).sum()) / n,
        "masked": len(target),
    }


def _autocast(device: torch.device, enabled: bool):
    if not enabled:
        return nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


# --------------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------------


def pick_device(spec: str = "auto") -> torch.device:
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(spec)
    except RuntimeError:
        raise ValueError(f"--device {spec!r} is not a device; use auto, cpu, cuda or cuda:N") from None
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"--device {spec!r} is not supported; use auto, cpu, cuda or cuda:N")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but torch sees no CUDA GPU")
    return device


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def _rng_state() -> dict:
    np_state = np.random.get_state()
    state = {
        "torch": torch.get_rng_state(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
        "random": random.getstate(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    name, keys, *rest = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), *rest))
    version, internal, gauss = state["random"]
    random.setstate((version, tuple(internal), gauss))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def batch_indices(step: int, batch: int, n: int, seed: int, _cache: dict | None = None) -> np.ndarray:
    """Which packed sequences make up batch ``step``: consecutive slices of a per-epoch permutation."""
    idx = np.arange(step * batch, (step + 1) * batch)
    epochs, within = idx // n, idx % n
    out = np.empty(batch, dtype=np.int64)
    cache = _cache if _cache is not None else {}
    for e in np.unique(epochs):
        if e not in cache:
            cache.clear()
            cache[e] = np.random.default_rng([seed, int(e)]).permutation(n)
        sel = epochs == e
        out[sel] = cache[e][within[sel]]
    return out


def _fmt_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"


def _write_atomically(out: Path, name: str, write: Callable[[Path], None]) -> Path:
    final, tmp, old = out / name, out / f"{name}.tmp", out / f"{name}.old"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    write(tmp)
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


class MLMSteps:
    """The optimisation itself, one AdamW step per call of `step()`: what `train` runs over a corpus for hours
    and the app's live pretraining demo over a pasted paragraph for seconds (one loop, two callers).

    Builds the optimizer over what `set_trainable` leaves trainable (the top ``cfg.train_layers`` layers and the
    head) and puts ``model`` in training mode on ``device``; step ``s`` trains on batch ``s`` of ``seqs`` (N, T),
    masked as ``mask_tokens`` does, both depending only on ``cfg.seed`` and ``s`` (so a resumed run repeats an
    uninterrupted one). `done` counts the steps taken (set it when resuming).
    """

    def __init__(
        self,
        model: BertModel,
        seqs: np.ndarray,
        vocab: VocabInfo,
        cfg: TrainConfig,
        *,
        new_head: bool = False,
        device: torch.device | str = "cpu",
    ):
        self.model, self.seqs, self.vocab, self.cfg = model, seqs, vocab, cfg
        self.device = torch.device(device)
        self.grad_from = set_trainable(model, cfg.train_layers, cfg.train_embeddings)
        model.to(self.device)
        model.train()
        self.head_lr = cfg.head_lr if cfg.head_lr is not None else (cfg.lr * 5 if new_head else cfg.lr)
        groups = param_groups(model, cfg.lr, self.head_lr, cfg.weight_decay)
        self.optimizer = torch.optim.AdamW(groups, betas=(0.9, 0.999), eps=1e-6)
        self.warmup = cfg.resolved_warmup()
        self.done = 0
        self._perm_cache: dict = {}

    def step(self) -> tuple[float, float]:
        """One optimizer step on the next batch -> (its loss, the learning rate it used). A non-finite loss
        raises ValueError before the step (it would turn every weight into NaN)."""
        cfg, step, model = self.cfg, self.done, self.model
        factor = lr_factor(step, cfg.steps, self.warmup, cfg.schedule, cfg.min_lr_ratio, cfg.decay_frac)
        for g in self.optimizer.param_groups:
            g["lr"] = g["base_lr"] * factor
        rows = batch_indices(step, cfg.batch, len(self.seqs), cfg.seed, self._perm_cache)
        ids = torch.from_numpy(self.seqs[rows].astype(np.int64))  # (B, T)
        gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + step)
        inputs, labels = mask_tokens(ids, self.vocab, gen, mlm_prob=cfg.mlm_prob, whole_word=cfg.whole_word)
        inputs, labels = inputs.to(self.device), labels.to(self.device)
        pos = torch.nonzero(labels != IGNORE)  # (N, 2)
        target = labels[pos[:, 0], pos[:, 1]]
        with _autocast(self.device, cfg.bf16):
            logits = masked_logits(model, inputs, pos, self.grad_from)
        loss = F.cross_entropy(logits.float(), target)
        value = loss.item()
        if not math.isfinite(value):
            raise ValueError(
                f"the loss became {value} at step {step + 1}; training stopped and this run saved nothing "
                "more (try a lower --lr, or --clip)"
            )
        loss.backward()
        if cfg.clip > 0:
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], cfg.clip)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.done = step + 1
        return value, cfg.lr * factor


@dataclass
class TrainResult:
    out: Path
    steps_done: int
    finished: bool
    history: list[dict] = field(default_factory=list)
    final_eval: dict | None = None


class _Logger:
    def __init__(self, out: Path, echo: Callable[[str], None] | None):
        self.path = out / LOG_FILE
        self.metrics = out / METRICS_FILE
        self.echo = echo

    def __call__(self, line: str) -> None:
        stamped = f"[{time.strftime('%H:%M:%S')}] {line}"
        if self.echo is not None:
            self.echo(stamped)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(stamped + "\n")

    def record(self, row: dict) -> None:
        with open(self.metrics, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")


def _print(line: str) -> None:
    print(line, flush=True)


def train(cfg: TrainConfig, echo: Callable[[str], None] | None = _print, handle_signals: bool = False) -> TrainResult:
    """Run (or resume) MLM training as ``cfg`` says; see the module docstring for the recipe."""
    from bertviz_app.engine.discovery import resolve_model
    from bertviz_app.engine.loader import load_model

    cfg.validate()
    out = Path(cfg.out)
    if out.resolve() == Path(resolve_model(cfg.model).path).resolve():
        raise ValueError(f"--out {cfg.out} is the model folder itself; training would overwrite what it reads")
    out.mkdir(parents=True, exist_ok=True)
    log = _Logger(out, echo)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = pick_device(cfg.device)
    ckpt_dir = out / CHECKPOINT_DIR

    resume_state = None
    if cfg.resume and (ckpt_dir / TRAIN_STATE).is_file():
        resume_state = torch.load(ckpt_dir / TRAIN_STATE, map_location="cpu", weights_only=True)
        _check_resumable(resume_state, cfg)
    elif cfg.resume:
        log(f"note: --resume given but {ckpt_dir} holds no checkpoint; starting from the beginning")

    base = load_model(cfg.model)
    if base.config.model_type != "bert":  # checked before hours of training, not at the first save
        raise ConfigError(f"train-mlm trains BERT models; {cfg.model} is a {base.config.family.name} model")
    tokenizer = base.tokenizer
    tokenizer_dir = tokenizer_folder(Path(base.info.path))  # a delta folder's tokenizer is its base's
    seed_everything(cfg.seed)
    vocab = VocabInfo.from_tokenizer(tokenizer, base.config.vocab_size)

    # ---- data (deterministic: a prefix of the corpus file, packed)
    train_file, heldout_file = corpus_files(cfg.corpus)
    body = cfg.seq_len - 2
    need = cfg.steps * cfg.batch * body
    t0 = time.perf_counter()
    # All of it (or the first max_train_tokens): what is read must not depend on --steps (see resume).
    stream = token_stream(tokenizer, read_lines(train_file), max_tokens=cfg.max_train_tokens)
    if cfg.max_train_tokens is not None:
        stream = stream[: cfg.max_train_tokens]
    seqs = pack(stream, cfg.seq_len, tokenizer.cls_id, tokenizer.sep_id)
    counts = unigram_counts(stream, base.config.vocab_size, vocab.special)
    epochs = need / (len(seqs) * body)
    log(
        f"corpus {train_file}: {len(stream):,} tokens read in {time.perf_counter() - t0:.1f}s → "
        f"{len(seqs):,} sequences of {cfg.seq_len}; {cfg.steps} steps × {cfg.batch} = {epochs:.2f} "
        "epoch(s)"
    )
    eval_inputs = eval_labels = None
    if heldout_file is not None and cfg.eval_seqs > 0:
        hstream = token_stream(tokenizer, read_lines(heldout_file), max_tokens=cfg.eval_seqs * body + body)
        hseqs = pack(hstream, cfg.seq_len, tokenizer.cls_id, tokenizer.sep_id)[: cfg.eval_seqs]
        eval_inputs, eval_labels = make_eval_set(hseqs, vocab, seed=cfg.seed + 1, mlm_prob=cfg.mlm_prob)
        uni = unigram_accuracy(counts, eval_labels)
        log(
            f"held-out {heldout_file}: {len(hseqs)} sequences, {uni['masked']} masked tokens; "
            f"unigram baseline top-1 {uni['top1']:.1%} top-5 {uni['top5']:.1%}"
        )

    # ---- model
    new_head = not base.model.has_mlm_head
    if resume_state is not None:
        _, model, _ = _load_checkpoint_model(ckpt_dir)
        new_head = bool(resume_state.get("new_head", new_head))
    elif new_head:
        model = with_new_mlm_head(base.model, counts, cfg.head_init)
        log(f"{base.name} has no MLM head: created one ({cfg.head_init} transform, log-unigram output bias)")
    else:
        model = base.model
    del base
    steps = MLMSteps(model, seqs, vocab, cfg, new_head=new_head, device=device)
    optimizer, head_lr, warmup = steps.optimizer, steps.head_lr, steps.warmup
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    n_layers = model.config.num_hidden_layers
    log(
        f"device {device}, threads {torch.get_num_threads()}, bf16 {cfg.bf16}; training the top "
        f"{min(cfg.train_layers, n_layers)} of {n_layers} layers + head ({n_train:,} parameters); "
        f"lr {cfg.lr:g}, head lr {head_lr:g}, warm-up {warmup}, {cfg.schedule} decay"
    )

    start_step = 0
    history: list[dict] = []
    if resume_state is not None:
        optimizer.load_state_dict(resume_state["optimizer"])
        _set_rng_state(resume_state["rng"])
        start_step = int(resume_state["step"])
        history = list(resume_state.get("history", []))
        log(f"resumed from {ckpt_dir} at step {start_step}")

    def evaluate(step: int) -> dict | None:
        if eval_inputs is None:
            return None
        t = time.perf_counter()
        m = masked_accuracy(model, eval_inputs, eval_labels, device=device, autocast=cfg.bf16)
        m["step"] = step
        log(
            f"eval step {step}: held-out masked top-1 {m['top1']:.1%} top-5 {m['top5']:.1%} "
            f"loss {m['loss']:.3f} ({time.perf_counter() - t:.0f}s)"
        )
        log.record({"kind": "eval", **m})
        history.append(m)
        return m

    def save(step: int) -> None:
        state = {
            "step": step,
            "optimizer": optimizer.state_dict(),
            "rng": _rng_state(),
            "config": asdict(cfg),
            "new_head": new_head,
            "history": history,
        }

        def write(folder: Path) -> None:
            save_bert(model, folder, tokenizer_dir)
            torch.save(state, folder / TRAIN_STATE)
            _write_training_json(folder, cfg, model, step, history, tokenizer_dir)

        _write_atomically(out, CHECKPOINT_DIR, write)
        saved_at["step"] = step
        log(f"checkpoint: step {step} → {ckpt_dir}")

    saved_at = {"step": start_step if resume_state is not None else -1}
    stop = {"flag": False}
    old_handlers = {}
    if handle_signals:

        def on_signal(signum, _frame):
            stop["flag"] = True
            log(f"signal {signum}: stopping after this step (a checkpoint will be saved)")

        for sig in (signal.SIGINT, signal.SIGTERM):
            old_handlers[sig] = signal.signal(sig, on_signal)

    if start_step == 0:
        evaluate(0)
    last_step = cfg.steps if cfg.stop_after is None else min(cfg.steps, cfg.stop_after)
    losses: list[float] = []
    t_train, steps_timed = 0.0, 0
    step = steps.done = start_step
    try:
        while step < last_step and not stop["flag"]:
            t = time.perf_counter()
            loss, lr = steps.step()
            step = steps.done
            losses.append(loss)
            t_train += time.perf_counter() - t
            steps_timed += 1
            if step % cfg.log_every == 0 or step == last_step:
                recent = losses[-cfg.log_every :]
                rate = steps_timed / t_train
                tok_s = rate * cfg.batch * cfg.seq_len
                mean_loss = sum(recent) / len(recent)
                eta = _fmt_duration((last_step - step) / rate)
                log(
                    f"step {step}/{cfg.steps} loss {mean_loss:.3f} lr {lr:.2e} "
                    f"{tok_s:,.0f} tok/s elapsed {_fmt_duration(t_train)} ETA {eta}"
                )
                log.record({"kind": "train", "step": step, "loss": mean_loss, "lr": lr, "tok_s": tok_s})
            if cfg.eval_every and step % cfg.eval_every == 0 and step < cfg.steps:
                evaluate(step)
            if cfg.save_every and step % cfg.save_every == 0 and step < last_step:
                save(step)
    finally:
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)

    finished = step >= cfg.steps
    final_eval = None
    if finished:
        final_eval = evaluate(step) if (not history or history[-1]["step"] != step) else history[-1]
    if saved_at["step"] != step or finished:
        save(step)
    if finished:
        model.eval()
        save_bert(model, out, tokenizer_dir)
        _write_training_json(out, cfg, model, step, history, tokenizer_dir)
        log(f"done: {step} steps; model written to {out} (Hugging Face layout)")
    else:
        log(f"stopped at step {step}/{cfg.steps}; continue with the same command and --resume")
    return TrainResult(out, step, finished, history, final_eval)


def _check_resumable(state: dict, cfg: TrainConfig) -> None:
    saved = state["config"]
    changed = [k for k in RESUME_LOCKED if saved.get(k) != getattr(cfg, k)]
    if changed:
        raise ValueError(
            "cannot resume: these options differ from the checkpoint's: "
            + ", ".join(f"{k} (was {saved.get(k)!r}, now {getattr(cfg, k)!r})" for k in changed)
        )
    old = TrainConfig(**{k: v for k, v in saved.items() if k in TrainConfig.__dataclass_fields__})
    if old.resolved_warmup() != cfg.resolved_warmup():
        raise ValueError(
            f"cannot resume: the warm-up was {old.resolved_warmup()} steps, now "
            f"{cfg.resolved_warmup()}; give --warmup {old.resolved_warmup()}"
        )
    if old.steps != cfg.steps:
        step = int(state["step"])
        starts = [decay_start(c.steps, c.resolved_warmup(), c.schedule, c.decay_frac) for c in (old, cfg)]
        if cfg.schedule != "wsd" or step > min(starts):
            raise ValueError(
                f"cannot resume with --steps {cfg.steps} (the checkpoint's run has {old.steps}): only a "
                "--schedule wsd run can change its length, and only before its decay begins"
            )


def _load_checkpoint_model(folder: Path):
    from bertviz_app.engine.checkpoint import load_bert

    return load_bert(folder)


def _write_training_json(
    folder: Path, cfg: TrainConfig, model: BertModel, step: int, history: list[dict], tokenizer_dir: Path
) -> None:
    info = {
        "base_model": cfg.model,
        "base_model_dir": str(tokenizer_dir),
        "steps_done": step,
        "config": asdict(cfg),
        # What differs from the base model (all other tensors are the base's, unchanged).
        "trained_tensors": trainable_names(model),
        "eval_history": history,
        "torch": torch.__version__,
        "python": sys.version.split()[0],
    }
    (folder / TRAINING_JSON).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


__all__ = [
    "MLMSteps",
    "TrainConfig",
    "TrainResult",
    "VocabInfo",
    "config_from_args",
    "corpus_files",
    "decay_start",
    "lr_factor",
    "make_eval_set",
    "mask_tokens",
    "masked_accuracy",
    "pack",
    "read_lines",
    "set_trainable",
    "token_stream",
    "train",
    "unigram_accuracy",
    "unigram_counts",
    "with_new_mlm_head",
]
