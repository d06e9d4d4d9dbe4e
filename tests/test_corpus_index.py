"""The corpus explorer's index, search, map and CLI (analysis/corpus.py, analysis/numeric/corpus.py): tiny model."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from bertviz_app.analysis import corpus
from bertviz_app.analysis.inference import InferenceInput, run_inference
from bertviz_app.analysis.numeric.corpus import (
    CorpusError,
    CorpusIndex,
    fit_basis,
    read_info,
    sense_clusters,
    shared_basis,
)
from bertviz_app.analysis.numeric.projection import pca
from bertviz_app.analysis.tasks import run_to_end
from bertviz_app.cli import main

LINES = [
    "the cat sat on the mat .",
    "she went to the bank of the river .",
    "he ran to the bank to get money .",
    "they walked to the store and ate a big red apple with their small dog in the green car .",
    "the dog was happy",
    "",  # empty lines are skipped, not numbered
    "i drink coffee and tea every day of the week",
    "the bird sat in the tree by the river bank",
]


def write_lines(folder):
    """LINES as a corpus file in `folder` (the view's tests index it too)."""
    path = folder / "lines.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus_file(tmp_path):
    return write_lines(tmp_path)


@pytest.fixture
def built(tiny_model, corpus_file, tmp_path, monkeypatch):
    monkeypatch.setattr(corpus._Outputs, "REMAP_BYTES", 1000)  # unmapped and mapped again every few lines
    return corpus.index_corpus(tiny_model, [corpus_file], tmp_path / "index", context=True)


def steps_of(lm, files, folder, **kw):
    """(the index, how many progress steps its open_or_build took: 0 = read from the cache)."""
    progress = []
    index = run_to_end(corpus.open_or_build(lm, files, folder, **kw), progress)
    return index, len(progress)


def test_every_stored_vector_is_the_model_run_on_its_line_alone(tiny_model, built):
    """Batching and padding change nothing: each line's states equal a forward of that line by itself."""
    lines = [x for x in LINES if x]
    assert built.info.lines == len(lines) and built.info.layers == (0, 1, 2)
    for i, line in enumerate(lines):
        result = run_inference(tiny_model, InferenceInput(line, want_attention=False, want_internals=False))
        s, e = int(built.line_starts[i]), int(built.line_starts[i + 1])
        assert built.line_tokens(i) == list(result.tokens)
        assert built.line_text(i) == line
        np.testing.assert_allclose(built.hidden[:, s:e].astype(np.float32), result.hidden_states, rtol=2e-3, atol=2e-3)
        assert list(built.special[s:e]) == list(result.encoding.special)
    norms = np.sqrt(built.norms2.sum(axis=2))
    np.testing.assert_allclose(norms, np.linalg.norm(built.hidden.astype(np.float32), axis=2), rtol=2e-3)


def test_context_vectors_are_each_heads_attention_output(tiny_model, built):
    line = LINES[1]
    result = run_inference(tiny_model, InferenceInput(line))
    with torch.inference_mode():
        prep_ids = torch.tensor(result.encoding.input_ids)
        out = tiny_model.model(prep_ids, output_attentions=True, output_qkv=True)
    heads = (out.attentions[0] @ out.values[0]).numpy()  # (L, H, T, hd)
    L, H, T, hd = heads.shape
    expected = heads.transpose(0, 2, 1, 3).reshape(L, T, H * hd)
    s = int(built.line_starts[1])
    assert built.info.context_layers == (1, 2)
    np.testing.assert_allclose(built.context[:, s : s + T].astype(np.float32), expected, rtol=2e-3, atol=2e-3)


def test_second_open_reads_the_cache_and_changes_invalidate_it(tiny_model, tiny_model_dir, corpus_file, tmp_path):
    from conftest import make_tiny_model

    from bertviz_app.engine import load_folder

    folder = tmp_path / "cache"
    first, steps = steps_of(tiny_model, [corpus_file], folder)
    assert steps > 0
    stamp = (folder / "hidden.npy").stat().st_mtime_ns
    again, steps = steps_of(tiny_model, [corpus_file], folder)
    assert steps == 0 and again.info.key == first.info.key
    assert (folder / "hidden.npy").stat().st_mtime_ns == stamp  # nothing rewritten

    changed = tmp_path / "changed.txt"
    changed.write_text(corpus_file.read_text().replace("cat", "dog"), encoding="utf-8")
    other_model = load_folder(make_tiny_model(tmp_path / "other-model", seed=1))
    for lm, files, layers in ((tiny_model, [changed], None), (other_model, [corpus_file], None),
                              (tiny_model, [corpus_file], "0,2")):  # fmt: skip
        index, steps = steps_of(lm, files, folder, layers=layers)
        assert steps > 0, (files, layers)
        assert index.info.key != first.info.key
    assert index.info.layers == (0, 2) and index.hidden.shape[0] == 2


def test_the_default_cache_folder_is_keyed_and_overridable(tiny_model, corpus_file, tmp_path, monkeypatch):
    monkeypatch.setenv("BERTVIZ_CACHE_DIR", str(tmp_path / "mycache"))
    index, _ = steps_of(tiny_model, [corpus_file], None)
    assert index.folder == tmp_path / "mycache" / "corpus" / index.info.key
    monkeypatch.delenv("BERTVIZ_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert corpus.cache_root() == tmp_path / "xdg" / "bertviz-app" / "corpus"


def test_a_cancelled_build_leaves_nothing_that_looks_complete(tiny_model, corpus_file, tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "batch_tokens", lambda lm, context: 1)  # one line a batch, to stop between them
    folder = tmp_path / "index"
    steps = corpus.open_or_build(tiny_model, [corpus_file], folder)
    done = [next(steps) for _ in range(3)]
    assert done[-1][0] < done[-1][1]  # mid-way
    steps.close()  # what the controller's cancel amounts to: the generator is dropped
    assert not folder.exists() and list(tmp_path.glob(".index*")) == []
    with pytest.raises(CorpusError, match="not a corpus index"):
        CorpusIndex(folder)
    # A crash mid-way: the same.
    calls = {"n": 0}
    real = tiny_model.model.forward

    def crash(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("out of memory")
        return real(*args, **kwargs)

    monkeypatch.setattr(tiny_model.model, "forward", crash)
    with pytest.raises(RuntimeError):
        run_to_end(corpus.open_or_build(tiny_model, [corpus_file], folder))
    monkeypatch.undo()
    assert not folder.exists() and list(tmp_path.glob(".index*")) == []
    # A folder with files but no complete index.json (a build killed before the rename) is never taken.
    (folder).mkdir()
    (folder / "hidden.npy").write_bytes(b"\x93NUMPY")
    (folder / "index.json").write_text(json.dumps({"format": 1, "complete": False}))
    assert read_info(folder) is None
    _index, steps = steps_of(tiny_model, [corpus_file], folder)
    assert steps > 0 and read_info(folder) is not None


def test_an_index_never_replaces_a_folder_of_other_files(tiny_model, corpus_file, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("precious")
    with pytest.raises(CorpusError, match="not a corpus index"):
        steps_of(tiny_model, [corpus_file], folder)
    assert (folder / "thesis.txt").read_text() == "precious"


def brute_force(index, vector, rows_space, heads=None):
    """Cosine of `vector` against every non-special token, in float64 (the reference)."""
    x = rows_space.astype(np.float64)
    q = np.asarray(vector, dtype=np.float64)
    if heads:
        hd = x.shape[1] // index.info.num_heads
        cols = np.concatenate([np.arange(h * hd, (h + 1) * hd) for h in heads])
        x, q = x[:, cols], q[cols]
    sims = x @ q / (np.linalg.norm(x, axis=1) * np.linalg.norm(q))
    sims[np.asarray(index.special)] = -np.inf
    return sims


@pytest.mark.parametrize("layer", [0, 1, 2])
def test_search_finds_what_brute_force_finds(tiny_model, built, layer):
    query = corpus.embed_query(tiny_model, "the cat went to the bank", 5)
    found = corpus.search(built, query.hidden[layer], layer, top=8)
    sims = brute_force(built, query.hidden[layer], built.hidden[built.layer_row(layer)])
    order = np.argsort(-sims)[:8]
    np.testing.assert_allclose([n.similarity for n in found], sims[order], atol=1e-5)
    assert [n.row for n in found] == list(order) or np.allclose(sims[[n.row for n in found]], sims[order], atol=1e-6)
    for n in found:
        assert built.line_starts[n.line] + n.position == n.row
        assert not built.special[n.row]


def test_head_search_uses_only_those_heads_slices_of_the_context(tiny_model, built):
    query = corpus.embed_query(tiny_model, "the cat went to the bank", 5, with_context=True)
    found = corpus.search(built, query.context[1], 2, top=5, heads=(1, 3), space="context")
    sims = brute_force(built, query.context[1], built.context[built.context_row(2)], heads=(1, 3))
    np.testing.assert_allclose([n.similarity for n in found], np.sort(sims)[::-1][:5], atol=1e-5)
    # Other heads give another ranking, and every head at once is the whole vector.
    everything = corpus.search(built, query.context[1], 2, top=5, space="context")
    whole = brute_force(built, query.context[1], built.context[built.context_row(2)])
    np.testing.assert_allclose([n.similarity for n in everything], np.sort(whole)[::-1][:5], atol=1e-5)
    assert [n.similarity for n in everything] != [n.similarity for n in found]


def test_another_token_of_the_same_sentence_runs_no_model(tiny_model, built, monkeypatch):
    corpus._last_sentence.clear()
    fresh = [corpus.search_text(built, tiny_model, "the bank of the river", p, 2, top=5) for p in (2, 5)]
    runs = []
    forward = tiny_model.model.forward
    monkeypatch.setattr(tiny_model.model, "forward", lambda *a, **k: runs.append(1) or forward(*a, **k))
    again = [corpus.search_text(built, tiny_model, "the bank of the river", p, layer, top=5) for p, layer in
             ((2, 2), (5, 2), (2, 1))]  # fmt: skip
    assert runs == []  # other tokens, another layer: the sentence's states are reused
    for (q0, n0), (q1, n1) in zip(fresh, again[:2]):
        assert q1.tokens == q0.tokens and np.array_equal(q1.hidden, q0.hidden) and n1 == n0
    corpus.search_text(built, tiny_model, "the bank of the sea", 2, 2)
    corpus.search_text(built, tiny_model, "the bank of the sea", 2, 2, heads=(0,))  # needs context vectors: runs
    assert len(runs) == 2


def test_search_text_refuses_what_the_index_does_not_have(tiny_model, built, corpus_file, tmp_path):
    with pytest.raises(CorpusError, match="layer 7 is not in this index"):
        corpus.search_text(built, tiny_model, "the cat", 1, 7)
    with pytest.raises(CorpusError, match="outside the text"):
        corpus.search_text(built, tiny_model, "the cat", 9, 1)
    plain = corpus.index_corpus(tiny_model, [corpus_file], tmp_path / "plain")
    with pytest.raises(CorpusError, match="no attention context"):
        corpus.search_text(plain, tiny_model, "the cat", 1, 1, heads=(0,))


def test_the_map_basis_is_one_for_every_layer(built):
    basis = shared_basis(built, n_components=3)
    words = np.flatnonzero(~np.asarray(built.special))
    pooled = np.concatenate([built.hidden[s][words].astype(np.float64) for s in range(3)])
    reference = pca(pooled, 3)
    np.testing.assert_allclose(np.abs(basis.components @ reference.components.T), np.eye(3), atol=1e-3)
    np.testing.assert_allclose(basis.mean, reference.mean, atol=1e-4)
    # Projecting any layer uses that one basis: a token's points at two layers are in the same space.
    for s in range(3):
        coords = basis.project(built.hidden[s])
        expected = (built.hidden[s].astype(np.float64) - reference.mean) @ reference.components.T
        np.testing.assert_allclose(np.abs(coords), np.abs(expected), atol=1e-3)
    # The map task (its scatter in torch) draws the same picture: word tokens only, every layer in that basis.
    drawn = run_to_end(corpus.map_task(None, None, built))
    assert list(drawn.rows) == list(words) and drawn.coords.shape == (3, len(words), 3)
    for s in range(3):
        expected = (built.hidden[s][words].astype(np.float64) - reference.mean) @ reference.components.T
        np.testing.assert_allclose(np.abs(drawn.coords[s]), np.abs(expected), atol=1e-3)


def test_the_fast_basis_is_the_exact_pca_of_wide_pooled_vectors():
    """fit_basis never forms the D x D scatter matrix (randomized subspace iteration): on 384-wide vectors shaped like
    hidden states (a few dominant directions, dimensions with large means) it finds what an exact PCA finds."""
    rng = np.random.default_rng(1)
    d = 384
    directions = np.linalg.qr(rng.normal(size=(d, 6)))[0].T  # (6, D)
    means = np.zeros(d)
    means[[7, 300]] = (40.0, -25.0)  # outlier dimensions, as BERT's hidden states have

    def layer(shift):
        weights = rng.normal(size=(6000, 6)) * np.array([9.0, 6.0, 4.0, 2.0, 1.5, 1.2])
        return (means + shift + weights @ directions + rng.normal(0, 0.3, (6000, d))).astype(np.float16)

    pools = [layer(0.0), layer(0.5).astype(np.float32), layer(-1.0)]  # fp16 from an index, or float32
    before = [p.copy() for p in pools]
    basis = fit_basis(pools, 3)
    reference = pca(np.concatenate(pools).astype(np.float64), 3)
    np.testing.assert_allclose(np.abs(basis.components @ reference.components.T), np.eye(3), atol=1e-4)
    np.testing.assert_allclose(basis.mean, reference.mean, atol=1e-3)
    np.testing.assert_allclose(basis.explained_variance_ratio, reference.explained_variance_ratio, rtol=1e-3)
    assert all(np.array_equal(a, b) for a, b in zip(pools, before))  # the caller's vectors are left as they were


def test_senses_separate_two_clouds_and_are_named_by_neighbours(tiny_model, built):
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 64), rng.normal(0, 1, 64)
    clouds = np.concatenate([a + rng.normal(0, 0.1, (30, 64)), b + rng.normal(0, 0.1, (12, 64))])
    labels = sense_clusters(clouds)
    assert list(labels) == [0] * 30 + [1] * 12  # the bigger sense first
    assert set(sense_clusters(rng.normal(0, 1, (40, 64)))) == {0}  # no structure: one sense
    bank = tiny_model.tokenizer.token_to_id("bank")
    senses = corpus.word_senses(built, bank, "bank", 2)
    assert len(senses.rows) == 3 and senses.coords.shape == (3, 2)
    assert all(built.token_ids[r] == bank for r in senses.rows)
    assert senses.names and all("bank" not in name.split(" · ") for name in senses.names)


def test_demo_corpus_end_to_end(tiny_model, tmp_path):
    demo = corpus.demo_corpus()
    lines = [x for x in demo.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) >= 2000 and demo.stat().st_size < 1_000_000
    index = corpus.index_corpus(tiny_model, [demo], tmp_path / "demo", layers="2")
    assert index.info.lines == len(lines) and index.info.layers == (2,)
    assert index.info.sources == (("state-of-the-union.txt", len(lines)),)
    assert index.line_text(17) == lines[17]
    query, found = corpus.search_text(index, tiny_model, lines[17], 2, 2, top=3)
    stored = index.hidden[0, int(index.line_starts[17]) + 2].astype(np.float32)
    np.testing.assert_allclose(stored, query.hidden[2], rtol=2e-3, atol=2e-3)  # the line itself, as indexed
    assert len(found) == 3 and found[0].similarity == pytest.approx(1, abs=1e-3)


# ---- the command line ------------------------------------------------------------------------------------


def test_cli_index_then_search_json(tiny_model_dir, corpus_file, tmp_path, capsys):
    out = tmp_path / "idx"
    assert main(["corpus", "index", "--model", str(tiny_model_dir), "--layers", "0,2", "-q", "--out", str(out),
                 str(corpus_file)]) == 0  # fmt: skip
    assert "built" in capsys.readouterr().out
    assert main(["corpus", "index", "--model", str(tiny_model_dir), "--layers", "0,2", "-q", "--out", str(out),
                 str(corpus_file)]) == 0  # fmt: skip
    assert "up to date" in capsys.readouterr().out
    assert main(["corpus", "search", str(out), "--layer", "2", "--top", "4", "--json", "--token", "5",
                 "she went to the bank of the river"]) == 0  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"model", "layer", "query", "neighbours"} and payload["layer"] == 2
    assert payload["query"] == {"tokens": ["[CLS]", "she", "went", "to", "the", "bank", "of", "the", "river", "[SEP]"],
                                "position": 5}  # fmt: skip
    top = payload["neighbours"]
    assert len(top) == 4 and [n["similarity"] for n in top] == sorted((n["similarity"] for n in top), reverse=True)
    assert top[0] == {"line": 1, "text": LINES[1], "tokens": [*payload["query"]["tokens"][:9], ".", "[SEP]"],
                      "position": 5, "similarity": pytest.approx(1.0, abs=1e-3)}  # fmt: skip
    for n in top:
        assert set(n) == {"line", "text", "tokens", "position", "similarity"}
        assert n["text"] == [x for x in LINES if x][n["line"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "{missing}", "--layer", "1", "--token", "1", "x"], "not a corpus index"),
        (["search", "{idx}", "--layer", "5", "--token", "1", "the cat"], "layer 5 is not in this index"),
        (["search", "{idx}", "--layer", "1", "--token", "1", "--heads", "0", "the cat"], "no attention context"),
        (["search", "{idx}", "--layer", "1", "--token", "1", "   "], "empty"),
        (["index", "--model", "{model}", "--layers", "0,9", "--out", "{new}", "{file}"], "layers go from 0"),
        (["index", "--model", "{model}", "--out", "{new}", "{nofile}"], "No such file"),
    ],
)
def test_cli_errors_exit_2_with_one_line(tiny_model_dir, built, corpus_file, tmp_path, capsys, args, message):
    plain = tmp_path / "plain"
    if not plain.exists():
        assert (
            main(["corpus", "index", "--model", str(tiny_model_dir), "-q", "--out", str(plain), str(corpus_file)]) == 0
        )
    names = {"missing": tmp_path / "nope", "idx": plain, "model": tiny_model_dir, "new": tmp_path / "new",
             "file": corpus_file, "nofile": tmp_path / "nofile.txt"}  # fmt: skip
    capsys.readouterr()
    assert main(["corpus", *(a.format(**names) for a in args)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
