"""The BERT model in plain torch: config, weights, tokenizer, discovery. No Qt here."""

from bertviz_app.engine.config import BertConfig
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
from bertviz_app.engine.model import BertModel, EncoderOutput
from bertviz_app.engine.tokenizer import BertTokenizer, Encoding

__all__ = [
    "BertConfig",
    "BertModel",
    "BertTokenizer",
    "CheckpointError",
    "ConfigError",
    "EncoderOutput",
    "Encoding",
    "EngineError",
    "InputError",
    "LoadedModel",
    "ModelNotFoundError",
    "NoMLMHeadError",
    "TokenizerError",
    "load_folder",
    "load_model",
]
