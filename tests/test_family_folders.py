"""A model folder of each family as the Hub has it (config.json, weights, tokenizer.json of the family's kind),
opened with load_model and run as the app runs it: the predictions at a typed mask are transformers' own."""

from __future__ import annotations

import pytest
import torch

transformers = pytest.importorskip("transformers")

from toy_tokenizers import build, write_toy_tokenizer  # noqa: E402

from bertviz_app.analysis.inference import InferenceInput, run_inference  # noqa: E402
from bertviz_app.engine import load_model  # noqa: E402

transformers.utils.logging.set_verbosity_error()

_SMALL = dict(hidden_size=32, num_attention_heads=4, intermediate_size=48, max_position_embeddings=80)
# family -> (tokenizer kind, transformers model class, config class, config arguments, the pad token)
FOLDERS = {
    "roberta": (
        "roberta",
        "RobertaForMaskedLM",
        "RobertaConfig",
        dict(num_hidden_layers=2, type_vocab_size=1),
        "<pad>",
    ),
    "xlm-roberta": ("xlmr", "XLMRobertaForMaskedLM", "XLMRobertaConfig", dict(num_hidden_layers=2), "<pad>"),
    "albert": (
        "albert",
        "AlbertForMaskedLM",
        "AlbertConfig",
        dict(num_hidden_layers=3, embedding_size=16, num_hidden_groups=1),
        "<pad>",
    ),
    "distilbert": (
        "wordpiece",
        "DistilBertForMaskedLM",
        "DistilBertConfig",
        dict(dim=32, n_layers=2, n_heads=4, hidden_dim=48, max_position_embeddings=80),
        "[PAD]",
    ),
    "electra": (
        "wordpiece",
        "ElectraForMaskedLM",
        "ElectraConfig",
        dict(num_hidden_layers=2, embedding_size=16),
        "[PAD]",
    ),
    "modernbert": (
        "modernbert",
        "ModernBertForMaskedLM",
        "ModernBertConfig",
        dict(num_hidden_layers=3, local_attention=4, global_attn_every_n_layers=3),
        "[PAD]",
    ),
}
TEXT = "The cat sat on the [MASK] and looked at the bird."
PAIR = "She ran to the bank of the river."


def make_folder(folder, name, model_class=None, scale=0.1):
    """A Hub-style folder of family `name` (its FOLDERS entry; `model_class` instead of its MLM class, e.g.
    ELECTRA's discriminator), random weights moved by `scale`; returns the transformers model."""
    kind, mlm_class, config_class, kwargs, pad = FOLDERS[name]
    model_class = model_class or mlm_class
    vocab = write_toy_tokenizer(folder, kind)
    tok = build(kind)
    config = getattr(transformers, config_class)(
        vocab_size=vocab, pad_token_id=tok.token_to_id(pad), **{**_SMALL, **kwargs}
    )
    if name == "modernbert":  # its special ids are config values too
        for role, token in (("cls", "[CLS]"), ("sep", "[SEP]"), ("bos", "[CLS]"), ("eos", "[SEP]")):
            setattr(config, f"{role}_token_id", tok.token_to_id(token))
    config._attn_implementation = "eager"
    torch.manual_seed(0)
    model = getattr(transformers, model_class)(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * scale)
    model.save_pretrained(folder)
    return model


@pytest.mark.parametrize("name", list(FOLDERS))
def test_hub_style_folder_predicts_like_transformers(tmp_path, name):
    hf = make_folder(tmp_path / name, name)
    lm = load_model(str(tmp_path / name))
    assert lm.config.family.name.lower() in name.replace("xlm-", "")
    result = run_inference(lm, InferenceInput(TEXT, PAIR, top_k=5))
    assert len(result.predictions) == 1
    ids = torch.tensor([result.encoding.input_ids])
    kwargs = {"token_type_ids": torch.tensor([result.encoding.token_type_ids])} if lm.config.has_token_types else {}
    with torch.no_grad():
        ref = hf(ids, output_attentions=True, **kwargs)
    position = result.masked_positions[0]
    expected = ref.logits[0, position].softmax(-1).topk(5)
    got = result.predictions[0].predictions
    assert [p.token_id for p in got] == expected.indices.tolist()
    assert max(abs(p.probability - e) for p, e in zip(got, expected.values.tolist())) < 1e-5
    attention = torch.stack(ref.attentions, 1)[0]  # (L, H, T, T)
    assert float((torch.from_numpy(result.attention) - attention).abs().max()) < 1e-4


def test_train_mlm_refuses_other_families_before_training(tmp_path):
    """Training writes BERT checkpoints only: a RoBERTa folder is refused at once, with the family named."""
    from bertviz_app.engine import ConfigError
    from bertviz_app.training.config import TrainConfig
    from bertviz_app.training.mlm import train

    make_folder(tmp_path / "roberta", "roberta")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "train.txt").write_text(TEXT + "\n", encoding="utf-8")
    cfg = TrainConfig(model=str(tmp_path / "roberta"), corpus=str(corpus), out=str(tmp_path / "out"), steps=1)
    with pytest.raises(ConfigError, match="RoBERTa"):
        train(cfg, echo=None)
    assert not (tmp_path / "out" / "model.safetensors").exists()
