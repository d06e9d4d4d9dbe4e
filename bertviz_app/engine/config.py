"""The model's hyper-parameters, read from a Hugging Face ``config.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bertviz_app.engine.errors import ConfigError

SUPPORTED_MODEL_TYPES = ("bert",)
SUPPORTED_ACTIVATIONS = ("gelu", "relu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "silu", "swish")


@dataclass(frozen=True)
class BertConfig:
    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    tie_word_embeddings: bool = True

    def __post_init__(self) -> None:
        if self.hidden_size % self.num_attention_heads:
            raise ConfigError(
                f"hidden_size {self.hidden_size} is not divisible by num_attention_heads {self.num_attention_heads}"
            )
        if self.hidden_act not in SUPPORTED_ACTIVATIONS:
            raise ConfigError(
                f"hidden_act {self.hidden_act!r} is not supported; expected one of {', '.join(SUPPORTED_ACTIVATIONS)}"
            )
        for name in (
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
            "max_position_embeddings",
            "type_vocab_size",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be a positive number, not {getattr(self, name)}")

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_dict(cls, raw: dict[str, Any], source: str = "config.json") -> BertConfig:
        model_type = raw.get("model_type")
        if model_type is None:
            # Very old checkpoints have no model_type; accept them when they declare a BERT architecture.
            if not any(str(a).startswith("Bert") for a in raw.get("architectures") or []):
                raise ConfigError(f"{source} has no model_type; BERT Explorer opens BERT models only")
        elif model_type not in SUPPORTED_MODEL_TYPES:
            raise ConfigError(
                f"{source} describes a {model_type!r} model; BERT Explorer opens BERT models "
                f"(model_type {', '.join(repr(t) for t in SUPPORTED_MODEL_TYPES)})"
            )
        position_type = raw.get("position_embedding_type", "absolute")
        if position_type != "absolute":
            raise ConfigError(f"{source} uses position_embedding_type {position_type!r}; only 'absolute' is supported")
        fields = {f: raw[f] for f in cls.__dataclass_fields__ if raw.get(f) is not None}
        try:
            return cls(**fields)
        except TypeError as exc:  # e.g. a string where a number belongs
            raise ConfigError(f"{source} has a value of the wrong type: {exc}") from None

    @classmethod
    def from_json_file(cls, path: str | Path) -> BertConfig:
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"no config.json in {path.parent}; is this a Hugging Face model folder?") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{path} is not readable JSON ({exc})") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{path} does not hold a JSON object")
        return cls.from_dict(raw, source=str(path))

    def to_hf_dict(self) -> dict[str, Any]:
        """What ``transformers`` expects in config.json for a ``BertForMaskedLM``."""
        return {
            "architectures": ["BertForMaskedLM"],
            "model_type": "bert",
            "position_embedding_type": "absolute",
            **asdict(self),
        }
