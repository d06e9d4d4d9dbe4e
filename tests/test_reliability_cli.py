"""Issue #14 on the command line: what is written is what is reported, a cut never hides a mask, non-finite
numbers never reach JSON, and bad options are one clear line (exit 2), never a traceback or a wrong file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import make_tiny_model
from safetensors.torch import load_file, save_file

from bertviz_app.cli import main

SENTENCE = "the cat sat on the [MASK] ."


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def clean_error(capsys, *argv: str) -> str:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bertviz-app: error: ") and "Traceback" not in err, err
    return lines[0]


@pytest.fixture(scope="module")
def overflowing_model(tmp_path_factory) -> Path:
    """Finite weights that overflow float32 in the MLM head: the load accepts them, the outputs are NaN."""
    folder = make_tiny_model(tmp_path_factory.mktemp("overflow"))
    state = load_file(str(folder / "model.safetensors"))
    state["cls.predictions.transform.dense.weight"].fill_(3e38)
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    return folder


# ---- item 1: NaN never printed as JSON, a non-finite loss stops training -----------------------------------
@pytest.mark.parametrize("as_json", [True, False])
def test_predict_with_non_finite_outputs_is_an_error_not_nan(capsys, overflowing_model, as_json):
    line = clean_error(capsys, "predict", *(["--json"] if as_json else []), "--model", str(overflowing_model), SENTENCE)
    assert "non-finite" in line


def test_training_stops_on_a_non_finite_loss_and_saves_nothing(capsys, overflowing_model, tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat . the dog ate the book .\n" * 50, encoding="utf-8")
    out = tmp_path / "out"
    args = ["train-mlm", "--model", str(overflowing_model), "--corpus", str(corpus), "--out", str(out)]
    line = clean_error(capsys, *args, "--steps", "3", "--seq-len", "16", "--batch", "2", "--eval-seqs", "2")
    assert "loss became" in line and "step 1" in line
    assert not (out / "model.safetensors").exists() and not (out / "checkpoint").exists()


# ---- item 8: inspect writes the file it names, whole ---------------------------------------------------------
def test_inspect_refuses_a_name_without_npz(capsys, tiny_model_dir, tmp_path):
    out = tmp_path / "result"
    line = clean_error(capsys, "inspect", "--model", str(tiny_model_dir), "--out", str(out), SENTENCE)
    assert ".npz" in line
    assert list(tmp_path.iterdir()) == []  # neither "result" nor "result.npz"


def test_inspect_writes_exactly_the_file_it_reports(capsys, tiny_model_dir, tmp_path):
    out = tmp_path / "result.npz"
    code, stdout, _err = run_cli(capsys, "inspect", "--model", str(tiny_model_dir), "--out", str(out), SENTENCE)
    assert code == 0 and f"wrote {out}:" in stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.npz"]  # no temporary file left behind
    assert set(np.load(out)) == {"tokens", "input_ids", "attention", "hidden_states"}


def test_a_failed_write_keeps_the_previous_file(capsys, monkeypatch, tiny_model_dir, tmp_path):
    out = tmp_path / "result.npz"
    out.write_bytes(b"the previous export")
    real_savez = np.savez

    def disk_full(file, **arrays):
        real_savez(file, **arrays)
        with open(file, "r+b") as f:  # half written, then the disk is full
            f.truncate(100)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    line = clean_error(capsys, "inspect", "--model", str(tiny_model_dir), "--out", str(out), SENTENCE)
    assert "No space left" in line
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.npz"]


# ---- item 9: a mask beyond the cut ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def short_model(tmp_path_factory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("short"), max_position_embeddings=16)


@pytest.mark.parametrize("as_json", [True, False])
def test_predict_refuses_a_mask_beyond_the_maximum_length(capsys, short_model, as_json):
    text = "the cat " * 20 + "[MASK] ."
    line = clean_error(capsys, "predict", *(["--json"] if as_json else []), "--model", str(short_model), text)
    assert "beyond the model's maximum of 16 tokens" in line and "after character" in line


def test_predict_with_every_mask_before_the_cut_still_answers(capsys, short_model):
    code, out, err = run_cli(capsys, "predict", "--json", "--model", str(short_model), "[MASK] " + "the cat " * 20)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["truncated"] is True and len(payload["masks"]) == 1


# ---- item 10: small ones ----------------------------------------------------------------------------------------
def test_eval_seq_len_beyond_the_model(capsys, short_model, tmp_path):
    heldout = tmp_path / "heldout.txt"
    heldout.write_text("the cat sat on the mat .\n" * 20, encoding="utf-8")
    line = clean_error(capsys, "eval-mlm", "--model", str(short_model), "--heldout", str(heldout), "--seq-len", "64")
    assert "--seq-len 64" in line and "at most 16" in line


@pytest.mark.parametrize("device", ["gpu", "tpu:0", "meta"])
def test_unknown_device_is_a_clear_error(capsys, tiny_model_dir, tmp_path, device):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat .\n", encoding="utf-8")
    line = clean_error(
        capsys, "train-mlm", "--model", str(tiny_model_dir), "--corpus", str(corpus), "--out", str(tmp_path / "o"),
        "--device", device,
    )  # fmt: skip
    assert f"--device {device!r}" in line and "cuda:N" in line


def test_train_out_equal_to_model_is_refused(capsys, tiny_model_dir, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    before = sorted(p.name for p in model.iterdir())
    corpus = tmp_path / "c.txt"
    corpus.write_text("the cat sat .\n", encoding="utf-8")
    line = clean_error(capsys, "train-mlm", "--model", str(model), "--corpus", str(corpus), "--out", str(model) + "/")
    assert "is the model folder itself" in line
    assert sorted(p.name for p in model.iterdir()) == before  # not even a train.log


def test_screenshot_with_an_unopenable_model_says_why(qapp, capsys, tmp_path):
    from bertviz_app.app import take_screenshot

    code = take_screenshot(str(tmp_path / "shot.png"), str(tmp_path), "the cat [MASK] .", None)
    err = capsys.readouterr().err
    assert code == 2 and "no config.json" in err, err
    assert not (tmp_path / "shot.png").exists()
