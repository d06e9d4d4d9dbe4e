"""Persistent preferences (QSettings), validated on read: a corrupt store means defaults, never a crash."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings

from bertviz_app.ui.colormaps import COLORMAPS, DEFAULT_COLORMAP

log = logging.getLogger(__name__)

DEFAULTS = {"model": "default", "top_k": 10, "colormap": DEFAULT_COLORMAP}
MAX_SENTENCE_CHARS = 100_000  # a remembered sentence longer than this is a damaged file, not a sentence


class Settings:
    def __init__(self, store: QSettings | None = None):
        self._store = store or QSettings(QSettings.IniFormat, QSettings.UserScope, "BERT Explorer", "bertviz-app")
        self.problem = ""
        if self._store.status() != QSettings.NoError:
            self.problem = f"the settings file {self._store.fileName()} is unreadable; using defaults"
            log.warning(self.problem)
            self._store.clear()  # start over: the next save writes a clean file

    def _get(self, key: str, kind, default, valid=lambda v: True):
        try:
            raw = self._store.value(key, default)
            value = kind(raw)
        except (TypeError, ValueError):
            log.warning("ignoring unreadable setting %s=%r", key, self._store.value(key))
            return default
        if not valid(value):
            log.warning("ignoring out-of-range setting %s=%r", key, value)
            return default
        return value

    @property
    def model(self) -> str:
        return self._get("model", str, DEFAULTS["model"], lambda v: bool(v.strip()))

    @model.setter
    def model(self, value: str) -> None:
        self._store.setValue("model", value)

    @property
    def device(self) -> str:
        """Model ▸ Device: "auto" (a GPU for big models), "cpu", "cuda", "mps", ..."""
        return self._get("device", str, "auto", lambda v: bool(v.strip()))

    @device.setter
    def device(self, value: str) -> None:
        self._store.setValue("device", value)

    @property
    def first_start(self) -> bool:
        """True until a model has been opened once (the window then stores it)."""
        return not self._store.contains("model")

    @property
    def top_k(self) -> int:
        return self._get("top_k", int, DEFAULTS["top_k"], lambda v: 1 <= v <= 50)

    @top_k.setter
    def top_k(self, value: int) -> None:
        self._store.setValue("top_k", int(value))

    @property
    def colormap(self) -> str:
        return self._get("colormap", str, DEFAULTS["colormap"], lambda v: v in COLORMAPS)

    @colormap.setter
    def colormap(self, value: str) -> None:
        self._store.setValue("colormap", value)

    @property
    def sentence(self) -> tuple[str, str | None] | None:
        """The sentence (and the pair's second one, or None) open when the app last closed; None the first time."""
        if not self._store.contains("sentence/text"):
            return None
        text = self._get("sentence/text", _plain_text, None, lambda v: len(v) <= MAX_SENTENCE_CHARS)
        if text is None:
            return None
        pair = self._get("sentence/pair", _plain_text, "", lambda v: len(v) <= MAX_SENTENCE_CHARS)
        return text, pair or None

    def set_sentence(self, text: str, pair: str | None) -> None:
        self._store.setValue("sentence/text", text[:MAX_SENTENCE_CHARS])
        self._store.setValue("sentence/pair", (pair or "")[:MAX_SENTENCE_CHARS])

    def layout(self, key: str) -> QByteArray | None:
        value = self._store.value(f"layout/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_layout(self, key: str, value: QByteArray) -> None:
        self._store.setValue(f"layout/{key}", value)

    def sync(self) -> None:
        self._store.sync()


def _plain_text(value) -> str:
    if not isinstance(value, str):  # e.g. a hand-edited "a, b", which QSettings reads as a list
        raise TypeError(f"not text: {value!r}")
    return value
