"""The delta format: a model stored as the tensors that differ from a base installed as a package."""

import json
import shutil

import pytest
import torch
from conftest import make_tiny_model

from bertviz_app.engine import CheckpointError, load_folder
from bertviz_app.engine.checkpoint import load_bert, save_bert, save_delta


@pytest.fixture
def base_package(tmp_path, monkeypatch):
    """A fake installed package `tinybase` holding a headless model in tinybase/model/."""
    root = tmp_path / "site"
    model_dir = make_tiny_model(root / "tinybase" / "model", mlm_head=False, seed=3)
    (root / "tinybase" / "__init__.py").write_text("raise RuntimeError('package code must never run')\n")
    monkeypatch.syspath_prepend(str(root))
    return model_dir


def trained_from(base):
    """The base with a new MLM head and its top layer changed, as MLM fine-tuning would leave it."""
    _, headless, _ = load_bert(base)
    from bertviz_app.engine.model import BertModel

    model = BertModel(headless.config, with_pooler=True, with_mlm_head=True)
    model.load_state_dict(headless.state_dict(), strict=False)
    torch.manual_seed(1)
    with torch.no_grad():
        for p in model.cls.predictions.parameters():
            if p is not model.embeddings.word_embeddings.weight:
                p.normal_(0, 0.2)
        model.encoder.layer[-1].output.dense.weight.mul_(1.5)
    return model.eval()


def test_delta_round_trip_matches_the_full_model(base_package, tmp_path):
    model = trained_from(base_package)
    delta = save_delta(model, base_package, tmp_path / "delta", package="tinybase", subdir="model", pip_name="tinybase")
    full = save_bert(model, tmp_path / "full", tokenizer_dir=base_package)
    shutil.copy(base_package / "vocab.txt", full / "vocab.txt")
    # Only what changed is stored: the head, and the one changed matrix of the top layer.
    from safetensors import safe_open

    with safe_open(str(delta / "delta.safetensors"), "pt") as f:
        keys = set(f.keys())
    assert "encoder.layer.1.output.dense.weight" in keys
    assert not any(k.startswith("embeddings.") or k.startswith("encoder.layer.0.") for k in keys)
    a, b = load_folder(delta), load_folder(full)
    assert a.has_mlm_head and a.tokenizer.vocab_size == b.tokenizer.vocab_size
    ids = torch.tensor(b.tokenizer.encode("the cat sat on the [MASK] .").input_ids)
    with torch.inference_mode():
        la = a.model(ids, predict_at=torch.tensor([6]), output_attentions=True)
        lb = b.model(ids, predict_at=torch.tensor([6]), output_attentions=True)
    torch.testing.assert_close(la.logits, lb.logits, atol=2e-2, rtol=1e-2)  # the delta is stored in fp16
    torch.testing.assert_close(la.attentions, lb.attentions, atol=1e-3, rtol=1e-3)


def test_a_different_base_release_is_refused(base_package, tmp_path):
    delta = save_delta(trained_from(base_package), base_package, tmp_path / "d", "tinybase", "model", "tinybase")
    with open(base_package / "model.safetensors", "ab") as f:
        f.write(b"\0" * 8)
    with pytest.raises(CheckpointError, match="does not hold the base weights"):
        load_folder(delta)


def test_missing_base_package_names_what_to_install(base_package, tmp_path):
    delta = save_delta(trained_from(base_package), base_package, tmp_path / "d", "tinybase", "model", "tinybase")
    meta = json.loads((delta / "base.json").read_text())
    (delta / "base.json").write_text(json.dumps({**meta, "package": "no_such_pkg", "pip": "no-such-pkg"}))
    with pytest.raises(CheckpointError, match="pip install no-such-pkg"):
        load_folder(delta)


def test_base_path_cannot_escape_the_package(base_package, tmp_path):
    delta = save_delta(trained_from(base_package), base_package, tmp_path / "d", "tinybase", "model", "tinybase")
    meta = json.loads((delta / "base.json").read_text())
    (delta / "base.json").write_text(json.dumps({**meta, "subdir": "../../elsewhere"}))
    with pytest.raises(CheckpointError, match="outside the package"):
        load_folder(delta)


def _poison(path, key):
    """NaN in every value of tensor `key` of a safetensors file, its header (and so its size) unchanged."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(path), "pt") as f:
        metadata = f.metadata()
        state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open is not a mapping)
    state[key] = torch.full_like(state[key], float("nan"))
    save_file(state, str(path), metadata=metadata)


def test_a_base_weight_the_delta_replaces_is_not_read_and_one_it_keeps_is_checked(base_package, tmp_path):
    delta = save_delta(trained_from(base_package), base_package, tmp_path / "d", "tinybase", "model", "tinybase")
    weights = base_package / "model.safetensors"
    size = weights.stat().st_size
    _poison(weights, "bert.encoder.layer.1.output.dense.weight")  # replaced by the delta: never read, never used
    assert weights.stat().st_size == size  # (the same size, as base.json requires)
    loaded = load_folder(delta)
    assert torch.isfinite(loaded.model.encoder.layer[1].output.dense.weight).all()
    _poison(weights, "bert.encoder.layer.0.output.dense.weight")  # kept from the base: refused, naming the base file
    with pytest.raises(CheckpointError, match="NaN or infinite") as exc:
        load_folder(delta)
    assert "encoder.layer.0.output.dense.weight" in str(exc.value) and "model.safetensors" in str(exc.value)
