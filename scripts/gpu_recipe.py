#!/usr/bin/env python3
"""The bundled model's GPU recipe: rebuild the corpus, train the chosen configuration at GPU size, ship it.

The configuration is the one the CPU experiments chose (README "The bundled model"): continue the shipped
model with masked-language modelling on the modern-majority corpus, whole-word masking, a wsd schedule,
bf16 autocast. On a GPU the whole encoder trains (all 6 layers, the tied embeddings stay frozen) for far
more steps than a CPU allows: by default 6,000 steps of 256 × 128 tokens (197 M tokens, about 19 passes
over the corpus), planned for about 15 minutes of one H200 with the corpus build and the evaluation.

    .venv/bin/python scripts/gpu_recipe.py                      # on a machine with a CUDA device
    .venv/bin/python scripts/gpu_recipe.py --resume             # after an interruption: continue the run

The three steps are the project's own commands, run one after the other (each printed first):
``scripts/build_corpus.py``, ``bertviz-app train-mlm`` (checkpoints every --save-every steps; --resume
continues from the last one) and ``scripts/ship_default_model.py``, which writes the model folder only
after evaluating it. --ship-to defaults to the bundled model's folder; another folder first gets a copy of
the bundled model, so that the new one is compared with it and its recipe lists the runs it continues.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "resources" / "models" / "bert-explorer-mini"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda", help="torch device (default cuda; 'cpu' only to test the recipe)")
    p.add_argument("--corpus", type=Path, default=ROOT / "build" / "corpus-v2", help="corpus folder to build/use")
    p.add_argument("--reuse-corpus", action="store_true", help="use --corpus as it is when it has a train.txt")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "train-gpu", help="train-mlm output folder")
    p.add_argument("--ship-to", type=Path, default=BUNDLED, help=f"model folder to write (default {BUNDLED})")
    p.add_argument("--no-ship", dest="ship", action="store_false", help="train only")
    p.add_argument("--resume", action="store_true", help="continue an interrupted training run")
    p.add_argument("--steps", type=int, default=6000)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--seq-len", type=int, default=128)
    p.add_argument("--train-layers", type=int, default=6)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--head-lr", type=float, default=4e-4)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--save-every", type=int, default=500)
    p.add_argument("--max-train-tokens", type=int, default=None, help="read only this much of train.txt")
    p.add_argument("--dry-run", action="store_true", help="print the commands and stop")
    return p.parse_args(argv)


def commands(args: argparse.Namespace) -> list[list[str]]:
    py = sys.executable
    steps = []
    if not (args.reuse_corpus and (args.corpus / "train.txt").is_file()):
        steps.append([py, str(ROOT / "scripts" / "build_corpus.py"), "--install", "--out", str(args.corpus)])
    train = [
        py, "-m", "bertviz_app", "train-mlm", "--model", "default", "--corpus", str(args.corpus),
        "--out", str(args.out), "--steps", str(args.steps), "--seq-len", str(args.seq_len),
        "--batch", str(args.batch), "--train-layers", str(args.train_layers), "--whole-word",
        "--mlm-prob", "0.15", "--lr", str(args.lr), "--head-lr", str(args.head_lr), "--schedule", "wsd",
        "--decay-frac", "0.25", "--min-lr-ratio", "0.0", "--warmup", str(args.warmup),
        "--weight-decay", "0.01", "--clip", "1.0", "--seed", str(args.seed), "--bf16",
        "--device", args.device, "--eval-every", str(args.eval_every), "--save-every", str(args.save_every),
    ]  # fmt: skip
    if args.max_train_tokens:
        train += ["--max-train-tokens", str(args.max_train_tokens)]
    if args.resume:
        train.append("--resume")
    steps.append(train)
    if args.ship:
        ship = [py, str(ROOT / "scripts" / "ship_default_model.py"), str(args.out), "--corpus", str(args.corpus)]
        steps.append([*ship, "--out", str(args.ship_to)])
    return steps


def check_device(device: str) -> str | None:
    """Why the device cannot be used, or None."""
    import torch

    if device.startswith("cuda") and not torch.cuda.is_available():
        return f"no CUDA device here (torch {torch.__version__}); this recipe is for a GPU machine"
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = commands(args)
    for cmd in plan:
        print("$ " + shlex.join(cmd), flush=True)
    if args.dry_run:
        return 0
    problem = check_device(args.device)
    if problem:
        print(f"gpu_recipe: {problem}", file=sys.stderr)
        return 2
    if args.ship and args.ship_to.resolve() != BUNDLED.resolve() and not (args.ship_to / "recipe.json").exists():
        shutil.copytree(BUNDLED, args.ship_to, dirs_exist_ok=True)  # the model this run continues
    for cmd in plan:
        started = time.monotonic()
        print(f"\n$ {shlex.join(cmd)}", flush=True)
        rc = subprocess.run(cmd, cwd=ROOT).returncode
        print(f"({time.monotonic() - started:.0f} s, exit {rc})", flush=True)
        if rc != 0:
            return rc
    return 0


if __name__ == "__main__":
    sys.exit(main())
