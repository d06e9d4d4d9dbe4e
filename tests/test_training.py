"""MLM fine-tuning (bertviz_app.training.mlm) and its evaluation (training.evaluate), on tiny models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import make_tiny_model

from bertviz_app.engine import load_folder
from bertviz_app.training.evaluate import Probe, evaluate_probes, read_probes
from bertviz_app.training.mlm import (
    IGNORE,
    TrainConfig,
    VocabInfo,
    lr_factor,
    mask_tokens,
    pack,
    token_stream,
    train,
)

SENTENCES = [
    "the cat sat on the mat .",
    "the dog ate the book .",
    "she drank coffee and tea .",
    "he walked to the store .",
    "they went to paris in france .",
    "my house is big and red .",
    "the bird can fly over the tree .",
    "i open the door of the car .",
]


def _corpus(folder: Path, repeats: int = 40) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [" ".join(SENTENCES[(i + j) % len(SENTENCES)] for j in range(3)) for i in range(len(SENTENCES))]
    (folder / "train.txt").write_text("\n".join(lines * repeats) + "\n", encoding="utf-8")
    (folder / "heldout.txt").write_text("\n".join(lines[::-1] * 4) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return _corpus(tmp_path_factory.mktemp("corpus"))


def _cfg(model_dir, corpus_dir, out, **kw) -> TrainConfig:
    base = dict(
        model=str(model_dir),
        corpus=str(corpus_dir),
        out=str(out),
        steps=6,
        seq_len=16,
        batch=8,
        lr=3e-3,
        train_layers=1,
        eval_every=0,
        eval_seqs=8,
        save_every=0,
        log_every=2,
        seed=3,
        threads=1,
    )
    base.update(kw)
    return TrainConfig(**base)


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


# ---------------------------------------------------------------------------------------------- masking


@pytest.fixture(scope="module")
def vocab(tiny_model) -> VocabInfo:
    return VocabInfo.from_tokenizer(tiny_model.tokenizer, tiny_model.config.vocab_size)


def test_masking_statistics(tiny_model, vocab):
    tok = tiny_model.tokenizer
    g = torch.Generator().manual_seed(0)
    normal = torch.nonzero(~vocab.special).flatten()
    ids = normal[torch.randint(len(normal), (256, 64), generator=g)]
    ids[:, 0], ids[:, -1], ids[:, 30] = tok.cls_id, tok.sep_id, tok.sep_id
    ids[:5, 40:] = tok.pad_id
    inputs, labels = mask_tokens(ids, vocab, torch.Generator().manual_seed(1))
    chosen = labels != IGNORE
    special = vocab.special[ids]
    assert not bool((chosen & special).any()), "a special token was masked"
    assert torch.equal(labels[chosen], ids[chosen])
    assert torch.equal(inputs[~chosen], ids[~chosen]), "unchosen tokens must stay as they are"
    rate = chosen.sum().item() / (~special).sum().item()
    assert abs(rate - 0.15) < 0.01
    n = chosen.sum().item()
    as_mask = (inputs[chosen] == tok.mask_id).sum().item() / n
    kept = (inputs[chosen] == ids[chosen]).sum().item() / n
    replaced = 1.0 - as_mask - kept
    assert abs(as_mask - 0.8) < 0.03 and abs(kept - 0.1) < 0.02 and abs(replaced - 0.1) < 0.02
    randoms = inputs[chosen & (inputs != tok.mask_id) & (inputs != ids)]
    assert not bool(vocab.special[randoms].any()), "a random replacement must be a normal token"


def test_whole_word_masking_masks_all_pieces_together(tiny_model, vocab):
    tok = tiny_model.tokenizer
    enc = tok.encode("unbelievable walked books . " * 6)
    ids = torch.tensor(enc.input_ids).repeat(64, 1)
    assert any(t.startswith("##") for t in enc.tokens), "the test needs multi-piece words"
    inputs, labels = mask_tokens(ids, vocab, torch.Generator().manual_seed(2), whole_word=True)
    chosen = labels != IGNORE
    is_mask = inputs == tok.mask_id
    for row in range(len(ids)):
        word = -1
        groups: dict[int, list[int]] = {}
        for i, t in enumerate(enc.tokens):
            if enc.special[i]:
                continue
            if not t.startswith("##"):
                word += 1
            groups.setdefault(word, []).append(i)
        for positions in groups.values():
            flags = {bool(chosen[row, i]) for i in positions}
            assert len(flags) == 1, f"a word was partly masked: {[enc.tokens[i] for i in positions]}"
            if chosen[row, positions[0]]:  # the 80/10/10 decision is per word too
                assert len({bool(is_mask[row, i]) for i in positions}) == 1
    rate = chosen.sum().item() / (~vocab.special[ids]).sum().item()
    assert 0.08 < rate < 0.25


def test_packing_and_stream(tiny_model):
    tok = tiny_model.tokenizer
    stream = token_stream(tok, ["the cat sat .", "a dog ran ."])
    assert list(stream).count(tok.sep_id) == 2
    seqs = pack(np.concatenate([stream] * 5), 8, tok.cls_id, tok.sep_id)
    assert seqs.shape[1] == 8 and (seqs[:, 0] == tok.cls_id).all() and (seqs[:, -1] == tok.sep_id).all()


def test_lr_schedule():
    assert lr_factor(0, 100, 10) == pytest.approx(0.1)
    assert lr_factor(9, 100, 10) == pytest.approx(1.0)
    assert lr_factor(10, 100, 10) == pytest.approx(1.0)
    assert lr_factor(100, 100, 10) == pytest.approx(0.0)
    assert lr_factor(55, 100, 10, "cosine") == pytest.approx(0.5)
    assert lr_factor(100, 100, 10, min_ratio=0.1) == pytest.approx(0.1)
    # wsd: warm-up, constant, then linear decay over the last 20%
    assert lr_factor(50, 100, 10, "wsd") == 1.0 and lr_factor(79, 100, 10, "wsd") == 1.0
    assert lr_factor(90, 100, 10, "wsd") == pytest.approx(0.5)


# --------------------------------------------------------------------------------------------- training


def test_same_seed_same_weights(tiny_model_dir, corpus, tmp_path):
    r1 = train(_cfg(tiny_model_dir, corpus, tmp_path / "a"), echo=None)
    r2 = train(_cfg(tiny_model_dir, corpus, tmp_path / "b"), echo=None)
    assert r1.finished and r2.finished
    a, b = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    base = _weights(tiny_model_dir)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    top = "bert.encoder.layer.1.output.dense.weight"
    assert not torch.equal(a[top], base[top])
    # Frozen: the bottom layer and the embeddings (so the tied decoder) stay the base's.
    for k in ("bert.encoder.layer.0.output.dense.weight", "bert.embeddings.word_embeddings.weight"):
        assert torch.equal(a[k], base[k])
    info = json.loads((tmp_path / "a" / "training.json").read_text())
    assert "bert.encoder.layer.1.output.dense.weight" in info["trained_tensors"]
    assert not any(t.startswith("bert.encoder.layer.0.") for t in info["trained_tensors"])
    c = train(_cfg(tiny_model_dir, corpus, tmp_path / "c", seed=4), echo=None)
    assert c.finished
    assert not torch.equal(_weights(tmp_path / "c")["cls.predictions.bias"], a["cls.predictions.bias"])


def test_loss_decreases_on_repetitive_text(tiny_model_dir, corpus, tmp_path):
    # The tiny random model learns slowly (its frozen-scale random weights); 160 steps take ~1 s.
    result = train(
        _cfg(
            tiny_model_dir,
            corpus,
            tmp_path / "o",
            steps=160,
            batch=16,
            lr=1e-2,
            train_layers=2,
            train_embeddings=True,
            eval_every=80,
            log_every=10,
            whole_word=True,
        ),
        echo=None,
    )
    losses = [h["loss"] for h in result.history]
    assert len(losses) == 3
    assert losses[-1] < 0.85 * losses[0], losses
    rows = [json.loads(x) for x in (tmp_path / "o" / "metrics.jsonl").read_text().splitlines()]
    train_losses = [r["loss"] for r in rows if r["kind"] == "train"]
    assert np.mean(train_losses[-3:]) < 0.8 * train_losses[0], train_losses
    assert "tok/s" in (tmp_path / "o" / "train.log").read_text()


def test_resume_equals_uninterrupted_run(tiny_model_dir, corpus, tmp_path):
    full = train(_cfg(tiny_model_dir, corpus, tmp_path / "full", save_every=3), echo=None)
    first = train(_cfg(tiny_model_dir, corpus, tmp_path / "split", stop_after=3), echo=None)
    assert not first.finished and first.steps_done == 3
    assert (tmp_path / "split" / "checkpoint" / "train_state.pt").is_file()
    assert not (tmp_path / "split" / "model.safetensors").exists()
    second = train(_cfg(tiny_model_dir, corpus, tmp_path / "split", resume=True), echo=None)
    assert full.finished and second.finished and second.steps_done == 6
    a, b = _weights(tmp_path / "full"), _weights(tmp_path / "split")
    assert all(torch.equal(a[k], b[k]) for k in a)
    with pytest.raises(ValueError, match="lr"):
        train(_cfg(tiny_model_dir, corpus, tmp_path / "split", resume=True, lr=1e-3), echo=None)


def test_new_head_output_loads_in_engine_and_transformers(tmp_path, corpus):
    transformers = pytest.importorskip("transformers")
    transformers.utils.logging.set_verbosity_error()
    base = make_tiny_model(tmp_path / "nohead", mlm_head=False, seed=5)
    assert not load_folder(base).has_mlm_head
    out = tmp_path / "trained"
    result = train(_cfg(base, corpus, out, steps=4, train_layers=1), echo=None)
    assert result.finished
    for name in ("config.json", "model.safetensors", "vocab.txt", "training.json"):
        assert (out / name).is_file()
    lm = load_folder(out)
    assert lm.has_mlm_head
    bias = lm.model.cls.predictions.bias.detach()
    the, mat = lm.tokenizer.token_to_id("the"), lm.tokenizer.token_to_id("mat")
    assert bias[the] > bias[mat], "the output bias starts from the corpus's log unigram frequencies"
    enc = lm.tokenizer.encode("the cat sat on the [MASK] .")
    ids = torch.tensor([enc.input_ids])
    positions = torch.arange(ids.shape[1])
    ours = lm.model(ids, predict_at=positions).logits
    hf = transformers.BertForMaskedLM.from_pretrained(str(out), attn_implementation="eager").eval()
    with torch.no_grad():
        theirs = hf(input_ids=ids).logits[0]
    assert torch.allclose(ours, theirs, atol=1e-4)


# ------------------------------------------------------------------------------------------- evaluation


def test_probe_evaluation_numbers(tiny_model_dir, tmp_path):
    lm = load_folder(tiny_model_dir)
    tok = lm.tokenizer
    with torch.no_grad():  # force the output: "cat" first, "dog" second, whatever the context
        bias = lm.model.cls.predictions.bias
        bias.zero_()
        bias[tok.token_to_id("cat")] = 1e4
        bias[tok.token_to_id("dog")] = 9e3
    probes_file = tmp_path / "probes.tsv"
    probes_file.write_text(
        "# comment\n"
        "the [MASK] sat on the mat .\tcat,dog\n"  # top-1 hit
        "a [MASK] ran to the tree .\tdog\n"  # top-5 hit only
        "the cat ate [MASK] .\tcoffee,tea\n"  # miss, and "cat" echoes a word of the sentence
        "\n",
        encoding="utf-8",
    )
    probes = read_probes(probes_file)
    assert probes[0] == Probe("the [MASK] sat on the mat .", ("cat", "dog"))
    report = evaluate_probes(lm, probes)
    assert (report.n, report.top5_hits, report.top1_hits, report.echoes) == (3, 2, 1, 1)
    assert [o.predictions[0][0] for o in report.outcomes] == ["cat"] * 3
    assert report.echo_rate == pytest.approx(1 / 3)
    assert report.bars() == {"top5": 3, "top1": 2, "echo_max_rate": 0.2} and not report.passes
    assert "cat" in report.table() and "FAIL" in report.summary()
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here [MASK]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected"):
        read_probes(bad)


def test_cli_train_and_eval(tiny_model_dir, corpus, tmp_path, capsys):
    from bertviz_app.cli import main

    out = tmp_path / "cli"
    rc = main(
        [
            "train-mlm",
            "--model",
            str(tiny_model_dir),
            "--corpus",
            str(corpus),
            "--out",
            str(out),
            "--steps",
            "2",
            "--seq-len",
            "16",
            "--batch",
            "4",
            "--train-layers",
            "1",
            "--threads",
            "1",
            "--eval-seqs",
            "4",
            "--whole-word",
        ]
    )
    assert rc == 0 and (out / "model.safetensors").is_file()
    probes = tmp_path / "p.tsv"
    probes.write_text("the [MASK] sat on the mat .\tcat\n", encoding="utf-8")
    capsys.readouterr()
    rc = main(
        [
            "eval-mlm",
            "--model",
            str(out),
            "--probes",
            str(probes),
            "--heldout",
            str(corpus / "heldout.txt"),
            "--seq-len",
            "16",
            "--eval-seqs",
            "8",
            "--baseline-head-only",
            str(tiny_model_dir),
            "--json",
        ]
    )
    assert rc == 0
    result = json.loads(capsys.readouterr().out)
    assert result["probes"]["n"] == 1 and result["baseline_probes"]["n"] == 1
    h = result["heldout"]
    assert h["model"]["masked"] > 0 and 0 <= h["unigram"]["top1"] <= 1 and "head_only" in h
    assert h["unigram"]["counts_from"].endswith("train.txt")
    rc = main(["eval-mlm", "--model", str(out), "--probes", str(probes)])
    assert rc == 0 and "top-5 hits" in capsys.readouterr().out
    rc = main(
        [
            "train-mlm",
            "--model",
            str(tiny_model_dir),
            "--corpus",
            str(tmp_path / "missing"),
            "--out",
            str(tmp_path / "x"),
        ]
    )
    assert rc == 2 and "neither a folder nor a file" in capsys.readouterr().err


def test_wsd_run_can_change_its_length_before_the_decay(tiny_model_dir, corpus, tmp_path):
    kw = dict(schedule="wsd", warmup=2, decay_frac=0.25)
    direct = train(_cfg(tiny_model_dir, corpus, tmp_path / "direct", steps=12, **kw), echo=None)
    train(_cfg(tiny_model_dir, corpus, tmp_path / "grown", steps=8, stop_after=4, **kw), echo=None)
    grown = train(_cfg(tiny_model_dir, corpus, tmp_path / "grown", steps=12, resume=True, **kw), echo=None)
    assert direct.finished and grown.finished
    a, b = _weights(tmp_path / "direct"), _weights(tmp_path / "grown")
    assert all(torch.equal(a[k], b[k]) for k in a)
    train(_cfg(tiny_model_dir, corpus, tmp_path / "late", steps=8, stop_after=7, **kw), echo=None)
    with pytest.raises(ValueError, match="decay"):
        train(_cfg(tiny_model_dir, corpus, tmp_path / "late", steps=12, resume=True, **kw), echo=None)


def test_continuing_the_bundled_model_writes_a_loadable_folder(corpus, tmp_path):
    """The bundled model is a delta folder without tokenizer files: a run from `default` takes its base's."""
    result = train(_cfg("default", corpus, tmp_path / "cont", steps=1, batch=2, eval_seqs=2), echo=None)
    assert result.finished
    assert (tmp_path / "cont" / "vocab.txt").is_file() and (tmp_path / "cont" / "checkpoint" / "vocab.txt").is_file()
    lm = load_folder(tmp_path / "cont")
    assert lm.has_mlm_head and lm.tokenizer.vocab_size == 30522
