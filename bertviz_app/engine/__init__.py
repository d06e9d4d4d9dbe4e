"""The encoder (every supported family) in plain torch: config, weights, tokenizer, discovery. No Qt here."""

from bertviz_app.engine.config import BertConfig, ModelConfig
from bertviz_app.engine.errors import (
    CheckpointError,
    ConfigError,
    EngineError,
    InputError,
    ModelNotFoundError,
    NoMLMHeadError,
    TokenizerError,
)
from bertviz_app.engine.loader import LoadedModel, load_folder, load_model
from bertviz_app.engine.model import BertModel, EncoderModel, EncoderOutput
from bertviz_app.engine.tokenizer import BertTokenizer, Encoding

__all__ = [
    "BertConfig",
    "BertModel",
    "BertTokenizer",
    "CheckpointError",
    "ConfigError",
    "EncoderModel",
    "EncoderOutput",
    "Encoding",
    "EngineError",
    "InputError",
    "LoadedModel",
    "ModelConfig",
    "ModelNotFoundError",
    "NoMLMHeadError",
    "TokenizerError",
    "load_folder",
    "load_model",
]
