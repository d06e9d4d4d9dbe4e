"""Every family the engine runs against transformers' own implementation of it (eager attention).

Tiny random configs of RoBERTa, XLM-RoBERTa, DistilBERT, ALBERT (1 and 2 layer groups, 2 layers per group),
ELECTRA (generator and discriminator) and ModernBERT (a sliding window shorter than the text), their weights
perturbed away from any initial value, saved as safetensors and as .bin and loaded by our loader: logits at
the masks (or the discriminator's per-token logits), attentions and hidden states agree to 1e-4. BERT itself
is covered in test_engine_parity.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

transformers = pytest.importorskip("transformers")

from conftest import toy_vocab  # noqa: E402

from bertviz_app.analysis.inference import InferenceInput, run_inference  # noqa: E402
from bertviz_app.engine import CheckpointError, load_folder  # noqa: E402
from bertviz_app.engine.checkpoint import load_encoder  # noqa: E402

ATOL = 1e-4
VOCAB = len(toy_vocab())
MASK_ID = 4  # [MASK] in the toy vocabulary
transformers.utils.logging.set_verbosity_error()

_COMMON = dict(vocab_size=VOCAB, num_attention_heads=4, max_position_embeddings=64)
_SMALL = dict(hidden_size=32, intermediate_size=48, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
_MODERN_IDS = dict(pad_token_id=0, cls_token_id=2, sep_token_id=3, bos_token_id=2, eos_token_id=3, mask_token_id=4)

# name -> (transformers model class, its config class, config arguments, has token types)
FAMILIES = {
    "roberta": ("RobertaForMaskedLM", "RobertaConfig", dict(num_hidden_layers=2, pad_token_id=1, **_SMALL), False),
    "xlm-roberta": (
        "XLMRobertaForMaskedLM",
        "XLMRobertaConfig",
        dict(num_hidden_layers=3, pad_token_id=1, hidden_act="gelu_new", **_SMALL),
        False,
    ),
    "distilbert": (
        "DistilBertForMaskedLM",
        "DistilBertConfig",
        dict(dim=32, n_layers=2, n_heads=4, hidden_dim=48, dropout=0.0, tie_word_embeddings=False),
        False,
    ),
    "albert-1-group": (
        "AlbertForMaskedLM",
        "AlbertConfig",
        dict(num_hidden_layers=3, embedding_size=16, num_hidden_groups=1, **_SMALL),
        True,
    ),
    "albert-2-groups": (
        "AlbertForMaskedLM",
        "AlbertConfig",
        dict(num_hidden_layers=4, embedding_size=16, num_hidden_groups=2, inner_group_num=2, **_SMALL),
        True,
    ),
    "electra-generator": (
        "ElectraForMaskedLM",
        "ElectraConfig",
        dict(num_hidden_layers=2, embedding_size=16, **_SMALL),
        True,
    ),
    "electra-discriminator": (
        "ElectraForPreTraining",
        "ElectraConfig",
        dict(num_hidden_layers=2, embedding_size=32, hidden_act="relu", **_SMALL),
        True,
    ),
    "modernbert": (
        "ModernBertForMaskedLM",
        "ModernBertConfig",
        dict(
            num_hidden_layers=4,
            hidden_size=32,
            intermediate_size=40,
            local_attention=6,  # each local layer sees 3 tokens either side: far fewer than the text has
            global_attn_every_n_layers=3,
            global_rope_theta=160000.0,
            local_rope_theta=10000.0,
            **_MODERN_IDS,
        ),
        False,
    ),
}
NAMES = list(FAMILIES)


def build_hf(name: str, seed: int = 0):
    model_class, config_class, kwargs, _ = FAMILIES[name]
    cfg = getattr(transformers, config_class)(**{**_COMMON, **kwargs})
    cfg._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = getattr(transformers, model_class)(cfg).eval()
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.15)
    return model


def save(model, folder: Path, fmt: str) -> Path:
    if fmt == "safetensors":
        model.save_pretrained(folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        model.config.save_pretrained(folder)
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
    return folder


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    """name -> (transformers model, our model loaded from its safetensors folder), built once per module."""
    built = {}
    for i, name in enumerate(NAMES):
        hf = build_hf(name, seed=10 * i)
        folder = save(hf, tmp_path_factory.mktemp(name) / "m", "safetensors")
        built[name] = (hf, load_encoder(folder)[1], folder)
    return built


def sample(name: str, length: int = 20, seed: int = 0, pair: bool = True):
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, VOCAB, (1, length), generator=gen)
    ids[0, 0], ids[0, -1] = 2, 3
    masked = torch.tensor([1, length // 2, length - 2])
    ids[0, masked] = MASK_ID
    types = torch.zeros_like(ids)
    if pair and FAMILIES[name][3]:
        types[0, length // 2 :] = 1  # the second sentence of a pair
    return ids, types, masked


def hf_run(hf, ids, types, attention_mask=None):
    kwargs = {} if types is None else {"token_type_ids": types}
    with torch.no_grad():
        return hf(ids, attention_mask=attention_mask, output_attentions=True, output_hidden_states=True, **kwargs)


def uses_types(name: str) -> bool:
    return FAMILIES[name][3]


def assert_close(actual, expected, what):
    assert actual.shape == expected.shape, f"{what}: shape {tuple(actual.shape)} vs {tuple(expected.shape)}"
    diff = (actual.float() - expected.float()).abs().max().item()
    assert diff <= ATOL, f"{what}: max abs difference {diff:.3g} > {ATOL}"


def compare(name, hf, ours, ids, types, masked, attention_mask=None):
    ref = hf_run(hf, ids, types if uses_types(name) else None, attention_mask)
    with torch.inference_mode():
        out = ours(
            ids,
            types,
            attention_mask,
            predict_at=None if not ours.has_mlm_head else torch.stack([torch.zeros_like(masked), masked], 1),
            output_attentions=True,
            output_hidden_states=True,
            output_replaced=True,
        )
    keep = slice(None) if attention_mask is None else attention_mask[0].bool()
    ref_att = torch.stack(ref.attentions, 1)[0]  # (L, H, T, T)
    assert_close(out.attentions[0][..., keep, :][..., keep], ref_att[..., keep, :][..., keep], f"{name}: attentions")
    assert_close(out.hidden_states[0][:, keep], torch.stack(ref.hidden_states, 1)[0][:, keep], f"{name}: hidden states")
    if ours.has_mlm_head:
        assert_close(out.logits, ref.logits[0, masked], f"{name}: logits at the masks")
    else:
        assert_close(out.replaced_logits[0][keep], ref.logits[0][keep], f"{name}: replaced-token logits")
    return out


@pytest.mark.parametrize("fmt", ["safetensors", "bin"])
@pytest.mark.parametrize("name", NAMES)
def test_parity(tmp_path, name, fmt):
    hf = build_hf(name, seed=NAMES.index(name) + 100 * (fmt == "bin"))
    cfg, ours, report = load_encoder(save(hf, tmp_path / "m", fmt))
    assert cfg.family.name.lower().replace("-", "") in name.replace("-", "").replace("xlmroberta", "roberta")
    assert report.has_mlm_head == (name != "electra-discriminator")
    assert report.has_discriminator == (name == "electra-discriminator")
    ids, types, masked = sample(name, seed=NAMES.index(name))
    compare(name, hf, ours, ids, types, masked)


@pytest.mark.parametrize("name", ["roberta", "distilbert", "albert-2-groups", "modernbert"])
def test_padded_batch(pairs, name):
    """Two sentences of different lengths in one batch: the real tokens' numbers are those of transformers."""
    hf, ours, _ = pairs[name]
    ids, types, masked = sample(name, length=16, seed=3)
    ids[0, 12:] = ours.config.pad_token_id
    mask = torch.ones_like(ids)
    mask[0, 12:] = 0
    compare(name, hf, ours, ids, types, masked[:2], attention_mask=mask)


def test_modernbert_window_is_exposed_and_respected(pairs):
    hf, ours, _ = pairs["modernbert"]
    assert ours.config.attention_windows == (None, 3, 3, None)
    ids, types, masked = sample("modernbert", length=20, seed=5)
    out = compare("modernbert", hf, ours, ids, types, masked)
    pos = torch.arange(20)
    outside = (pos[:, None] - pos[None, :]).abs() > 3  # (T, T)
    local = out.attentions[0, 1]  # (H, T, T)
    assert float(local[:, outside].abs().max()) == 0.0
    assert float(out.attentions[0, 0][:, outside].min()) > 0.0  # the global layer sees everything


def test_albert_layers_share_their_groups_weights(pairs):
    _, ours, _ = pairs["albert-2-groups"]
    cfg = ours.config
    assert cfg.num_hidden_layers == 8  # 4 layers x 2 per group, each run as its own attention layer
    assert cfg.layer_weights == (0, 1, 0, 1, 2, 3, 2, 3)
    layers = ours.encoder.layer
    assert layers[0] is layers[2] and layers[0] is not layers[1] and layers[4] is not layers[0]
    assert pairs["albert-1-group"][1].config.layer_weights == (0, 0, 0)


def _hf_output_projection(hf, name: str, layer: int):
    """The module of transformers' model whose input is layer `layer`'s concatenated head outputs."""
    if name.startswith("albert"):
        cfg = hf.config
        per_group = cfg.num_hidden_layers // cfg.num_hidden_groups
        outer, inner = divmod(layer, cfg.inner_group_num)
        group = hf.albert.encoder.albert_layer_groups[outer // per_group]
        return group.albert_layers[inner].attention.dense
    if name == "distilbert":
        return hf.distilbert.transformer.layer[layer].attention.out_lin
    if name == "modernbert":
        return hf.model.layers[layer].attn.Wo
    base = hf.electra if name.startswith("electra") else hf.roberta
    return base.encoder.layer[layer].attention.output.dense


@pytest.mark.parametrize("name", NAMES)
def test_knocked_out_head_equals_zeroing_its_output(pairs, name):
    """A head mask zeroes exactly that head's share of the attention output, in every family; in ALBERT the
    weights are shared, so transformers' hook knocks the head out in every layer that runs them."""
    hf, ours, _ = pairs[name]
    L, H, hd = ours.config.num_hidden_layers, ours.config.num_attention_heads, ours.config.head_dim
    layer, head = 1, 2
    same = [i for i in range(L) if ours.config.layer_weights[i] == ours.config.layer_weights[layer]]
    mask = torch.ones(L, H)
    mask[same, head] = 0.0

    def zero_head(_module, args):
        x = args[0].clone()
        x[..., head * hd : (head + 1) * hd] = 0.0
        return (x,)

    ids, types, masked = sample(name, seed=7)
    hook = _hf_output_projection(hf, name, layer).register_forward_pre_hook(zero_head)
    try:
        ref = hf_run(hf, ids, types if uses_types(name) else None)
    finally:
        hook.remove()
    with torch.inference_mode():
        out = ours(ids, types, predict_at=masked if ours.has_mlm_head else None, output_replaced=True, head_mask=mask)
    if ours.has_mlm_head:
        assert_close(out.logits, ref.logits[0, masked], f"{name}: logits with a head knocked out")
    else:
        assert_close(out.replaced_logits[0], ref.logits[0], f"{name}: replaced logits with a head knocked out")


@pytest.mark.parametrize("name", NAMES)
def test_run_layers_in_two_steps_equals_one_forward(pairs, name):
    _, ours, _ = pairs[name]
    ids, types, _ = sample(name, seed=9)
    L = ours.config.num_hidden_layers
    with torch.inference_mode():
        full = ours(ids, types, output_hidden_states=True)
        x = ours.embeddings(ids, types)
        middle = ours.run_layers(x, 0, L // 2).last_hidden_state
        top = ours.run_layers(middle, L // 2).last_hidden_state
    assert_close(middle, full.hidden_states[:, L // 2], f"{name}: state after the bottom half")
    assert_close(top, full.last_hidden_state, f"{name}: the top half from there")


@pytest.mark.parametrize("name", NAMES)
def test_broken_checkpoint_gives_one_clear_error(tmp_path, pairs, name):
    """A checkpoint missing one of its layer weights fails with a CheckpointError naming the file and key."""
    from safetensors.torch import load_file, save_file

    _, _, folder = pairs[name]
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in folder.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    state = load_file(str(broken / "model.safetensors"))
    victim = next(k for k in state if "layer" in k and k.endswith("weight") and "norm" not in k.lower())
    del state[victim]
    save_file(state, str(broken / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(CheckpointError) as info:
        load_encoder(broken)
    message = str(info.value)
    assert "missing" in message and "model.safetensors" in message and "\n" not in message
    (broken / "model.safetensors").write_bytes(b"\x00" * 100)
    with pytest.raises(CheckpointError, match="corrupt"):
        load_encoder(broken)


def _with_toy_tokenizer(folder: Path, tmp_path: Path) -> Path:
    """The folder with a WordPiece vocabulary whose ids are the model's (the tokenizers are tested apart)."""
    out = tmp_path / "with-vocab"
    out.mkdir()
    for f in folder.iterdir():
        (out / f.name).write_bytes(f.read_bytes())
    (out / "vocab.txt").write_text("\n".join(toy_vocab()) + "\n", encoding="utf-8")
    (out / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True}), encoding="utf-8")
    return out


@pytest.mark.parametrize("name", NAMES)
def test_inference_returns_every_view_s_data(tmp_path, pairs, name):
    """run_inference on each family: predictions, q/k, value norms, per-layer predictions whose last layer is
    the prediction itself, the architecture per layer; the discriminator's replaced-token probabilities."""
    hf, _, folder = pairs[name]
    lm = load_folder(_with_toy_tokenizer(folder, tmp_path))
    L, H = lm.config.num_hidden_layers, lm.config.num_attention_heads
    result = run_inference(lm, InferenceInput("the cat sat on the [MASK] .", "she went to the bank ."))
    T = len(result.tokens)
    assert result.attention.shape == (L, H, T, T)
    assert result.queries.shape == result.keys.shape == (L, H, T, lm.config.head_dim)
    assert result.value_norms.shape == (L, H, T)
    assert result.layer_weights == lm.config.layer_weights and len(result.attention_windows) == L
    if lm.has_mlm_head:
        assert result.replaced_probs is None
        top = result.predictions[0].predictions[0]
        assert result.layer_probs.shape == (L + 1, 1, lm.config.vocab_size)
        assert abs(float(result.layer_probs[-1, 0, top.token_id]) - top.probability) < 1e-5
    else:
        ids = torch.tensor([result.encoding.input_ids])
        types = torch.tensor([result.encoding.token_type_ids])
        ref = hf_run(hf, ids, types).logits[0].sigmoid()  # (T,)
        assert result.replaced_probs.shape == (T,)
        assert_close(torch.from_numpy(result.replaced_probs), ref, f"{name}: replaced probabilities")
        assert result.predictions == () and result.layer_probs is None


@pytest.mark.parametrize("name", ["roberta", "albert-2-groups", "electra-discriminator", "modernbert"])
def test_half_precision_runs_close_to_full(pairs, name):
    """What the GPU runs: the model in a 16-bit float type (bfloat16 here, on the CPU), padding included."""
    import copy

    _, ours, _ = pairs[name]
    half = copy.deepcopy(ours).to(torch.bfloat16)
    ids, types, masked = sample(name, seed=11)
    mask = torch.ones_like(ids)
    mask[0, -3:] = 0
    kwargs = dict(predict_at=masked if ours.has_mlm_head else None, output_attentions=True, output_replaced=True)
    with torch.inference_mode():
        full, low = ours(ids, types, mask, **kwargs), half(ids, types, mask, **kwargs)
    assert low.attentions.dtype == torch.bfloat16
    a, b = (low.logits, full.logits) if ours.has_mlm_head else (low.replaced_logits, full.replaced_logits)
    assert float((a.float() - b).abs().max()) < 0.05 * float(b.abs().max())


def test_albert_groups_that_do_not_divide_the_layers(tmp_path, monkeypatch):
    """3 layers over 2 groups: transformers runs group int(i / 1.5) = 0, 0, 1; so do we."""
    spec = FAMILIES["albert-1-group"]
    monkeypatch.setitem(FAMILIES, "albert-uneven", (*spec[:2], {**spec[2], "num_hidden_groups": 2}, spec[3]))
    hf = build_hf("albert-uneven", seed=5)
    _, ours, _ = load_encoder(save(hf, tmp_path / "m", "safetensors"))
    assert ours.config.layer_weights == (0, 0, 1)
    ids, types, masked = sample("albert-uneven", seed=6)
    compare("albert-uneven", hf, ours, ids, types, masked)
