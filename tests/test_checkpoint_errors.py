"""Every broken model folder fails with one engine error whose message says what is wrong, and where."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from conftest import edit_config, edit_weights
from safetensors.torch import load_file, save_file

from bertviz_app.engine import load_folder, load_model
from bertviz_app.engine.checkpoint import load_bert
from bertviz_app.engine.errors import CheckpointError, ConfigError, EngineError, TokenizerError

ST = "model.safetensors"


def expect_error(folder: Path, kind: type[EngineError], *fragments: str) -> str:
    """Both the checkpoint loader and the full load_model fail with `kind`; the message has every fragment."""
    with pytest.raises(kind) as info:
        load_bert(folder)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "\n" not in message
    with pytest.raises(kind):
        load_model(str(folder))
    return message


def test_the_pristine_model_loads(model_dir):
    lm = load_folder(model_dir)
    assert lm.model.has_mlm_head


def test_missing_weight(model_dir):
    key = "bert.encoder.layer.1.attention.self.key.weight"
    edit_weights(model_dir, lambda s: s.pop(key))
    message = expect_error(model_dir, CheckpointError, "missing", "encoder.layer.1.attention.self.key.weight", ST)
    assert "needs" in message
    with pytest.raises(CheckpointError) as info:
        load_bert(model_dir)
    assert info.value.key == "encoder.layer.1.attention.self.key.weight"
    assert info.value.file is not None and info.value.file.endswith(ST)


def test_unexpected_weight_from_an_extra_layer(model_dir):
    def add_layer(state):
        for key in [k for k in state if ".layer.1." in k]:
            state[key.replace(".layer.1.", ".layer.2.")] = state[key].clone()

    edit_weights(model_dir, add_layer)
    expect_error(model_dir, CheckpointError, "unexpected", "encoder.layer.2.", "2 layers", ST)


def test_shape_mismatch(model_dir):
    key = "bert.encoder.layer.0.intermediate.dense.weight"
    edit_weights(model_dir, lambda s: s.__setitem__(key, torch.zeros(65, 32)))
    expect_error(
        model_dir, CheckpointError, "shape", "(65, 32)", "(64, 32)", "encoder.layer.0.intermediate.dense.weight"
    )


def test_config_disagrees_with_weights(model_dir):
    edit_config(model_dir, hidden_size=64)
    expect_error(model_dir, CheckpointError, "shape", "does not match", "config.json")


def test_integer_weights_are_refused(model_dir):
    key = "bert.embeddings.LayerNorm.bias"
    edit_weights(model_dir, lambda s: s.__setitem__(key, torch.zeros(32, dtype=torch.int32)))
    expect_error(model_dir, CheckpointError, "floating point", "embeddings.LayerNorm.bias")


def test_half_an_mlm_head(model_dir):
    edit_weights(model_dir, lambda s: [s.pop(k) for k in list(s) if k.startswith("cls.predictions.transform.")])
    expect_error(model_dir, CheckpointError, "missing", "cls.predictions.transform.")


def test_head_without_its_output_bias(model_dir):
    edit_weights(model_dir, lambda s: s.pop("cls.predictions.bias"))
    expect_error(model_dir, CheckpointError, "missing", "cls.predictions.bias")


def test_truncated_safetensors(model_dir):
    data = (model_dir / ST).read_bytes()
    (model_dir / ST).write_bytes(data[: len(data) // 2])
    expect_error(model_dir, CheckpointError, "corrupt, truncated or not a checkpoint", ST)


def test_empty_safetensors(model_dir):
    (model_dir / ST).write_bytes(b"")
    expect_error(model_dir, CheckpointError, "corrupt", ST)


def test_garbage_safetensors(model_dir):
    (model_dir / ST).write_bytes(os.urandom(4096))
    expect_error(model_dir, CheckpointError, "corrupt", ST)


def test_garbage_bin(model_dir):
    (model_dir / ST).unlink()
    (model_dir / "pytorch_model.bin").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    expect_error(model_dir, CheckpointError, "corrupt", "pytorch_model.bin")


class _Payload:
    """Unpickling this would run os.mkdir(marker): proof that code from the file was executed."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _bin_with_objects(folder: Path, payload: dict) -> None:
    state = {k: v for k, v in load_file(str(folder / ST)).items()}
    (folder / ST).unlink()
    torch.save({**state, **payload}, folder / "pytorch_model.bin")


def test_pickled_code_is_never_run(model_dir, tmp_path):
    marker = tmp_path / "pwned"
    _bin_with_objects(model_dir, {"evil": _Payload(marker)})
    message = expect_error(model_dir, CheckpointError, "pytorch_model.bin", "never run code")
    assert "Python objects" in message
    assert not marker.exists(), "loading the checkpoint executed code from it"

    # The file is a real exploit: an unrestricted unpickler does run it (so the check above means something).
    probe = tmp_path / "probe.bin"
    torch.save({"evil": _Payload(tmp_path / "probe-marker")}, probe)
    torch.load(probe, weights_only=False)
    assert (tmp_path / "probe-marker").exists()


def test_pickled_function_is_refused(model_dir):
    _bin_with_objects(model_dir, {"hook": os.getcwd})
    expect_error(model_dir, CheckpointError, "pytorch_model.bin", "never run code")


def test_bin_that_is_not_a_dict_of_tensors(model_dir):
    (model_dir / ST).unlink()
    torch.save([torch.zeros(3)], model_dir / "pytorch_model.bin")
    expect_error(model_dir, CheckpointError, "dictionary of tensors", "pytorch_model.bin")


def test_bin_with_nested_values(model_dir):
    (model_dir / ST).unlink()
    torch.save({"state_dict": {"a": torch.zeros(3)}}, model_dir / "pytorch_model.bin")
    expect_error(model_dir, CheckpointError, "dictionary of tensors")


def test_missing_config(model_dir):
    (model_dir / "config.json").unlink()
    expect_error(model_dir, ConfigError, "no config.json", str(model_dir))


@pytest.mark.parametrize("model_type", ["deberta-v2", "gpt2"])
def test_unsupported_model_type(model_dir, model_type):
    edit_config(model_dir, model_type=model_type)
    message = expect_error(model_dir, ConfigError, repr(model_type))
    for family in ("BERT", "RoBERTa", "XLM-RoBERTa", "DistilBERT", "ALBERT", "ELECTRA", "ModernBERT"):
        assert family in message


def test_config_without_model_type_or_bert_architecture(model_dir):
    cfg = json.loads((model_dir / "config.json").read_text())
    cfg.pop("model_type")
    cfg["architectures"] = ["GPT2LMHeadModel"]
    (model_dir / "config.json").write_text(json.dumps(cfg))
    expect_error(model_dir, ConfigError, "no model_type")


def test_old_config_without_model_type_but_bert_architecture_loads(model_dir):
    cfg = json.loads((model_dir / "config.json").read_text())
    cfg.pop("model_type")
    (model_dir / "config.json").write_text(json.dumps(cfg))
    assert load_bert(model_dir)[1].has_mlm_head


def test_non_json_config(model_dir):
    (model_dir / "config.json").write_text("{ this is not json", encoding="utf-8")
    expect_error(model_dir, ConfigError, "not readable JSON", "config.json")


def test_config_not_an_object(model_dir):
    (model_dir / "config.json").write_text("[1, 2, 3]", encoding="utf-8")
    expect_error(model_dir, ConfigError, "JSON object")


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"num_attention_heads": 5}, ("not divisible",)),
        ({"hidden_act": "mish"}, ("hidden_act", "'mish'")),
        ({"num_hidden_layers": 0}, ("num_hidden_layers", "positive")),
        ({"position_embedding_type": "relative_key"}, ("relative_key", "absolute")),
    ],
)
def test_unsupported_config_values(model_dir, changes, fragments):
    edit_config(model_dir, **changes)
    expect_error(model_dir, ConfigError, *fragments)


def test_no_weights(model_dir):
    (model_dir / ST).unlink()
    expect_error(model_dir, CheckpointError, "no weights found", ST, "pytorch_model.bin")


def test_sharded_index_naming_a_missing_shard(model_dir):
    state = load_file(str(model_dir / ST))
    (model_dir / ST).unlink()
    keys = sorted(state)
    half = len(keys) // 2
    shards = {"model-00001-of-00002.safetensors": keys[:half], "model-00002-of-00002.safetensors": keys[half:]}
    for name, names in shards.items():
        save_file({k: state[k] for k in names}, str(model_dir / name), metadata={"format": "pt"})
    index = {"metadata": {}, "weight_map": {k: n for n, names in shards.items() for k in names}}
    (model_dir / "model.safetensors.index.json").write_text(json.dumps(index))
    assert load_bert(model_dir)[1].has_mlm_head  # the complete sharded checkpoint loads
    (model_dir / "model-00002-of-00002.safetensors").unlink()
    expect_error(model_dir, CheckpointError, "shard", "missing", "model-00002-of-00002.safetensors")


def test_broken_shard_index(model_dir):
    (model_dir / "model.safetensors.index.json").write_text("not json")
    expect_error(model_dir, CheckpointError, "shard index", "model.safetensors.index.json")


def test_tokenizer_files_missing(model_dir):
    (model_dir / "vocab.txt").unlink()
    load_bert(model_dir)  # the weights are fine ...
    with pytest.raises(TokenizerError) as info:  # ... but the model cannot be used without its tokenizer
        load_folder(model_dir)
    assert "tokenizer.json" in str(info.value) and "vocab.txt" in str(info.value)


def test_tokenizer_larger_than_model(model_dir):
    with (model_dir / "vocab.txt").open("a", encoding="utf-8") as f:
        f.write("\n".join(f"extra{i}" for i in range(50)) + "\n")
    with pytest.raises(TokenizerError, match="do not belong together"):
        load_folder(model_dir)


def test_not_a_folder(tmp_path):
    with pytest.raises(CheckpointError, match="not a folder"):
        load_bert(tmp_path / "nowhere")
