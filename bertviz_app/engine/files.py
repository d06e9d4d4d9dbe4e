"""The files of a model folder (Hugging Face layout), and what makes a folder a model this app can open.

No torch and no Qt: checkpoint loading, model discovery and the Hub download all read their file names
here, so the three agree on what a model folder is, and discovery and the download do not import each other.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from pathlib import Path

from bertviz_app.engine import validation
from bertviz_app.engine.errors import ConfigError

CONFIG = "config.json"
SAFETENSORS = "model.safetensors"
SAFETENSORS_INDEX = "model.safetensors.index.json"
PYTORCH_BIN = "pytorch_model.bin"
PYTORCH_BIN_INDEX = "pytorch_model.bin.index.json"
# A "delta" folder ships only the tensors that differ from a base model installed as a Python package
# (how the bundled default model stays small): base.json names the package and the folder inside it.
BASE_FILE = "base.json"
DELTA_FILE = "delta.safetensors"
WEIGHT_FILES = (SAFETENSORS, SAFETENSORS_INDEX, PYTORCH_BIN, PYTORCH_BIN_INDEX, DELTA_FILE)
# The files a tokenizer is read from (one of them is enough), and those copied next to a saved model.
TOKENIZER_MAIN_FILES = ("tokenizer.json", "vocab.txt")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json")
# What a download fetches besides config and weights: tokenizer files of every family (WordPiece vocab,
# byte-level BPE vocab + merges, SentencePiece models) and the model card. All data, never code.
DOWNLOAD_EXTRA_FILES = (
    *TOKENIZER_FILES,
    "vocab.json",
    "merges.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
    "added_tokens.json",
    "README.md",
)
MODEL_CARD_FILES = ("MODEL_CARD.md", "README.md")
# An interrupted download keeps what it has as blobs/<blob>.incomplete in the cache, to continue from there.
PARTIAL_SUFFIX = ".incomplete"


def read_config(folder: Path) -> dict | None:
    """config.json as a dict, or None when it is missing or not a JSON object."""
    try:  # a FIFO, a device, deep nesting: None, never a wait or a RecursionError
        return validation.read_json_object(Path(folder) / CONFIG, ConfigError)
    except (OSError, ConfigError):
        return None


def has_weights(folder: Path) -> bool:
    return any((Path(folder) / name).exists() for name in WEIGHT_FILES)


def has_tokenizer(folder: Path) -> bool:
    return any((Path(folder) / name).exists() for name in TOKENIZER_MAIN_FILES)


def supported_model_types() -> tuple[str, ...]:
    from bertviz_app.engine.config import SUPPORTED_MODEL_TYPES  # torch-free

    return tuple(SUPPORTED_MODEL_TYPES)


def is_model_folder(folder: Path, model_types: Iterable[str] | None = None) -> bool:
    """A config.json naming a model type we can run (by default: every family the engine supports) and
    weights. The tokenizer may live elsewhere (a delta folder's base), so it is not required here."""
    config = read_config(folder)
    types = supported_model_types() if model_types is None else tuple(model_types)
    return config is not None and config.get("model_type") in types and has_weights(folder)


def _shards(names: list[str], suffix: str, single: str, index: str) -> list[str]:
    if index in names:
        return [index, *sorted(n for n in names if n.endswith(suffix) and n != single)]
    return [single] if single in names else []


def download_plan(names: Iterable[str]) -> list[str]:
    """Which of a repository's files (paths relative to its root) a download fetches: config.json, the
    tokenizer files and model card at the top level, and one set of weights — safetensors (single or
    sharded) where the repository has them, else pytorch_model.bin (read only as tensors). Nothing in
    sub-folders (ONNX, Core ML exports), no code, no other frameworks' weights."""
    top = sorted({n for n in names if "/" not in n})
    plan = [n for n in top if n == CONFIG or n in DOWNLOAD_EXTRA_FILES]
    weights = _shards(top, ".safetensors", SAFETENSORS, SAFETENSORS_INDEX)
    if not weights and any(fnmatch.fnmatch(n, "model-*.safetensors") for n in top):
        weights = sorted(n for n in top if fnmatch.fnmatch(n, "model-*.safetensors"))
    if not weights:
        weights = _shards(top, ".bin", PYTORCH_BIN, PYTORCH_BIN_INDEX)
        weights = [n for n in weights if n == PYTORCH_BIN_INDEX or n.startswith("pytorch_model")]
    return plan + weights
