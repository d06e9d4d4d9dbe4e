"""The model's hyper-parameters, read from a Hugging Face ``config.json``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bertviz_app.engine import validation
from bertviz_app.engine.errors import ConfigError
from bertviz_app.engine.families import SUPPORTED_MODEL_TYPES, Family, family_of, supported_names, task_of

__all__ = ["SUPPORTED_MODEL_TYPES", "BertConfig", "ModelConfig"]  # the model types: discovery and the hub read them

SUPPORTED_ACTIVATIONS = ("gelu", "relu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "silu", "swish")


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters of any family, under BERT's names (``families.py`` translates the others')."""

    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12  # attention layers run (ALBERT: layers x inner_group_num)
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    tie_word_embeddings: bool = True
    model_type: str = "bert"
    embedding_size: int | None = None  # ALBERT / ELECTRA: word embeddings narrower than the encoder
    num_hidden_groups: int = 1  # ALBERT: how many distinct sets of layer weights the layers share
    inner_group_num: int = 1  # ALBERT: layers per group
    head_act: str | None = None  # the MLM head's activation, where it is not hidden_act
    attention_bias: bool = True  # ModernBERT has no biases in attention, MLP, norms or head
    mlp_bias: bool = True
    norm_bias: bool = True
    head_bias: bool = True
    decoder_bias: bool = True
    local_attention: int = 0  # ModernBERT: the full width of the sliding window of local layers
    global_attn_every_n_layers: int = 1  # ModernBERT: layer i is global when i % n == 0, else local
    global_rope_theta: float = 10000.0
    local_rope_theta: float = 10000.0
    layer_types: tuple[str, ...] | None = None  # "full_attention" / "sliding_attention" per layer, when given
    # A classification head, when "architectures" names one: "sequence" (one label per input) or "token" (one per
    # token); its labels in id order, from id2label (the loader checks them against the head's weight)
    task: str = ""
    labels: tuple[str, ...] = ()
    classifier_pooling: str = "cls"  # ModernBERT's sequence classifier reads "cls" (the first token) or the "mean"

    def __post_init__(self) -> None:
        validation.check_config_values(self)  # counts positive, ranges (from_dict checked them first, with the path)
        if family_of(self.model_type) is None:
            raise ConfigError(f"model_type {self.model_type!r} is not supported; it opens {supported_names()}")
        if self.hidden_size % self.num_attention_heads:
            raise ConfigError(
                f"hidden_size {self.hidden_size} is not divisible by num_attention_heads {self.num_attention_heads}"
            )
        for name in ("hidden_act", "head_act"):
            act = getattr(self, name)
            if act is not None and act not in SUPPORTED_ACTIVATIONS:
                raise ConfigError(
                    f"{name} {act!r} is not supported; expected one of {', '.join(SUPPORTED_ACTIVATIONS)}"
                )
        if self.family.shared_layers and self.num_hidden_layers % self.inner_group_num:
            raise ConfigError(f"{self.num_hidden_layers} layers are not a whole number of layer groups")
        if self.layer_types is not None and len(self.layer_types) != self.num_hidden_layers:
            raise ConfigError(f"layer_types names {len(self.layer_types)} layers, not {self.num_hidden_layers}")

    @property
    def family(self) -> Family:
        return family_of(self.model_type)

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @property
    def embedding_dim(self) -> int:
        return self.embedding_size or self.hidden_size

    @property
    def max_tokens(self) -> int:
        """The longest input the position scheme allows (RoBERTa's positions start after padding_idx)."""
        if self.family.positions == "offset":
            return self.max_position_embeddings - self.pad_token_id - 1
        return self.max_position_embeddings

    @property
    def has_token_types(self) -> bool:
        """Whether segments (sentence A / B) reach the model; DistilBERT and ModernBERT have no such input."""
        return self.family.token_types

    @property
    def layer_weights(self) -> tuple[int, ...]:
        """For each layer, the index of the weights it runs: all different, except in ALBERT, whose layers
        share the weights of their layer group (e.g. (0, 0, 0, 0) for albert-base: one layer, applied 12 times)."""
        if not self.family.shared_layers:
            return tuple(range(self.num_hidden_layers))
        inner, layers = self.inner_group_num, self.num_hidden_layers // self.inner_group_num
        # transformers' rule: layer i runs group int(i / (layers / groups)), which need not divide evenly
        group = [int(i / (layers / self.num_hidden_groups)) for i in range(layers)]
        return tuple(group[i // inner] * inner + i % inner for i in range(self.num_hidden_layers))

    @property
    def attention_windows(self) -> tuple[int | None, ...]:
        """For each layer, how far a token sees: None for every token, w for tokens at most w positions away
        (ModernBERT's local layers: w = local_attention // 2)."""
        if self.family.positions != "rotary":
            return (None,) * self.num_hidden_layers
        types = self.layer_types or tuple(
            "sliding_attention" if i % self.global_attn_every_n_layers else "full_attention"
            for i in range(self.num_hidden_layers)
        )
        return tuple(self.local_attention // 2 if t == "sliding_attention" else None for t in types)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], source: str = "config.json") -> ModelConfig:
        model_type = raw.get("model_type")
        if model_type is None:
            # Very old checkpoints have no model_type; accept them when they declare a BERT architecture.
            if not any(str(a).startswith("Bert") for a in raw.get("architectures") or []):
                raise ConfigError(f"{source} has no model_type; BERT Explorer opens {supported_names()}")
            model_type = "bert"
        family = family_of(model_type) if isinstance(model_type, str) else None
        if family is None:
            raise ConfigError(
                f"{source} describes a {model_type!r} model, which BERT Explorer cannot open; "
                f"it opens {supported_names()}"
            )
        position_type = raw.get("position_embedding_type", "absolute")
        if position_type != "absolute":
            raise ConfigError(f"{source} uses position_embedding_type {position_type!r}; only 'absolute' is supported")
        raw = {**dict(family.config_defaults), **raw, "model_type": model_type}
        for theirs, ours in family.config_names:
            if theirs in raw:
                raw[ours] = raw.pop(theirs)
        _modernbert_rope(raw)
        if family.shared_layers and raw.get("inner_group_num", 1) != 1:
            raw["num_hidden_layers"] = raw.get("num_hidden_layers", 12) * raw["inner_group_num"]
        raw["task"] = task_of(raw.get("architectures") if isinstance(raw.get("architectures"), list) else ())
        raw["labels"] = _labels(raw, source) if raw["task"] else None
        fields = {f: raw[f] for f in cls.__dataclass_fields__ if raw.get(f) is not None}
        if isinstance(fields.get("layer_types"), list):
            fields["layer_types"] = tuple(fields["layer_types"])
        validation.check_config_types(cls, fields, source)
        validation.check_config_values(SimpleNamespace(**fields), source)
        try:
            return cls(**fields)
        except TypeError as exc:  # e.g. a string where a number belongs
            raise ConfigError(f"{source} has a value of the wrong type: {exc}") from None

    @classmethod
    def from_json_file(cls, path: str | Path) -> ModelConfig:
        path = Path(path)
        try:
            raw = validation.read_json_object(path, ConfigError)
        except FileNotFoundError:
            raise ConfigError(f"no config.json in {path.parent}; is this a Hugging Face model folder?") from None
        return cls.from_dict(raw, source=str(path))

    def to_hf_dict(self) -> dict[str, Any]:
        """What ``transformers`` expects in config.json for a ``BertForMaskedLM`` (BERT models only)."""
        if self.model_type != "bert":
            raise ConfigError(f"only BERT models can be saved, not {self.family.name}")
        bert_fields = {f: v for f, v in asdict(self).items() if f in _BERT_FIELDS}
        return {
            "architectures": ["BertForMaskedLM"],
            "model_type": "bert",
            "position_embedding_type": "absolute",
            **bert_fields,
        }


# The fields a BERT config.json has (the others belong to other families).
_BERT_FIELDS = tuple(ModelConfig.__dataclass_fields__)[:11]
# The name older code uses; BERT is one family of several.
BertConfig = ModelConfig


def _labels(raw: dict[str, Any], source: str) -> tuple[str, ...] | None:
    """id2label as labels in id order (None when config.json has none); a map with gaps, names that are not
    strings, or a label2id that gives a label another id is refused, naming the field."""
    id2label, label2id = raw.get("id2label"), raw.get("label2id")
    if id2label is None:
        return None
    try:
        by_id = {int(i): label for i, label in dict(id2label).items()}
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: id2label must map label numbers 0, 1, ... to names") from None
    if sorted(by_id) != list(range(len(by_id))) or not by_id or not all(isinstance(v, str) for v in by_id.values()):
        raise ConfigError(f"{source}: id2label must map every label number from 0 to a name, without gaps")
    labels = tuple(by_id[i] for i in range(len(by_id)))
    if isinstance(label2id, dict):
        for label, i in label2id.items():
            if label in labels and i != labels.index(label):
                raise ConfigError(
                    f"{source}: label2id gives {label!r} the number {i}, but id2label has it as {labels.index(label)}"
                )
    return labels


def _modernbert_rope(raw: dict[str, Any]) -> None:
    """transformers 5 writes ModernBERT's rotary bases as rope_parameters per layer type; older configs (those on
    the Hub) as global_rope_theta / local_rope_theta. Read either."""
    rope = raw.pop("rope_parameters", None)
    if isinstance(rope, dict):
        for layer_type, ours in (("full_attention", "global_rope_theta"), ("sliding_attention", "local_rope_theta")):
            theta = (rope.get(layer_type) or {}).get("rope_theta")
            if theta is not None:
                raw[ours] = theta
    if raw.get("model_type") == "modernbert" and isinstance(raw.get("sliding_window"), int):
        raw.setdefault("local_attention", raw["sliding_window"] * 2)
