"""The model families the engine runs, each as a small declarative difference from BERT.

One encoder (`engine/model.py`) runs them all. What differs between families is written down here and
nowhere else: where the LayerNorms sit, how positions enter, the feed-forward's gating, which layers share
weights, the head's activation, how config.json spells the hyper-parameters, and how checkpoint keys map
onto our module names (which are BERT's: ``encoder.layer.0.attention.self.query`` ...). No torch here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A classification head, as the steps it applies in order (eval mode: dropout is the identity): ("linear", key)
# and ("norm", key) name the checkpoint key prefix of a Linear or a LayerNorm; ("act", name) an activation,
# "head_act" meaning the config's (ModernBERT's classifier_activation). The last step is the Linear to the labels.
HeadStep = tuple[str, str]
CLASSIFIER: tuple[HeadStep, ...] = (("linear", "classifier."),)
SEQUENCE, TOKEN = "sequence", "token"  # *ForSequenceClassification (one label per input) / *ForTokenClassification
TASK_ARCHITECTURES = (("ForSequenceClassification", SEQUENCE), ("ForTokenClassification", TOKEN))


@dataclass(frozen=True)
class Family:
    name: str  # what the user reads: "RoBERTa"
    model_types: tuple[str, ...]  # config.json "model_type" values that mean this family
    norm: str = "post"  # "post": LayerNorm after each residual add (BERT); "pre": before each block, + a final norm
    positions: str = "absolute"  # "absolute" table | "offset" (RoBERTa: numbered from padding_idx + 1) | "rotary"
    token_types: bool = True  # has a token-type (segment) embedding
    feed_forward: str = "mlp"  # "mlp": W2 act(W1 x) | "glu": W2 (act(W1a x) * W1b x) (GeGLU in ModernBERT)
    embedding_projection: str = "never"  # "always" (ALBERT) | "if_sizes_differ" (ELECTRA) | "never"
    shared_layers: bool = False  # layers drawn from a few shared layer groups (ALBERT)
    head_activation: str | None = None  # the MLM head's activation when fixed by the family (else the config's)
    # config.json name -> ours, for families that spell them differently (DistilBERT's "dim", ...)
    config_names: tuple[tuple[str, str], ...] = ()
    config_defaults: tuple[tuple[str, object], ...] = ()
    prefix: str = ""  # the wrapper around the encoder in *ForMaskedLM checkpoints ("bert."), stripped first
    # then (regular expression on a checkpoint key, replacement): the first that matches renames the key
    key_map: tuple[tuple[str, str], ...] = ()
    fused_qkv: bool = False  # the checkpoint stores query, key and value as one (3D, D) matrix ("qkv")
    # The sequence classifier reads "pooler" (the pooler's tanh(W h_[CLS]): BERT, ALBERT), "first" (the first
    # token's state) or "config" (ModernBERT's classifier_pooling: "cls" or "mean"), then runs its steps.
    sequence_pooling: str = "pooler"
    sequence_head: tuple[HeadStep, ...] = CLASSIFIER
    token_head: tuple[HeadStep, ...] = CLASSIFIER  # the token classifier: on every token's state


_LAYER = r"encoder.layer.\1."

BERT = Family(
    "BERT",
    ("bert",),
    prefix="bert.",
)
ROBERTA = Family(
    "RoBERTa",
    ("roberta", "xlm-roberta"),
    positions="offset",
    head_activation="gelu",
    prefix="roberta.",
    sequence_pooling="first",
    sequence_head=(("linear", "classifier.dense."), ("act", "tanh"), ("linear", "classifier.out_proj.")),
    key_map=(
        (r"^lm_head\.dense\.", "cls.predictions.transform.dense."),
        (r"^lm_head\.layer_norm\.", "cls.predictions.transform.LayerNorm."),
        (r"^lm_head\.decoder\.", "cls.predictions.decoder."),
        (r"^lm_head\.bias$", "cls.predictions.bias"),
    ),
)
DISTILBERT = Family(
    "DistilBERT",
    ("distilbert",),
    token_types=False,
    config_names=(
        ("dim", "hidden_size"),
        ("n_layers", "num_hidden_layers"),
        ("n_heads", "num_attention_heads"),
        ("hidden_dim", "intermediate_size"),
        ("activation", "hidden_act"),
    ),
    config_defaults=(("layer_norm_eps", 1e-12), ("type_vocab_size", 1)),
    prefix="distilbert.",
    sequence_pooling="first",
    sequence_head=(("linear", "pre_classifier."), ("act", "relu"), ("linear", "classifier.")),
    key_map=(
        (r"^transformer\.layer\.(\d+)\.attention\.q_lin\.", _LAYER + "attention.self.query."),
        (r"^transformer\.layer\.(\d+)\.attention\.k_lin\.", _LAYER + "attention.self.key."),
        (r"^transformer\.layer\.(\d+)\.attention\.v_lin\.", _LAYER + "attention.self.value."),
        (r"^transformer\.layer\.(\d+)\.attention\.out_lin\.", _LAYER + "attention.output.dense."),
        (r"^transformer\.layer\.(\d+)\.sa_layer_norm\.", _LAYER + "attention.output.LayerNorm."),
        (r"^transformer\.layer\.(\d+)\.ffn\.lin1\.", _LAYER + "intermediate.dense."),
        (r"^transformer\.layer\.(\d+)\.ffn\.lin2\.", _LAYER + "output.dense."),
        (r"^transformer\.layer\.(\d+)\.output_layer_norm\.", _LAYER + "output.LayerNorm."),
        (r"^vocab_transform\.", "cls.predictions.transform.dense."),
        (r"^vocab_layer_norm\.", "cls.predictions.transform.LayerNorm."),
        (r"^vocab_projector\.weight$", "cls.predictions.decoder.weight"),
        (r"^vocab_projector\.bias$", "cls.predictions.bias"),
    ),
)
_GROUP = r"encoder.groups.\1.\2."
_ALBERT_LAYER = r"^encoder\.albert_layer_groups\.(\d+)\.albert_layers\.(\d+)\."
ALBERT = Family(
    "ALBERT",
    ("albert",),
    embedding_projection="always",
    shared_layers=True,
    prefix="albert.",
    key_map=(
        (r"^encoder\.embedding_hidden_mapping_in\.", "embeddings.projection."),
        (_ALBERT_LAYER + r"attention\.(query|key|value)\.", _GROUP + r"attention.self.\3."),
        (_ALBERT_LAYER + r"attention\.dense\.", _GROUP + "attention.output.dense."),
        (_ALBERT_LAYER + r"attention\.LayerNorm\.", _GROUP + "attention.output.LayerNorm."),
        (_ALBERT_LAYER + r"ffn\.", _GROUP + "intermediate.dense."),
        (_ALBERT_LAYER + r"ffn_output\.", _GROUP + "output.dense."),
        (_ALBERT_LAYER + r"full_layer_layer_norm\.", _GROUP + "output.LayerNorm."),
        (r"^pooler\.(weight|bias)$", r"pooler.dense.\1"),
        (r"^predictions\.(dense|LayerNorm)\.", r"cls.predictions.transform.\1."),
        (r"^predictions\.decoder\.", "cls.predictions.decoder."),
        (r"^predictions\.bias$", "cls.predictions.bias"),
    ),
)
ELECTRA = Family(
    "ELECTRA",
    ("electra",),
    embedding_projection="if_sizes_differ",
    head_activation="gelu",  # the generator's head; the discriminator's uses hidden_act
    prefix="electra.",
    # gelu, not BERT's tanh, as transformers' ElectraClassificationHead has it
    sequence_pooling="first",
    sequence_head=(("linear", "classifier.dense."), ("act", "gelu"), ("linear", "classifier.out_proj.")),
    key_map=(
        (r"^embeddings_project\.", "embeddings.projection."),
        (r"^generator_predictions\.(dense|LayerNorm)\.", r"cls.predictions.transform.\1."),
        (r"^generator_lm_head\.weight$", "cls.predictions.decoder.weight"),
        (r"^generator_lm_head\.bias$", "cls.predictions.bias"),
        (r"^discriminator_predictions\.", "discriminator."),
    ),
)
_MODERN_LAYER = r"^layers\.(\d+)\."
# The MLM head's transform (dense, activation, norm) under the name "head", then the Linear to the labels
_MODERN_HEAD = (("linear", "head.dense."), ("act", "head_act"), ("norm", "head.norm."), ("linear", "classifier."))
MODERNBERT = Family(
    "ModernBERT",
    ("modernbert",),
    norm="pre",
    positions="rotary",
    token_types=False,
    feed_forward="glu",
    fused_qkv=True,
    prefix="model.",
    sequence_pooling="config",
    sequence_head=_MODERN_HEAD,
    token_head=_MODERN_HEAD,
    config_names=(
        ("hidden_activation", "hidden_act"),
        ("norm_eps", "layer_norm_eps"),
        ("classifier_activation", "head_act"),
        ("classifier_bias", "head_bias"),
    ),
    config_defaults=(
        ("layer_norm_eps", 1e-5),
        ("type_vocab_size", 1),
        ("attention_bias", False),
        ("mlp_bias", False),
        ("norm_bias", False),
        ("head_bias", False),
        ("local_attention", 128),
        ("global_attn_every_n_layers", 3),
        ("global_rope_theta", 160000.0),
        ("local_rope_theta", 10000.0),
        ("max_position_embeddings", 8192),
    ),
    key_map=(
        (r"^embeddings\.tok_embeddings\.", "embeddings.word_embeddings."),
        (r"^embeddings\.norm\.", "embeddings.LayerNorm."),
        (_MODERN_LAYER + r"attn_norm\.", _LAYER + "attention_norm."),
        (_MODERN_LAYER + r"attn\.Wqkv\.", _LAYER + "attention.self.qkv."),
        (_MODERN_LAYER + r"attn\.Wo\.", _LAYER + "attention.output.dense."),
        (_MODERN_LAYER + r"mlp_norm\.", _LAYER + "ffn_norm."),
        (_MODERN_LAYER + r"mlp\.Wi\.", _LAYER + "intermediate.dense."),
        (_MODERN_LAYER + r"mlp\.Wo\.", _LAYER + "output.dense."),
        (r"^final_norm\.", "final_norm."),
        (r"^head\.dense\.", "cls.predictions.transform.dense."),
        (r"^head\.norm\.", "cls.predictions.transform.LayerNorm."),
        (r"^decoder\.weight$", "cls.predictions.decoder.weight"),
        (r"^decoder\.bias$", "cls.predictions.bias"),
    ),
)

FAMILIES = (BERT, ROBERTA, DISTILBERT, ALBERT, ELECTRA, MODERNBERT)
_BY_TYPE = {t: f for f in FAMILIES for t in f.model_types}
SUPPORTED_MODEL_TYPES = tuple(_BY_TYPE)
_COMPILED = {f.name: tuple((re.compile(p), r) for p, r in f.key_map) for f in FAMILIES}


def family_of(model_type: str) -> Family | None:
    return _BY_TYPE.get(model_type)


def supported_names() -> str:
    """'BERT, RoBERTa / XLM-RoBERTa, ...' for messages."""
    names = {"roberta": "RoBERTa", "xlm-roberta": "XLM-RoBERTa"}
    return ", ".join(names.get(t, _BY_TYPE[t].name) for t in SUPPORTED_MODEL_TYPES)


def task_of(architectures) -> str:
    """SEQUENCE or TOKEN for a config.json's architectures naming such a classifier, else ""."""
    for name in architectures or ():
        for suffix, task in TASK_ARCHITECTURES:
            if isinstance(name, str) and name.endswith(suffix):
                return task
    return ""


def task_steps(family: Family, task: str) -> tuple[HeadStep, ...]:
    return {SEQUENCE: family.sequence_head, TOKEN: family.token_head}.get(task, ())


def rename_task_key(steps: tuple[HeadStep, ...], key: str) -> str | None:
    """A checkpoint key of the classification head under our name ("task_head.steps.2.weight"), else None."""
    for i, (kind, prefix) in enumerate(steps):
        if kind != "act" and key.startswith(prefix):
            return f"task_head.steps.{i}.{key[len(prefix) :]}"
    return None


def task_key_source(steps: tuple[HeadStep, ...], key: str) -> str:
    """Our name of a head weight -> the checkpoint's, for messages: task_head.steps.2.weight -> classifier.weight."""
    match = re.match(r"task_head\.steps\.(\d+)\.(.*)", key)
    return steps[int(match[1])][1] + match[2] if match else key


def rename_key(family: Family, key: str) -> str:
    """A checkpoint key under our module names (unchanged when no rule of the family matches)."""
    if family.prefix and key.startswith(family.prefix):
        key = key[len(family.prefix) :]
    for pattern, replacement in _COMPILED[family.name]:
        key, n = pattern.subn(replacement, key, count=1)
        if n:
            break
    if "LayerNorm" in key:  # TF-converted checkpoints name LayerNorm parameters gamma / beta
        key = re.sub(r"\.gamma$", ".weight", re.sub(r"\.beta$", ".bias", key))
    return key
