"""One call from a model name or folder to everything needed to run it."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from bertviz_app.engine import validation
from bertviz_app.engine.checkpoint import LoadReport, load_encoder, tokenizer_folder
from bertviz_app.engine.config import ModelConfig
from bertviz_app.engine.discovery import ModelInfo, resolve_model
from bertviz_app.engine.errors import TokenizerError
from bertviz_app.engine.model import EncoderModel
from bertviz_app.engine.tokenizer import BertTokenizer


@dataclass(frozen=True)
class LoadedModel:
    info: ModelInfo
    config: ModelConfig
    model: EncoderModel
    tokenizer: BertTokenizer
    report: LoadReport
    load_seconds: float

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def has_mlm_head(self) -> bool:
        return self.model.has_mlm_head

    @property
    def task(self) -> str:
        """The classification head's task, "sequence" or "token" ("" without one)."""
        return self.config.task if self.model.task_head is not None else ""

    @property
    def labels(self) -> tuple[str, ...]:
        return self.config.labels if self.task else ()

    @property
    def max_length(self) -> int:
        return self.tokenizer.max_length


def load_model(spec: str | os.PathLike | None = None) -> LoadedModel:
    """Load ``default``, a folder, or a cached model's name. Raises an EngineError subclass on any problem."""
    start = time.perf_counter()
    info = resolve_model(spec)
    return load_folder(Path(info.path), info, start)


def load_folder(folder: str | os.PathLike, info: ModelInfo | None = None, start: float | None = None) -> LoadedModel:
    start = time.perf_counter() if start is None else start
    folder = Path(folder)
    info = info or ModelInfo(str(folder), folder, "folder")
    config, model, report = load_encoder(folder)
    tokenizer = BertTokenizer.from_folder(tokenizer_folder(folder), max_length=config.max_tokens)
    if tokenizer.vocab_size > config.vocab_size:
        raise TokenizerError(
            f"the tokenizer has {tokenizer.vocab_size} tokens but the model only {config.vocab_size}; "
            "they do not belong together"
        )
    validation.check_tokenizer_fits(tokenizer.largest_id, tokenizer.max_length, config.vocab_size, tokenizer.source)
    return LoadedModel(info, config, model, tokenizer, report, time.perf_counter() - start)
