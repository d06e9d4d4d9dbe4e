"""Our plain-torch BERT against transformers' (eager) BERT: same logits, attention and hidden states.

Random configs are built here, their weights perturbed away from any initial value, saved in every layout
the loader reads (safetensors, sharded safetensors, .bin, BertModel-only, legacy TF names) and loaded back
with our checkpoint loader. Tolerance: 1e-4 absolute everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

transformers = pytest.importorskip("transformers")

from bertviz_app.engine.checkpoint import load_bert  # noqa: E402
from bertviz_app.engine.discovery import base_model_dir, default_model_dir  # noqa: E402

ATOL = 1e-4
MASK_ID = 4

transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()

# (name, layers, hidden, heads, act, type_vocab_size, tied)
CONFIGS = [
    ("2l-gelu-tied", 2, 32, 4, "gelu", 2, True),
    ("3l-relu-untied-tv1", 3, 48, 6, "relu", 1, False),
    ("4l-gelunew-untied", 4, 64, 2, "gelu_new", 2, False),
    ("2l-gelunew-tied-tv1", 2, 24, 3, "gelu_new", 1, True),
]
FORMATS = ["safetensors", "sharded", "bin"]


def hf_config(layers, hidden, heads, act, type_vocab, tied, vocab=97):
    cfg = transformers.BertConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=hidden * 3,
        hidden_act=act,
        type_vocab_size=type_vocab,
        max_position_embeddings=40,
        tie_word_embeddings=tied,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    cfg._attn_implementation = "eager"
    return cfg


def perturb(model: torch.nn.Module, seed: int) -> None:
    """Move every parameter away from its initial value (LayerNorm gains away from 1, biases from 0)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.15)


def build_hf_mlm(spec, seed=0):
    _, layers, hidden, heads, act, tv, tied = spec
    torch.manual_seed(seed)
    model = transformers.BertForMaskedLM(hf_config(layers, hidden, heads, act, tv, tied)).eval()
    perturb(model, seed + 1)
    return model


def save_config(model, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(folder)


def save_in_format(model, folder: Path, fmt: str) -> Path:
    if fmt == "safetensors":
        model.save_pretrained(folder)
        assert (folder / "model.safetensors").exists()
    elif fmt == "sharded":
        model.save_pretrained(folder, max_shard_size="20KB")
        assert (folder / "model.safetensors.index.json").exists()
        assert len(list(folder.glob("model-*.safetensors"))) > 1
    elif fmt == "bin":
        save_config(model, folder)
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
    else:
        raise AssertionError(fmt)
    return folder


def sample_inputs(vocab: int, type_vocab: int, length: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, vocab, (length,), generator=gen)
    ids[0], ids[-1] = 2, 3  # [CLS] ... [SEP]
    masked = torch.tensor([1, length // 2, length - 2])
    ids[masked] = MASK_ID
    types = torch.zeros(length, dtype=torch.long)
    if type_vocab > 1:
        types[length // 2 :] = 1
    return ids, types, masked


def hf_forward(model, ids, types, attention_mask=None):
    with torch.no_grad():
        return model(
            ids, attention_mask=attention_mask, token_type_ids=types, output_attentions=True, output_hidden_states=True
        )


def ours_forward(model, ids, types, attention_mask=None, **kw):
    with torch.inference_mode():
        return model(ids, types, attention_mask, output_attentions=True, output_hidden_states=True, **kw)


def assert_close(actual, expected, what):
    assert actual.shape == expected.shape, f"{what}: shape {tuple(actual.shape)} vs {tuple(expected.shape)}"
    diff = (actual.float() - expected.float()).abs().max().item()
    assert diff <= ATOL, f"{what}: max abs difference {diff:.3g} > {ATOL}"


def compare_single(ours, hf, spec_tv, vocab, seed, length=13, with_logits=True):
    ids, types, masked = sample_inputs(vocab, spec_tv, length, seed)
    ref = hf_forward(hf, ids[None], types[None])
    out = ours_forward(ours, ids[None], types[None], predict_at=masked if with_logits else None)
    L = len(ref.attentions)
    assert out.attentions.shape == (1, L, ref.attentions[0].shape[1], length, length)
    assert_close(out.attentions[0], torch.stack(ref.attentions, 1)[0], "attentions")
    assert_close(out.hidden_states[0], torch.stack(ref.hidden_states, 1)[0], "hidden states")
    if with_logits:
        assert_close(out.logits, ref.logits[0, masked], "logits at the masks")
    return out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("spec", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_mlm_parity(tmp_path, spec, fmt):
    hf = build_hf_mlm(spec, seed=len(spec[0]) + FORMATS.index(fmt))
    folder = save_in_format(hf, tmp_path / "m", fmt)
    cfg, ours, report = load_bert(folder)
    assert report.has_mlm_head and report.tied_decoder == spec[6]
    assert cfg.num_hidden_layers == spec[1] and cfg.type_vocab_size == spec[5]
    compare_single(ours, hf, spec[5], cfg.vocab_size, seed=1)
    compare_single(ours, hf, spec[5], cfg.vocab_size, seed=2, length=31)


def test_untied_decoder_uses_its_own_bias(tmp_path):
    """An untied head's output bias is the decoder's, even when cls.predictions.bias differs."""
    hf = build_hf_mlm(CONFIGS[1], seed=5)
    pred = hf.cls.predictions
    assert not torch.equal(pred.bias, pred.decoder.bias)
    hf.save_pretrained(tmp_path)
    _, ours, _ = load_bert(tmp_path)
    assert torch.equal(ours.cls.predictions.bias, pred.decoder.bias.detach())
    compare_single(ours, hf, 1, hf.config.vocab_size, seed=3)


@pytest.mark.parametrize("spec", [CONFIGS[0], CONFIGS[2]], ids=["tied", "untied"])
def test_padded_batch(tmp_path, spec):
    hf = build_hf_mlm(spec, seed=11)
    hf.save_pretrained(tmp_path)
    cfg, ours, _ = load_bert(tmp_path)
    lengths = [15, 9]
    T = max(lengths)
    rows = [sample_inputs(cfg.vocab_size, cfg.type_vocab_size, n, seed=20 + n) for n in lengths]
    ids = torch.zeros(2, T, dtype=torch.long)
    types = torch.zeros(2, T, dtype=torch.long)
    att = torch.zeros(2, T, dtype=torch.long)
    predict_at = []
    for b, (i, t, m) in enumerate(rows):
        ids[b, : len(i)], types[b, : len(t)], att[b, : len(i)] = i, t, 1
        predict_at += [(b, int(p)) for p in m]
    predict_at = torch.tensor(predict_at)
    ref = hf_forward(hf, ids, types, att)
    out = ours_forward(ours, ids, types, att, predict_at=predict_at)
    ref_att, ref_hid = torch.stack(ref.attentions, 1), torch.stack(ref.hidden_states, 1)
    assert_close(out.logits, ref.logits[predict_at[:, 0], predict_at[:, 1]], "padded logits")
    for b, n in enumerate(lengths):
        assert_close(out.attentions[b, :, :, :n, :n], ref_att[b, :, :, :n, :n], f"row {b} attentions")
        assert_close(out.hidden_states[b, :, :n], ref_hid[b, :, :n], f"row {b} hidden states")
        # Padding keys get no attention from real tokens.
        assert out.attentions[b, :, :, :n, n:].abs().max().item() == 0.0 if n < T else True
        # And padding does not change the unpadded positions: same as the sentence run alone.
        alone = ours_forward(ours, ids[b, :n], types[b, :n], predict_at=rows[b][2])
        assert_close(out.attentions[b, :, :, :n, :n], alone.attentions[0], f"row {b} attention vs alone")
        assert_close(out.hidden_states[b, :, :n], alone.hidden_states[0], f"row {b} hidden vs alone")
        assert_close(out.logits[predict_at[:, 0] == b], alone.logits, f"row {b} logits vs alone")


def test_bertmodel_only_checkpoint(tmp_path):
    """A BertModel checkpoint: keys without the 'bert.' prefix, a pooler, no MLM head."""
    cfg = hf_config(3, 40, 5, "gelu", 2, True)
    torch.manual_seed(3)
    hf = transformers.BertModel(cfg, add_pooling_layer=True).eval()
    perturb(hf, 4)
    save_config(hf, tmp_path)
    state = hf.state_dict()
    assert not any(k.startswith("bert.") for k in state)
    torch.save(state, tmp_path / "pytorch_model.bin")
    _, ours, report = load_bert(tmp_path)
    assert not report.has_mlm_head and report.has_pooler and not ours.has_mlm_head
    out = compare_single(ours, hf, 2, cfg.vocab_size, seed=7, with_logits=False)
    ids, types, _ = sample_inputs(cfg.vocab_size, 2, 13, 7)
    with torch.no_grad():
        ref = hf(ids[None], token_type_ids=types[None])
    with torch.inference_mode():
        pooled = ours(ids, types, output_pooled=True).pooled
    assert_close(pooled, ref.pooler_output, "pooled")
    assert_close(out.last_hidden_state, ref.last_hidden_state, "last hidden state")


def test_legacy_tf_layernorm_names(tmp_path):
    hf = build_hf_mlm(CONFIGS[2], seed=8)
    state = {}
    for key, tensor in hf.state_dict().items():
        if "LayerNorm" in key:
            key = key.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        state[key] = tensor.clone()
    assert any(k.endswith("LayerNorm.gamma") for k in state) and not any(k.endswith("LayerNorm.weight") for k in state)
    save_config(hf, tmp_path)
    torch.save(state, tmp_path / "pytorch_model.bin")
    cfg, ours, _ = load_bert(tmp_path)
    compare_single(ours, hf, 2, cfg.vocab_size, seed=9)


@pytest.fixture(scope="module")
def default_pair():
    folder = base_model_dir()
    _, ours, report = load_bert(folder)
    ref = transformers.BertModel.from_pretrained(folder, attn_implementation="eager").eval()
    return folder, ours, ref, report


def test_default_model_real_weights(default_pair):
    from bertviz_app.engine.tokenizer import BertTokenizer

    folder, ours, ref, report = default_pair
    assert not report.has_mlm_head
    enc = BertTokenizer.from_folder(folder).encode("The bank by the river was closed.", "She went home.")
    ids = torch.tensor([enc.input_ids])
    types = torch.tensor([enc.token_type_ids])
    with torch.no_grad():
        r = ref(ids, token_type_ids=types, output_attentions=True, output_hidden_states=True)
    out = ours_forward(ours, ids, types)
    assert out.attentions.shape == (1, 6, 12, len(enc), len(enc))
    assert out.hidden_states.shape == (1, 7, len(enc), 384)
    assert_close(out.attentions, torch.stack(r.attentions, 1), "default model attentions")
    assert_close(out.hidden_states, torch.stack(r.hidden_states, 1), "default model hidden states")


def test_shipped_default_model_matches_transformers(tmp_path):
    """The bundled default (a delta over the MiniLM base) equals transformers' BertForMaskedLM on the same weights."""
    from bertviz_app.engine import load_folder
    from bertviz_app.engine.checkpoint import save_bert

    lm = load_folder(default_model_dir())
    assert lm.has_mlm_head
    save_bert(lm.model, tmp_path)  # the merged weights in plain Hugging Face layout
    ref = transformers.BertForMaskedLM.from_pretrained(tmp_path, attn_implementation="eager").eval()
    enc = lm.tokenizer.encode("The cat sat on the [MASK] and looked at the [MASK].")
    masks = [i for i, t in enumerate(enc.tokens) if t == "[MASK]"]
    ids = torch.tensor([enc.input_ids])
    with torch.no_grad():
        r = ref(ids, output_attentions=True, output_hidden_states=True)
    out = ours_forward(lm.model, ids, torch.zeros_like(ids), predict_at=torch.tensor(masks))
    assert_close(out.logits, r.logits[0, masks], "shipped default logits at the masks")
    assert_close(out.attentions, torch.stack(r.attentions, 1), "shipped default attentions")
    assert_close(out.hidden_states, torch.stack(r.hidden_states, 1), "shipped default hidden states")


# ---- invariants ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def invariant_pair(tmp_path_factory):
    hf = build_hf_mlm(CONFIGS[2], seed=21)  # 4 layers, 2 heads
    folder = tmp_path_factory.mktemp("inv")
    hf.save_pretrained(folder)
    cfg, ours, _ = load_bert(folder)
    return cfg, ours, hf


def test_shapes_and_rows_sum_to_one(invariant_pair):
    cfg, ours, _ = invariant_pair
    ids, types, masked = sample_inputs(cfg.vocab_size, 2, 17, 30)
    out = ours_forward(ours, ids, types, predict_at=masked, output_qkv=True)
    L, H, D, hd = cfg.num_hidden_layers, cfg.num_attention_heads, cfg.hidden_size, cfg.head_dim
    assert out.attentions.shape == (1, L, H, 17, 17)
    assert out.hidden_states.shape == (1, L + 1, 17, D)
    assert out.last_hidden_state.shape == (1, 17, D)
    assert out.logits.shape == (3, cfg.vocab_size)
    for t in (out.queries, out.keys, out.values):
        assert t.shape == (1, L, H, 17, hd)
    sums = out.attentions.sum(-1)
    assert (sums - 1).abs().max().item() < 1e-5
    assert torch.equal(out.hidden_states[:, -1], out.last_hidden_state)
    # Only what is asked for is returned.
    with torch.inference_mode():
        bare = ours(ids, types)
    assert bare.attentions is None and bare.hidden_states is None and bare.logits is None
    assert_close(bare.last_hidden_state, out.last_hidden_state, "sdpa path vs eager path")


def test_head_mask_of_ones_is_no_mask(invariant_pair):
    cfg, ours, _ = invariant_pair
    ids, types, masked = sample_inputs(cfg.vocab_size, 2, 12, 31)
    plain = ours_forward(ours, ids, types, predict_at=masked)
    ones = ours_forward(
        ours, ids, types, predict_at=masked, head_mask=torch.ones(cfg.num_hidden_layers, cfg.num_attention_heads)
    )
    assert_close(ones.attentions, plain.attentions, "attentions")
    assert_close(ones.hidden_states, plain.hidden_states, "hidden states")
    assert_close(ones.logits, plain.logits, "logits")


@pytest.mark.parametrize(("layer", "head"), [(0, 0), (2, 1), (3, 0)])
def test_knocked_out_head_equals_zeroed_context(invariant_pair, layer, head):
    """head_mask 0 at (layer, head) == transformers with that head's context zeroed before the output dense."""
    cfg, ours, hf = invariant_pair
    hd = cfg.head_dim

    def zero_head(_module, args):
        context = args[0].clone()
        context[..., head * hd : (head + 1) * hd] = 0
        return (context, *args[1:])

    hook = hf.bert.encoder.layer[layer].attention.output.register_forward_pre_hook(zero_head)
    try:
        ids, types, masked = sample_inputs(cfg.vocab_size, 2, 14, 32)
        ref = hf_forward(hf, ids[None], types[None])
    finally:
        hook.remove()
    mask = torch.ones(cfg.num_hidden_layers, cfg.num_attention_heads)
    mask[layer, head] = 0
    out = ours_forward(ours, ids, types, predict_at=masked, head_mask=mask)
    assert_close(out.hidden_states[0], torch.stack(ref.hidden_states, 1)[0], "hidden states, head knocked out")
    assert_close(out.logits, ref.logits[0, masked], "logits, head knocked out")
    # The knocked-out head's probabilities are still reported (the attention pattern itself is unchanged there).
    assert_close(out.attentions[0], torch.stack(ref.attentions, 1)[0], "attentions, head knocked out")
    plain = ours_forward(ours, ids, types, predict_at=masked)
    assert (out.hidden_states[0, layer + 1] - plain.hidden_states[0, layer + 1]).abs().max().item() > 1e-3


def test_config_roundtrip_is_what_transformers_reads(tmp_path):
    """config.json written by transformers is read with the same hyper-parameters."""
    hf = build_hf_mlm(CONFIGS[1], seed=40)
    hf.save_pretrained(tmp_path)
    raw = json.loads((tmp_path / "config.json").read_text())
    cfg, _, _ = load_bert(tmp_path)
    for field in (
        "vocab_size",
        "hidden_size",
        "num_hidden_layers",
        "num_attention_heads",
        "intermediate_size",
        "hidden_act",
        "type_vocab_size",
        "max_position_embeddings",
    ):
        assert getattr(cfg, field) == raw[field], field
    assert cfg.tie_word_embeddings is False


@pytest.mark.parametrize("n_masks", [1, 2, 8, 9, 20])
def test_logits_for_any_number_of_masks(invariant_pair, n_masks):
    """The decoder takes a different route for a few rows than for many; both match transformers."""
    cfg, ours, hf = invariant_pair
    ids, types, _ = sample_inputs(cfg.vocab_size, 2, 24, 33)
    masked = torch.arange(1, 1 + n_masks)
    ids[masked] = MASK_ID
    ref = hf_forward(hf, ids[None], types[None])
    out = ours_forward(ours, ids, types, predict_at=masked)
    assert out.logits.shape == (n_masks, cfg.vocab_size) and out.logits.is_contiguous()
    assert_close(out.logits, ref.logits[0, masked], f"logits at {n_masks} masks")
    with torch.inference_mode():
        per_layer = ours.mlm_logits(out.hidden_states[0, :, masked[0]])  # (L+1, V): one row per layer
    assert per_layer.shape == (cfg.num_hidden_layers + 1, cfg.vocab_size)
    assert_close(per_layer[-1], out.logits[0], "mlm_logits of the last layer")


def test_grad_enabled_path_matches_inference_path(invariant_pair):
    """With autograd on (training), attentions are stacked per layer instead of written in place: same numbers."""
    cfg, ours, _ = invariant_pair
    ids, types, masked = sample_inputs(cfg.vocab_size, 2, 15, 34)
    att = torch.ones(1, 15, dtype=torch.long)
    att[0, -3:] = 0
    fast = ours_forward(ours, ids[None], types[None], att, predict_at=masked[:2])
    with torch.enable_grad():
        slow = ours(
            ids[None], types[None], att, predict_at=masked[:2], output_attentions=True, output_hidden_states=True
        )
        slow.logits.sum().backward()  # the training path stays differentiable
    grads = [p.grad for p in ours.parameters() if p.grad is not None]
    ours.zero_grad(set_to_none=True)
    assert grads
    assert_close(fast.attentions, slow.attentions.detach(), "attentions")
    assert_close(fast.hidden_states, slow.hidden_states.detach(), "hidden states")
    assert_close(fast.logits, slow.logits.detach(), "logits")


def test_weight_changes_are_seen_by_the_next_forward(tmp_path):
    """Inference packs linear weights once; every way of changing a weight must show in the next forward."""
    hf = build_hf_mlm(CONFIGS[0], seed=50)
    hf.save_pretrained(tmp_path)
    cfg, ours, _ = load_bert(tmp_path)
    ids, types, masked = sample_inputs(cfg.vocab_size, 2, 11, 51)

    def check(what):
        ref = hf_forward(hf, ids[None], types[None])
        out = ours_forward(ours, ids[None], types[None], predict_at=masked)
        assert_close(out.hidden_states[0], torch.stack(ref.hidden_states, 1)[0], f"hidden states after {what}")
        assert_close(out.logits, ref.logits[0, masked], f"logits after {what}")

    check("loading")
    with torch.no_grad():  # in place, as an optimiser step does
        ours.encoder.layer[0].attention.self.query.weight.mul_(0.5)
        hf.bert.encoder.layer[0].attention.self.query.weight.mul_(0.5)
    check("an in-place change")
    new = torch.randn(cfg.intermediate_size, cfg.hidden_size) * 0.2
    ours.encoder.layer[1].intermediate.dense.weight = torch.nn.Parameter(new.clone())
    hf.bert.encoder.layer[1].intermediate.dense.weight = torch.nn.Parameter(new.clone())
    check("replacing a parameter")
    new = torch.randn(cfg.hidden_size, cfg.intermediate_size) * 0.2
    ours.encoder.layer[0].output.dense.weight.data = new.clone()
    hf.bert.encoder.layer[0].output.dense.weight.data = new.clone()
    check("assigning .data")
    state = {k: v * 1.1 for k, v in ours.state_dict().items() if "encoder.layer.1.attention" in k}
    ours.load_state_dict(state, strict=False)
    hf.bert.load_state_dict(state, strict=False)
    check("load_state_dict")


def test_parity_without_packed_weights(tmp_path, monkeypatch):
    """Where oneDNN weight packing is unavailable, the plain F.linear path gives the same numbers."""
    import bertviz_app.engine.fastpath as engine_model

    monkeypatch.setattr(engine_model, "_packing", False)
    hf = build_hf_mlm(CONFIGS[2], seed=60)
    hf.save_pretrained(tmp_path)
    cfg, ours, _ = load_bert(tmp_path)
    compare_single(ours, hf, 2, cfg.vocab_size, seed=61)
    compare_single(ours, hf, 2, cfg.vocab_size, seed=62, length=30)


def test_packed_weights_are_released_with_the_model(tmp_path):
    import gc

    import bertviz_app.engine.fastpath as engine_model

    hf = build_hf_mlm(CONFIGS[0], seed=70)
    hf.save_pretrained(tmp_path)
    cfg, ours, _ = load_bert(tmp_path)
    ids, types, masked = sample_inputs(cfg.vocab_size, 2, 9, 71)
    ours_forward(ours, ids, types, predict_at=masked)
    mine = {id(p) for p in ours.parameters()}
    if engine_model._packing:
        assert mine & set(engine_model._PACKED)
    del ours
    gc.collect()
    assert not mine & set(engine_model._PACKED)


def test_per_row_head_masks_equal_separate_forwards(invariant_pair):
    """A (B, L, H) head mask gives each batch row its own knock-outs: one batch == B separate forwards."""
    cfg, ours, _ = invariant_pair
    ids, types, masked = sample_inputs(cfg.vocab_size, 2, 12, 33)
    L, H = cfg.num_hidden_layers, cfg.num_attention_heads
    masks = torch.ones(3, L, H)
    masks[1, 0, 1] = 0
    masks[2, L - 1, 0] = masks[2, 1, H - 1] = 0
    batch = torch.stack([ids] * 3)
    with torch.inference_mode():
        rows = torch.tensor([[b, int(p)] for b in range(3) for p in masked])
        together = ours(batch, torch.stack([types] * 3), predict_at=rows, head_mask=masks, output_hidden_states=True)
    for b in range(3):
        alone = ours_forward(ours, ids, types, predict_at=masked, head_mask=masks[b])
        assert_close(together.hidden_states[b], alone.hidden_states[0], f"hidden states, row {b}")
        assert_close(together.logits[b * len(masked) : (b + 1) * len(masked)], alone.logits, f"logits, row {b}")
