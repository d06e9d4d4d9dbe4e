"""Errors the engine raises on purpose. Each carries a message written for the user."""

from __future__ import annotations

from pathlib import Path


class EngineError(Exception):
    """Base class: ``str(error)`` is a complete sentence a user can act on."""


class ConfigError(EngineError):
    """config.json is missing, unreadable or describes a model we cannot run."""


class CheckpointError(EngineError):
    """The weights cannot be loaded as they are. Names the file and, where one is to blame, the key."""

    def __init__(self, message: str, file: str | Path | None = None, key: str | None = None):
        self.file = str(file) if file is not None else None
        self.key = key
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if key:
            where.append(f"key {key!r}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)


class TokenizerError(EngineError):
    """No usable tokenizer files next to the model."""


class ModelNotFoundError(EngineError):
    """A model name or path that is neither a folder nor a known model."""


class InputError(EngineError):
    """The text given cannot be run through the model (e.g. it is empty)."""


class NoMLMHeadError(EngineError):
    """Predictions were asked of a model whose checkpoint has no masked-language-model head."""


class DownloadCancelled(EngineError):
    """A model download was stopped on request; nothing half-downloaded is left in the cache."""
