"""Tiny random sequence- and token-classification checkpoints of every family, built with transformers (a
test-only dependency) in Hugging Face layout, with the toy WordPiece vocabulary so the app can open them."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from conftest import toy_vocab

VOCAB = len(toy_vocab())
SENTIMENT = {0: "negative", 1: "neutral", 2: "positive"}
NER = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"}

_SMALL = dict(hidden_size=32, intermediate_size=48, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
_MODERN = dict(
    num_hidden_layers=3,
    hidden_size=32,
    intermediate_size=40,
    local_attention=6,
    global_attn_every_n_layers=3,
    pad_token_id=0,
    cls_token_id=2,
    sep_token_id=3,
    bos_token_id=2,
    eos_token_id=3,
    mask_token_id=4,
)
# family -> (transformers class prefix, config class, config arguments)
FAMILIES = {
    "bert": ("Bert", "BertConfig", dict(num_hidden_layers=2, **_SMALL)),
    "roberta": ("Roberta", "RobertaConfig", dict(num_hidden_layers=2, pad_token_id=1, **_SMALL)),
    "distilbert": ("DistilBert", "DistilBertConfig", dict(dim=32, n_layers=2, n_heads=4, hidden_dim=48, dropout=0.0)),
    "albert": ("Albert", "AlbertConfig", dict(num_hidden_layers=3, embedding_size=16, **_SMALL)),
    "electra": ("Electra", "ElectraConfig", dict(num_hidden_layers=2, embedding_size=16, **_SMALL)),
    "modernbert": ("ModernBert", "ModernBertConfig", _MODERN),
    "modernbert-mean": ("ModernBert", "ModernBertConfig", dict(_MODERN, classifier_pooling="mean")),
}
TASKS = {"sequence": ("ForSequenceClassification", SENTIMENT), "token": ("ForTokenClassification", NER)}


def build_classifier(family: str, task: str, seed: int = 0, **config):
    """A transformers classifier with random weights perturbed away from their initial values, in eval mode."""
    import transformers

    prefix, config_class, kwargs = FAMILIES[family]
    suffix, id2label = TASKS[task]
    cfg = getattr(transformers, config_class)(
        vocab_size=VOCAB,
        num_attention_heads=4,
        max_position_embeddings=64,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
        **{**kwargs, **config},
    )
    cfg._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = getattr(transformers, prefix + suffix)(cfg).eval()
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.15)
    return model


def save_classifier(model, folder: Path) -> Path:
    """save_pretrained, plus the toy WordPiece vocabulary (its ids are the model's)."""
    model.save_pretrained(folder)
    (folder / "vocab.txt").write_text("\n".join(toy_vocab()) + "\n", encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True}), encoding="utf-8")
    return folder


def classifier_folder(tmp_path: Path, family: str = "bert", task: str = "sequence", seed: int = 0, **config):
    model = build_classifier(family, task, seed, **config)
    return model, save_classifier(model, tmp_path / f"{family}-{task}")
