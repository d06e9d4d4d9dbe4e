"""Classification heads (BERT's applications): sequence and token classifiers of every family, built with
transformers, opened by our loader; their probabilities (and per-layer readouts, and head importance for a
label) checked against transformers and against a direct knock-out; label maps that do not fit refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

transformers = pytest.importorskip("transformers")
transformers.utils.logging.set_verbosity_error()

from classifier_models import FAMILIES, NER, SENTIMENT, classifier_folder  # noqa: E402
from test_device import fake_gpu  # noqa: E402, F401 (a fixture: a device that is the CPU in float16)

from bertviz_app.analysis.classify import NoClassifierError, classify_task  # noqa: E402
from bertviz_app.analysis.heads import head_importance  # noqa: E402
from bertviz_app.analysis.inference import InferenceInput, prepare, run_inference  # noqa: E402
from bertviz_app.analysis.numeric.labels import Classification, Entity, entities  # noqa: E402
from bertviz_app.engine import CheckpointError, ConfigError, load_folder  # noqa: E402

ATOL = 1e-4
TEXT = "the cat sat on the mat in paris ."


def _output_projection(hf, layer: int):
    """transformers' module whose input is layer `layer`'s concatenated head outputs."""
    base = getattr(hf, hf.base_model_prefix)
    if hf.base_model_prefix == "distilbert":
        return base.transformer.layer[layer].attention.out_lin
    return base.encoder.layer[layer].attention.output.dense


def _hf_probs(hf, lm, inp: InferenceInput, knocked_out=()) -> torch.Tensor:
    """transformers' probabilities, heads knocked out by zeroing their share of the output projection's input
    (transformers 5 has no head_mask)."""
    prep = prepare(lm, inp)
    kwargs = {"token_type_ids": prep.token_type_ids[None]} if lm.config.has_token_types else {}
    hd = lm.config.head_dim
    hooks = []
    for layer, head in knocked_out:

        def zero(_module, args, head=head):
            x = args[0].clone()
            x[..., head * hd : (head + 1) * hd] = 0.0
            return (x,)

        hooks.append(_output_projection(hf, layer).register_forward_pre_hook(zero))
    try:
        with torch.no_grad():
            return hf(prep.input_ids[None], **kwargs).logits[0].softmax(-1)  # (C,) or (T, C)
    finally:
        for hook in hooks:
            hook.remove()


@pytest.mark.parametrize("task", ["sequence", "token"])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_probabilities_equal_transformers(tmp_path, family, task):
    hf, folder = classifier_folder(tmp_path, family, task, seed=len(family))
    lm = load_folder(folder)
    assert lm.task == task and not lm.has_mlm_head
    assert lm.labels == tuple((SENTIMENT if task == "sequence" else NER).values())
    inp = InferenceInput(TEXT, "she went to the bank .")
    result = classify_task(lm, inp)
    ref = _hf_probs(hf, lm, inp).numpy()
    assert result.probs.shape == ref.shape
    assert float(np.abs(result.probs - ref).max()) <= ATOL
    L = lm.config.num_hidden_layers
    assert result.layer_probs.shape == (L + 1, *ref.shape)
    assert np.allclose(result.layer_probs.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(result.layer_probs[-1], result.probs, atol=1e-6)


@pytest.mark.parametrize("family", ["bert", "roberta", "distilbert"])
def test_layer_readout_is_the_final_head_on_each_layers_state(tmp_path, family):
    """Each layer's row is what transformers' own head gives when fed that layer's hidden states."""
    hf, folder = classifier_folder(tmp_path, family, "sequence", seed=3)
    lm = load_folder(folder)
    inp = InferenceInput(TEXT)
    result = classify_task(lm, inp)
    prep = prepare(lm, inp)
    with torch.no_grad():
        states = hf(prep.input_ids[None], output_hidden_states=True).hidden_states
        for layer, h in enumerate(states):
            if family == "bert":
                logits = hf.classifier(hf.bert.pooler(h))
            elif family == "roberta":
                logits = hf.classifier(h)
            else:
                logits = hf.classifier(torch.relu(hf.pre_classifier(h[:, 0])))
            np.testing.assert_allclose(result.layer_probs[layer], logits[0].softmax(-1).numpy(), atol=ATOL)


def test_knocked_out_heads_and_masks_reach_the_classifier(tmp_path):
    hf, folder = classifier_folder(tmp_path, "bert", "sequence", seed=4)
    lm = load_folder(folder)
    inp = InferenceInput(TEXT, knocked_out=frozenset({(1, 2), (0, 0)}), masked_spans=((0, 4, 7),))
    ref = _hf_probs(hf, lm, inp, knocked_out=inp.knocked_out).numpy()
    assert float(np.abs(classify_task(lm, inp).probs - ref).max()) <= ATOL
    # the window's own result is reused (no second forward) and gives the same answer
    shown = run_inference(lm, inp)
    np.testing.assert_allclose(classify_task(lm, inp, result=shown).probs, ref, atol=ATOL)


@pytest.mark.parametrize("family", ["bert", "distilbert"])
def test_head_importance_for_the_label_agrees_with_a_direct_knock_out(tmp_path, family):
    hf, folder = classifier_folder(tmp_path, family, "sequence", seed=5)
    lm = load_folder(folder)
    inp = InferenceInput(TEXT)
    imp = head_importance(lm, inp, batch=5)
    base = _hf_probs(hf, lm, inp)
    label = int(base.argmax())
    assert imp.score == "label" and imp.target_ids == (label,) and imp.target_tokens == (SENTIMENT[label],)
    assert abs(float(imp.baseline_log_probs[0]) - float(base[label].log())) < ATOL
    for layer, head in [(0, 1), (1, 3)]:
        off = _hf_probs(hf, lm, inp, knocked_out=[(layer, head)])
        assert abs(float(imp.drops[0, layer, head]) - float(base[label].log() - off[label].log())) < ATOL
    chosen = head_importance(lm, inp, label=(label + 1) % 3)
    assert chosen.target_ids == ((label + 1) % 3,)
    assert abs(float(chosen.baseline_log_probs[0]) - float(base[(label + 1) % 3].log())) < ATOL


def test_head_importance_for_a_token_classifier_scores_every_word_token(tmp_path):
    hf, folder = classifier_folder(tmp_path, "roberta", "token", seed=6)
    lm = load_folder(folder)
    inp = InferenceInput(TEXT)
    imp = head_importance(lm, inp)
    words = [i for i, s in enumerate(prepare(lm, inp).encoding.special) if not s]
    assert imp.masked_positions == tuple(words)
    base = _hf_probs(hf, lm, inp)  # (T, C)
    assert imp.target_ids == tuple(int(base[i].argmax()) for i in words)
    off = _hf_probs(hf, lm, inp, knocked_out=[(1, 0)])
    expected = [float(base[i, t].log() - off[i, t].log()) for i, t in zip(words, imp.target_ids)]
    np.testing.assert_allclose(imp.drops[:, 1, 0], expected, atol=ATOL)


def test_a_model_without_a_classifier_says_what_to_open(tiny_model):
    with pytest.raises(NoClassifierError, match="ForSequenceClassification"):
        classify_task(tiny_model, InferenceInput(TEXT))


def _edit_config(folder, **changes):
    path = folder / "config.json"
    raw = json.loads(path.read_text())
    raw.update(changes)
    path.write_text(json.dumps(raw))


def test_a_label_map_that_does_not_fit_the_weights_is_refused(tmp_path):
    _, folder = classifier_folder(tmp_path, "bert", "sequence")
    _edit_config(folder, id2label={"0": "negative", "1": "positive"}, label2id={"negative": 0, "positive": 1})
    with pytest.raises(CheckpointError, match="id2label names 2 labels, but the classifier has 3 outputs") as info:
        load_folder(folder)
    assert "classifier.weight" in str(info.value) and "model.safetensors" in str(info.value)


@pytest.mark.parametrize(
    "id2label, label2id, message",
    [
        ({"0": "a", "2": "b", "3": "c"}, None, "without gaps"),
        ({"zero": "a"}, None, "label numbers"),
        ({"0": "a", "1": 5, "2": "c"}, None, "without gaps"),
        ({"0": "a", "1": "b", "2": "c"}, {"a": 1}, "label2id gives 'a' the number 1"),
    ],
)
def test_a_malformed_label_map_is_refused_naming_the_field(tmp_path, id2label, label2id, message):
    _, folder = classifier_folder(tmp_path, "distilbert", "sequence")
    _edit_config(folder, id2label=id2label, label2id=label2id)
    with pytest.raises(ConfigError, match=message):
        load_folder(folder)


def test_a_classifier_without_its_head_weights_is_refused(tmp_path):
    from safetensors.torch import load_file, save_file

    _, folder = classifier_folder(tmp_path, "roberta", "sequence")
    state = load_file(str(folder / "model.safetensors"))
    del state["classifier.out_proj.weight"]
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(CheckpointError, match=r"classifier\.out_proj\.weight"):
        load_folder(folder)


def test_without_id2label_the_labels_are_named_as_transformers_names_them(tmp_path):
    _, folder = classifier_folder(tmp_path, "bert", "token")
    raw = json.loads((folder / "config.json").read_text())
    del raw["id2label"], raw["label2id"]
    (folder / "config.json").write_text(json.dumps(raw))
    assert load_folder(folder).labels == tuple(f"LABEL_{i}" for i in range(5))


def test_a_classifier_head_is_set_aside_when_the_architecture_names_none(tmp_path):
    """Keys alone cannot say sequence or token (BERT's are both 'classifier.weight'): the model opens without it."""
    _, folder = classifier_folder(tmp_path, "bert", "sequence")
    _edit_config(folder, architectures=["BertModel"])
    lm = load_folder(folder)
    assert lm.task == "" and "classifier.weight" in lm.report.ignored_keys


def _tagged(tags: list[str], words: list[int | None], probs: float = 0.9) -> Classification:
    labels = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "MISC")
    T = len(tags)
    p = np.full((T, len(labels)), (1 - probs) / (len(labels) - 1), dtype=np.float32)
    for i, tag in enumerate(tags):
        p[i, labels.index(tag or "O")] = probs
    special = tuple(w is None for w in words)
    return Classification(None, "m", "token", labels, ("x",) * T, ("x",) * T, special, tuple(words), p, p[None], 0.0)


def test_bio_tags_merge_into_entities():
    #        [CLS]  john     smith    ##s      went  to   new      york     city     [SEP]
    tags = ["O", "B-PER", "I-PER", "O", "O", "O", "B-LOC", "I-LOC", "I-PER", "O"]
    words = [None, 0, 1, 1, 2, 3, 4, 5, 6, None]
    found = entities(_tagged(tags, words))
    assert found == [
        Entity(1, 4, "PER", pytest.approx(0.9)),
        Entity(6, 8, "LOC", pytest.approx(0.9)),
        Entity(8, 9, "PER", pytest.approx(0.9)),
    ]


def test_a_tag_without_prefix_and_an_inside_tag_after_outside_start_entities():
    found = entities(_tagged(["O", "I-LOC", "I-LOC", "MISC", "B-PER", "B-PER", "O"], [None, 0, 1, 2, 3, 4, None]))
    assert [(e.start, e.end, e.type) for e in found] == [(1, 3, "LOC"), (3, 4, "MISC"), (4, 5, "PER"), (5, 6, "PER")]


@pytest.mark.usefixtures("fake_gpu")
def test_on_a_gpu_in_half_precision_the_label_and_head_importance_still_run(tmp_path):
    """What a CUDA device does (here a fake one that is the CPU in float16): the head and the readout are
    called from outside the model, through the device boundary, and give float32 CPU numbers close to the CPU's."""
    from bertviz_app.engine import device

    _, folder = classifier_folder(tmp_path, "bert", "token", seed=8)
    lm = load_folder(folder)
    inp = InferenceInput(TEXT)
    reference, importance = classify_task(lm, inp), head_importance(lm, inp)
    assert device.place(lm, "fakegpu").device == "fakegpu"
    moved = classify_task(lm, inp, result=run_inference(lm, inp))
    assert moved.probs.dtype == np.float32
    np.testing.assert_allclose(moved.layer_probs, reference.layer_probs, atol=5e-3)
    on_gpu = head_importance(lm, inp)
    assert on_gpu.target_ids == importance.target_ids
    np.testing.assert_allclose(on_gpu.drops, importance.drops, atol=5e-2)
