"""Issue #14: nothing in a model folder is trusted. Values are checked before anything is allocated, files
that are not regular files are never opened, shard paths stay in the folder, weights are finite, and a
tokenizer fits its model. Each case here hung, crashed or tried to allocate far too much before."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch
from conftest import edit_config, edit_weights
from safetensors.torch import load_file, save_file

from bertviz_app.engine import load_folder, load_model
from bertviz_app.engine.checkpoint import load_bert
from bertviz_app.engine.errors import CheckpointError, ConfigError, EngineError, TokenizerError

ST = "model.safetensors"


def load_error(folder: Path, timeout: float = 20.0) -> EngineError:
    """The EngineError load_folder raises, in a thread that must finish within `timeout` (a FIFO, a huge
    allocation or an endless loop fails the test instead of hanging the suite)."""
    outcome: list = []

    def run():
        try:
            load_folder(folder)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert outcome, f"loading {folder} did not finish within {timeout} s"
    exc = outcome[0]
    assert isinstance(exc, EngineError), f"expected an EngineError, got {exc!r}"
    assert "\n" not in str(exc)
    return exc


@pytest.fixture
def fifo_cleanup():
    """FIFOs made by a test; at the end each is opened for writing once, which frees a reader stuck on it."""
    made: list[Path] = []
    yield made
    for path in made:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass


def make_fifo(path: Path, made: list[Path]) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    made.append(path)


# ---- item 1: non-finite weights -----------------------------------------------------------------------
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_weight_is_refused_naming_the_tensor(model_dir, bad):
    key = "bert.encoder.layer.1.output.dense.weight"

    def poison(state):
        state[key][3, 4] = bad

    edit_weights(model_dir, poison)
    exc = load_error(model_dir)
    assert isinstance(exc, CheckpointError)
    assert "NaN or infinite" in str(exc) and key in str(exc) and ST in str(exc)


# ---- item 2: config values, before anything is allocated ---------------------------------------------
@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"hidden_size": 2**20, "num_attention_heads": 4}, ("at least", "weights")),
        ({"vocab_size": 10**10}, ("at least", "weights")),
        ({"max_position_embeddings": 10**9}, ("at least", "weights")),
        ({"num_hidden_layers": 10**9}, ("num_hidden_layers",)),
        ({"num_hidden_layers": 1000}, ("at least", "weights")),
        ({"intermediate_size": 10**9}, ("at least", "weights")),
        ({"num_hidden_layers": "2"}, ("num_hidden_layers", "whole number")),
        ({"hidden_size": 32.0}, ("hidden_size", "whole number")),
        ({"num_attention_heads": True}, ("num_attention_heads", "whole number")),
        ({"layer_norm_eps": -1e-12}, ("layer_norm_eps", "positive")),
        ({"layer_norm_eps": "tiny"}, ("layer_norm_eps", "number")),
        ({"pad_token_id": 10_000}, ("pad_token_id", "outside the vocabulary")),
        ({"pad_token_id": -1}, ("pad_token_id",)),
        ({"num_attention_heads": 0}, ("num_attention_heads", "positive")),
        ({"hidden_act": 7}, ("hidden_act", "string")),
    ],
)
def test_config_values_are_checked_before_the_model_is_built(model_dir, changes, fragments):
    edit_config(model_dir, **changes)
    exc = load_error(model_dir, timeout=30)
    assert isinstance(exc, ConfigError)
    for fragment in fragments:
        assert fragment in str(exc), f"{fragment!r} not in {exc}"


def test_deeply_nested_config_is_a_clear_error(model_dir):
    (model_dir / "config.json").write_text("[" * 200_000 + "]" * 200_000)
    exc = load_error(model_dir)
    assert isinstance(exc, ConfigError) and "nested too deeply" in str(exc)


@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "[" * 100_000 + "]" * 100_000, "{not json"])
def test_tokenizer_config_of_the_wrong_shape(model_dir, content):
    (model_dir / "tokenizer_config.json").write_text(content)
    exc = load_error(model_dir)
    assert isinstance(exc, TokenizerError) and "tokenizer_config.json" in str(exc)


def test_cli_exit_2_one_line_no_traceback(model_dir):
    (model_dir / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    edit = model_dir.parent / "model2"
    shutil.copytree(model_dir, edit)
    (edit / "config.json").write_text((model_dir.parent / "model" / "config.json").read_text())
    proc = subprocess.run(
        [sys.executable, "-m", "bertviz_app", "predict", "--model", str(model_dir), "a [MASK] ."],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "nested too deeply" in proc.stderr


# ---- item 3: tokenizer against the model --------------------------------------------------------------
def test_tokenizer_ids_beyond_the_vocabulary_are_refused_at_load(model_dir):
    from bertviz_app.engine.tokenizer import _wordpiece_from_vocab

    tokenizer = json.loads(_wordpiece_from_vocab(model_dir / "vocab.txt", True, None).to_str())
    vocab = tokenizer["model"]["vocab"]
    for token, i in list(vocab.items()):
        if i >= 5:  # as many entries as the model has, but the ids of the words far beyond it
            vocab[token] = 10_000 + i
    (model_dir / "tokenizer.json").write_text(json.dumps(tokenizer))
    exc = load_error(model_dir)
    assert isinstance(exc, TokenizerError) and "token ids up to" in str(exc)


@pytest.mark.parametrize("length", [1, 2, True])
def test_model_max_length_below_three_is_refused(model_dir, length):
    (model_dir / "tokenizer_config.json").write_text(json.dumps({"model_max_length": length}))
    exc = load_error(model_dir)
    assert isinstance(exc, TokenizerError) and "at least 3" in str(exc)


# ---- item 4: shard paths ---------------------------------------------------------------------------
def _sharded(folder: Path) -> dict:
    state = load_file(str(folder / ST))
    (folder / ST).unlink()
    save_file(state, str(folder / "model-00001-of-00001.safetensors"), metadata={"format": "pt"})
    return {k: "model-00001-of-00001.safetensors" for k in state}


@pytest.mark.parametrize("shard", ["../outside.safetensors", "/dev/zero", "/etc/passwd", "a/../../b.safetensors"])
def test_shard_outside_the_folder_is_refused(model_dir, shard):
    weight_map = _sharded(model_dir)
    first = next(iter(weight_map))
    weight_map[first] = shard
    (model_dir.parent / "outside.safetensors").write_bytes(b"")
    (model_dir / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    exc = load_error(model_dir)
    assert isinstance(exc, CheckpointError) and "outside the model folder" in str(exc)


def test_shard_link_to_a_device_is_refused(model_dir):
    weight_map = _sharded(model_dir)
    (model_dir / "model-00001-of-00001.safetensors").unlink()
    os.symlink("/dev/zero", model_dir / "model-00001-of-00001.safetensors")
    (model_dir / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    exc = load_error(model_dir)
    assert isinstance(exc, CheckpointError) and "a device" in str(exc)


# ---- item 5: files that are not regular files -----------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("config.json", ConfigError),
        (ST, CheckpointError),
        ("vocab.txt", TokenizerError),
        ("tokenizer_config.json", TokenizerError),
        ("tokenizer.json", TokenizerError),
        ("model.safetensors.index.json", CheckpointError),
    ],
)
def test_fifo_in_place_of_a_file_is_refused_at_once(model_dir, fifo_cleanup, name, kind):
    make_fifo(model_dir / name, fifo_cleanup)
    exc = load_error(model_dir, timeout=10)
    assert isinstance(exc, kind) and "named pipe" in str(exc) and name in str(exc)


def test_directory_in_place_of_the_weights(model_dir):
    (model_dir / ST).unlink()
    (model_dir / ST).mkdir()
    exc = load_error(model_dir)
    assert isinstance(exc, CheckpointError) and "a directory" in str(exc)


def test_device_in_place_of_the_config(model_dir):
    (model_dir / "config.json").unlink()
    os.symlink("/dev/zero", model_dir / "config.json")
    exc = load_error(model_dir)
    assert isinstance(exc, ConfigError) and "a device" in str(exc)


def test_a_good_model_still_loads_and_a_shared_check_costs_nothing(model_dir):
    lm = load_model(str(model_dir))
    assert lm.model.has_mlm_head
    assert load_bert(model_dir)[0].num_hidden_layers == 2
    _ = torch  # the module is used by the fixtures' files


# ---- item 5: one broken cache entry hides only itself; nothing in the cache is waited on ---------------------
def _cache_entry(cache: Path, name: str, model: Path, commit: str = "abc123") -> Path:
    repo = cache / f"models--{name.replace('/', '--')}"
    (repo / "snapshots").mkdir(parents=True)
    shutil.copytree(model, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return repo


def test_broken_cache_entries_hide_only_themselves(tiny_model_dir, tmp_path, fifo_cleanup):
    from bertviz_app.engine.discovery import cached_models

    cache = tmp_path / "hub"
    _cache_entry(cache, "acme/good-bert", tiny_model_dir)
    (_cache_entry(cache, "acme/binary-ref", tiny_model_dir) / "refs" / "main").write_bytes(b"\xff\xfe\x00\x81" * 8)
    make_fifo(_cache_entry(cache, "acme/fifo-ref", tiny_model_dir) / "refs" / "main", fifo_cleanup)
    (_cache_entry(cache, "acme/escaping-ref", tiny_model_dir) / "refs" / "main").write_text("../../../../etc")
    make_fifo(
        _cache_entry(cache, "acme/fifo-config", tiny_model_dir) / "snapshots" / "abc123" / "config.json", fifo_cleanup
    )
    found: list = []
    thread = threading.Thread(target=lambda: found.append(cached_models(cache)), daemon=True)
    thread.start()
    thread.join(10)
    assert found, "listing the cache waited on a FIFO"
    assert [m.name for m in found[0]] == ["acme/good-bert"]


@pytest.mark.parametrize("name", ["vocab.json", "merges.txt"])
def test_fifo_in_place_of_an_old_roberta_tokenizer_file(model_dir, fifo_cleanup, name):
    (model_dir / "vocab.txt").unlink()
    (model_dir / "vocab.json").write_text(json.dumps({"[PAD]": 0}))
    (model_dir / "merges.txt").write_text("#version: 0.2\n")
    make_fifo(model_dir / name, fifo_cleanup)
    exc = load_error(model_dir, timeout=10)
    assert isinstance(exc, TokenizerError) and "named pipe" in str(exc) and name in str(exc)
