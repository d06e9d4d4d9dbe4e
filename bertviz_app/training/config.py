"""The options of an MLM training run. No torch here, so the command-line parser can read the defaults cheaply."""

from __future__ import annotations

from dataclasses import dataclass, fields

SCHEDULES = ("linear", "cosine", "wsd")

# Options that must not change between a run and its resumption (they change what is computed).
# ``steps`` and ``warmup`` are checked separately: a "wsd" run may change its length before its decay.
RESUME_LOCKED = (
    "seq_len",
    "batch",
    "lr",
    "head_lr",
    "schedule",
    "min_lr_ratio",
    "decay_frac",
    "weight_decay",
    "clip",
    "train_layers",
    "train_embeddings",
    "whole_word",
    "mlm_prob",
    "seed",
    "head_init",
    "bf16",
    "max_train_tokens",
)


@dataclass
class TrainConfig:
    model: str = "default"  # what engine.load_model accepts: "default", a folder, a cached name
    corpus: str = ""  # a folder with train.txt (and heldout.txt), or one text file
    out: str = ""
    steps: int = 1000
    seq_len: int = 128
    batch: int = 32
    lr: float = 2e-4  # encoder layers (and embeddings when they train)
    head_lr: float | None = None  # the MLM head; default: lr, or 5 × lr for a newly created head
    warmup: int | None = None  # warm-up steps; default 6% of steps
    schedule: str = "linear"  # decay after warm-up: "linear", "cosine", or "wsd" (stable, then decay)
    min_lr_ratio: float = 0.0  # the learning rate decays to this fraction of its peak
    decay_frac: float = 0.2  # "wsd": the last fraction of the steps that decays
    weight_decay: float = 0.01
    clip: float = 1.0
    train_layers: int = 2  # the top K encoder layers train (with the head); 0 = head only
    train_embeddings: bool = False
    whole_word: bool = False
    mlm_prob: float = 0.15
    seed: int = 0
    max_train_tokens: int | None = None  # read only the first N tokens of train.txt (default: all of it)
    eval_every: int = 200  # 0 = only at the start and the end
    eval_seqs: int = 128  # held-out sequences used for the periodic evaluation
    save_every: int = 200  # 0 = only at the end
    log_every: int = 10
    threads: int | None = None
    device: str = "auto"  # "auto", "cpu", "cuda", "cuda:1" ...
    bf16: bool = False  # bfloat16 autocast for the forward/backward (CPUs with AVX512-BF16/AMX, GPUs)
    head_init: str = "identity"  # new head's transform dense: "identity" or "default" (random)
    resume: bool = False
    stop_after: int | None = None  # stop (with a checkpoint) after this step, to continue later with resume

    def resolved_warmup(self) -> int:
        return self.warmup if self.warmup is not None else max(1, round(0.06 * self.steps))

    def validate(self) -> None:
        if not self.corpus:
            raise ValueError("--corpus is required (a folder with train.txt, or a text file)")
        if not self.out:
            raise ValueError("--out is required")
        for name in ("steps", "seq_len", "batch", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
        if self.seq_len < 8:
            raise ValueError("--seq-len must be at least 8")
        if self.train_layers < 0:
            raise ValueError("--train-layers must be 0 or more")
        if not 0.0 < self.mlm_prob < 1.0:
            raise ValueError("--mlm-prob must be between 0 and 1")
        if self.lr <= 0 or (self.head_lr is not None and self.head_lr <= 0):
            raise ValueError("learning rates must be positive")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"--schedule must be one of {', '.join(SCHEDULES)}")
        if not 0.0 < self.decay_frac <= 1.0:
            raise ValueError("--decay-frac must be in (0, 1]")
        if self.warmup is not None and self.warmup < 0:
            raise ValueError("--warmup must be 0 or more")
        if self.head_init not in ("identity", "default"):
            raise ValueError("--head-init must be 'identity' or 'default'")
        if self.threads is not None and self.threads < 1:
            raise ValueError("--threads must be at least 1")
        if self.max_train_tokens is not None and self.max_train_tokens < self.seq_len:
            raise ValueError("--max-train-tokens must be at least one sequence")


def config_from_args(args) -> TrainConfig:
    """A TrainConfig from argparse results (attributes named like TrainConfig's fields)."""
    values = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if hasattr(args, f.name)}
    return TrainConfig(**values)
