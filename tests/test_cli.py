"""The headless command line: predict / inspect / models, and clean one-line errors (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_tiny_model

from bertviz_app.cli import main

SENTENCE = "the cat sat on the [MASK] ."


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def predict_json(capsys, model: Path | str, *extra: str) -> dict:
    code, out, err = run_cli(capsys, "predict", "--json", "--model", str(model), *extra)
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 1, out  # exactly one JSON object, nothing else on stdout
    return json.loads(lines[0])


def check_schema(payload: dict, k: int) -> None:
    assert set(payload) == {"model", "tokens", "truncated", "masks"}
    assert isinstance(payload["model"], str) and payload["model"]
    assert isinstance(payload["tokens"], list) and all(isinstance(t, str) for t in payload["tokens"])
    assert payload["truncated"] is False
    for mask in payload["masks"]:
        assert set(mask) == {"position", "predictions"}
        assert payload["tokens"][mask["position"]] == "[MASK]"
        preds = mask["predictions"]
        assert len(preds) == k
        for p in preds:
            assert set(p) == {"token", "id", "probability"}
            assert isinstance(p["token"], str) and isinstance(p["id"], int)
            assert 0.0 <= p["probability"] <= 1.0
        probs = [p["probability"] for p in preds]
        assert probs == sorted(probs, reverse=True)
        assert len({p["id"] for p in preds}) == k


def test_predict_json(capsys, tiny_model_dir, tiny_model):
    payload = predict_json(capsys, tiny_model_dir, SENTENCE)
    check_schema(payload, k=5)  # the default k
    assert payload["tokens"] == ["[CLS]", "the", "cat", "sat", "on", "the", "[MASK]", ".", "[SEP]"]
    assert [m["position"] for m in payload["masks"]] == [6]
    assert Path(payload["model"]) == tiny_model_dir.resolve()
    # Tokens match their ids in the model's vocabulary.
    for p in payload["masks"][0]["predictions"]:
        assert tiny_model.tokenizer.id_to_token(p["id"]) == p["token"]


@pytest.mark.parametrize("k", [1, 3, 12])
def test_predict_top_k(capsys, tiny_model_dir, k):
    payload = predict_json(capsys, tiny_model_dir, "--top-k", str(k), "the [mask] sat on the [MASK] .")
    check_schema(payload, k=k)
    assert [m["position"] for m in payload["masks"]] == [2, 6]


def test_predict_full_vocabulary_sums_to_one(capsys, tiny_model_dir, tiny_model):
    V = tiny_model.config.vocab_size
    payload = predict_json(capsys, tiny_model_dir, "-k", str(V + 10), SENTENCE)  # k larger than V is capped
    preds = payload["masks"][0]["predictions"]
    assert len(preds) == V
    assert abs(sum(p["probability"] for p in preds) - 1.0) < 1e-4


def test_predict_pair(capsys, tiny_model_dir):
    payload = predict_json(capsys, tiny_model_dir, "--pair", "she went to the [MASK] .", "the dog ran .")
    check_schema(payload, k=5)
    tokens = payload["tokens"]
    assert tokens.count("[SEP]") == 2
    (mask,) = payload["masks"]
    assert mask["position"] > tokens.index("[SEP]")  # the mask is in sentence B


def test_predict_without_mask(capsys, tiny_model_dir):
    payload = predict_json(capsys, tiny_model_dir, "the cat sat .")
    assert payload["masks"] == []


def test_predict_truncated(capsys, tmp_path):
    folder = make_tiny_model(tmp_path / "short", max_position_embeddings=16)
    payload = predict_json(capsys, folder, "[MASK] " + "the cat " * 20)  # the mask before the cut
    assert payload["truncated"] is True and len(payload["tokens"]) == 16


def test_predict_table(capsys, tiny_model_dir):
    code, out, err = run_cli(capsys, "predict", "--model", str(tiny_model_dir), "-k", "2", SENTENCE)
    assert code == 0 and err == ""
    assert "[MASK] at position 6" in out
    assert out.count("%") == 2


def test_inspect_npz(capsys, tiny_model_dir, tiny_model, tmp_path):
    out_file = tmp_path / "x.npz"
    code, out, err = run_cli(
        capsys,
        "inspect",
        "--model",
        str(tiny_model_dir),
        "--out",
        str(out_file),
        "--pair",
        "the dog ran",
        "the cat sat on the mat",
    )
    assert code == 0 and err == ""
    assert out.startswith(f"wrote {out_file}")
    cfg = tiny_model.config
    with np.load(out_file) as data:
        assert set(data.files) == {"tokens", "input_ids", "attention", "hidden_states"}
        tokens = list(data["tokens"])
        T = len(tokens)
        assert tokens[0] == "[CLS]" and tokens.count("[SEP]") == 2
        assert data["input_ids"].dtype == np.int64 and data["input_ids"].shape == (T,)
        assert [tiny_model.tokenizer.id_to_token(int(i)) for i in data["input_ids"]] == tokens
        att, hid = data["attention"], data["hidden_states"]
        assert att.dtype == np.float32 and att.shape == (cfg.num_hidden_layers, cfg.num_attention_heads, T, T)
        assert hid.dtype == np.float32 and hid.shape == (cfg.num_hidden_layers + 1, T, cfg.hidden_size)
        assert np.allclose(att.sum(-1), 1.0, atol=1e-5)


def test_inspect_default_model(capsys, tmp_path):
    out_file = tmp_path / "d.npz"
    code, _, err = run_cli(capsys, "inspect", "--out", str(out_file), "The bank of the river.")
    assert code == 0, err
    with np.load(out_file) as data:
        assert data["attention"].shape[:2] == (6, 12) and data["hidden_states"].shape[0] == 7
        assert data["hidden_states"].shape[-1] == 384


def fake_cache(root: Path, tiny_dir: Path) -> Path:
    """A Hugging Face hub cache: models--org--name/snapshots/<rev>/ + refs/main."""
    good = root / "models--acme--tiny-bert"
    rev = "0123456789abcdef0123456789abcdef01234567"
    shutil.copytree(tiny_dir, good / "snapshots" / rev)
    (good / "refs").mkdir()
    (good / "refs" / "main").write_text(rev)
    # A family we cannot run: listed nowhere.
    other = root / "models--acme--deberta-thing" / "snapshots" / "abc"
    shutil.copytree(tiny_dir, other)
    cfg = json.loads((other / "config.json").read_text())
    cfg["model_type"] = "deberta-v2"
    (other / "config.json").write_text(json.dumps(cfg))
    # A dataset and an empty entry: ignored.
    (root / "datasets--acme--corpus" / "snapshots" / "x").mkdir(parents=True)
    (root / "models--acme--empty").mkdir()
    return root


def test_models_lists_default_and_cache(capsys, monkeypatch, tiny_model_dir, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(fake_cache(tmp_path / "hub", tiny_model_dir)))
    code, out, err = run_cli(capsys, "models")
    assert code == 0 and err == ""
    names = [line.split()[0] for line in out.splitlines()]
    assert names == ["default", "minilm-base", "acme/tiny-bert"]
    code, out, _ = run_cli(capsys, "models", "--json")
    listed = json.loads(out)
    assert [(m["name"], m["source"]) for m in listed] == [
        ("default", "bundled"),
        ("minilm-base", "bundled"),
        ("acme/tiny-bert", "cache"),
    ]
    assert all(Path(m["path"]).is_dir() for m in listed)
    # And the cached model's name works as --model, full or short.
    for name in ("acme/tiny-bert", "tiny-bert"):
        payload = predict_json(capsys, name, SENTENCE)
        assert payload["model"] == "acme/tiny-bert"


def test_models_with_empty_cache(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "missing"))
    code, out, _ = run_cli(capsys, "models")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["default", "minilm-base"]


# ---- errors: exit 2, one line on stderr, no traceback -------------------------------------------------------


def assert_clean_error(capsys, *argv: str, expect: str) -> str:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2, (out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("bertviz-app: error: ")
    assert "Traceback" not in err
    assert expect in lines[0], lines[0]
    return lines[0]


def test_error_bad_folder(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    line = assert_clean_error(
        capsys, "predict", "--model", str(tmp_path / "no-such-model"), SENTENCE, expect="no model called"
    )
    assert "default" in line  # it says what exists


def test_error_folder_without_config(capsys, tmp_path):
    assert_clean_error(capsys, "predict", "--model", str(tmp_path), SENTENCE, expect="config.json")


def test_error_unsupported_family(capsys, tiny_model_dir, tmp_path):
    folder = tmp_path / "deberta"
    shutil.copytree(tiny_model_dir, folder)
    cfg = json.loads((folder / "config.json").read_text())
    cfg["model_type"] = "deberta-v2"
    (folder / "config.json").write_text(json.dumps(cfg))
    assert_clean_error(capsys, "predict", "--json", "--model", str(folder), SENTENCE, expect="'deberta-v2'")


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_error_corrupt_weights(capsys, tiny_model_dir, tmp_path, damage):
    folder = tmp_path / "bad"
    shutil.copytree(tiny_model_dir, folder)
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 3] if damage == "truncate" else os.urandom(len(data)))
    assert_clean_error(
        capsys,
        "inspect",
        "--model",
        str(folder),
        "--out",
        str(tmp_path / "o.npz"),
        "the cat",
        expect="model.safetensors",
    )
    assert not (tmp_path / "o.npz").exists()


@pytest.mark.parametrize("text", ["", "   "])
def test_error_empty_text(capsys, tiny_model_dir, text):
    assert_clean_error(capsys, "predict", "--json", "--model", str(tiny_model_dir), text, expect="empty")


def test_error_model_without_mlm_head(capsys):
    assert_clean_error(
        capsys,
        "predict",
        "--json",
        "--model",
        "minilm-base",
        "The cat sat on the [MASK].",
        expect="no masked-language-model head",
    )


def test_default_model_fills_in_blanks(capsys):
    payload = predict_json(capsys, "default", "She [MASK] to the store yesterday.")
    (mask,) = payload["masks"]
    assert payload["tokens"][mask["position"]] == "[MASK]"
    assert "went" in [p["token"] for p in mask["predictions"]]


def test_error_bad_top_k(capsys, tiny_model_dir):
    assert_clean_error(capsys, "predict", "-k", "0", "--model", str(tiny_model_dir), SENTENCE, expect="--top-k")


def test_error_inspect_unwritable_output(capsys, tiny_model_dir, tmp_path):
    out_file = tmp_path / "no-such-dir" / "x.npz"
    assert_clean_error(
        capsys, "inspect", "--model", str(tiny_model_dir), "--out", str(out_file), "the cat", expect="no-such-dir"
    )


@pytest.mark.slow
def test_subprocess_predict_json(tiny_model_dir):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "error"}
    proc = subprocess.run(
        [sys.executable, "-m", "bertviz_app", "predict", "--json", "--model", str(tiny_model_dir), "-k", "3", SENTENCE],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    check_schema(json.loads(lines[0]), k=3)
    bad = subprocess.run(
        [sys.executable, "-m", "bertviz_app", "predict", "--model", "/nonexistent/x", "a"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1 and "Traceback" not in bad.stderr
