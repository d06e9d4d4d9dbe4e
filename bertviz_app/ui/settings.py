"""Persistent preferences (QSettings), validated on read: a corrupt store means defaults, never a crash."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QTimer

from bertviz_app.ui.colormaps import COLORMAPS, DEFAULT_COLORMAP
from bertviz_app.ui.i18n import LANGUAGES

log = logging.getLogger(__name__)

DEFAULTS = {"model": "default", "top_k": 10, "colormap": DEFAULT_COLORMAP}
AUTOSAVE_MS = 500  # after a change; typing restarts the wait, so a sentence is written once it rests
MAX_SENTENCE_CHARS = 100_000  # a remembered sentence longer than this is a damaged file, not a sentence


class Settings:
    def __init__(self, store: QSettings | None = None):
        self._store = store or QSettings(QSettings.IniFormat, QSettings.UserScope, "BERT Explorer", "bertviz-app")
        self._unreadable = self._store.status() != QSettings.NoError
        if self._unreadable:
            log.warning("the settings file %s is unreadable; using defaults", self._store.fileName())
            self._store.clear()  # start over: the next save writes a clean file
        # Every change is written shortly after it is made, so a crash loses nothing (not only a clean close).
        self._autosave: QTimer | None = None  # made on first use: it needs the application object
        self.on_write_problem: Callable[[str], None] | None = None  # how the app shows it (once)
        self._write_problem_reported = False

    @property
    def problem(self) -> str:
        """What was wrong with the settings file when it was read ("": nothing), in the interface's language (the
        settings are read before the translators are installed: they hold the language)."""
        if not self._unreadable:
            return ""
        message = QCoreApplication.translate("Settings", "the settings file {file} is unreadable; using defaults")
        return message.format(file=self._store.fileName())

    def _set(self, key: str, value) -> None:
        self._store.setValue(key, value)
        self.save_soon()

    def save_soon(self) -> None:
        """Write the changes to disk AUTOSAVE_MS from now (later changes join the same write)."""
        if self._autosave is None:
            self._autosave = QTimer()
            self._autosave.setSingleShot(True)
            self._autosave.setInterval(AUTOSAVE_MS)
            self._autosave.timeout.connect(self.sync)
        self._autosave.start()

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
        self._set("model", value)

    @property
    def device(self) -> str:
        """Model ▸ Device: "auto" (a GPU for big models), "cpu", "cuda", "mps", ..."""
        return self._get("device", str, "auto", lambda v: bool(v.strip()))

    @device.setter
    def device(self, value: str) -> None:
        self._set("device", value)

    @property
    def language(self) -> str:
        """View ▸ Language: "en", "zh_CN", or "" (not chosen: the system's locale decides)."""
        return self._get("language", str, "", lambda v: v in ("", *LANGUAGES))

    @language.setter
    def language(self, value: str) -> None:
        self._set("language", value)

    @property
    def first_start(self) -> bool:
        """True until a model has been opened once (the window then stores it)."""
        return not self._store.contains("model")

    @property
    def top_k(self) -> int:
        return self._get("top_k", int, DEFAULTS["top_k"], lambda v: 1 <= v <= 50)

    @top_k.setter
    def top_k(self, value: int) -> None:
        self._set("top_k", int(value))

    @property
    def colormap(self) -> str:
        return self._get("colormap", str, DEFAULTS["colormap"], lambda v: v in COLORMAPS)

    @colormap.setter
    def colormap(self, value: str) -> None:
        self._set("colormap", value)

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
        self._set("sentence/text", text[:MAX_SENTENCE_CHARS])
        self._set("sentence/pair", (pair or "")[:MAX_SENTENCE_CHARS])

    def layout(self, key: str) -> QByteArray | None:
        value = self._store.value(f"layout/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_layout(self, key: str, value: QByteArray) -> None:
        self._set(f"layout/{key}", value)

    def recent_workspaces(self) -> list[str]:
        """Workspace files opened or saved lately, newest first (File ▸ Recent workspaces)."""
        value = self._store.value("workspaces/recent", [])
        value = [value] if isinstance(value, str) else value
        return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []

    def set_recent_workspaces(self, paths: list[str]) -> None:
        self._store.setValue("workspaces/recent", list(paths))

    def sync(self) -> None:
        """Write now. A location that cannot be written is reported once (`on_write_problem`), then only logged."""
        if self._autosave is not None:
            self._autosave.stop()
        self._store.sync()
        if self._store.status() == QSettings.AccessError and not self._write_problem_reported:
            self._write_problem_reported = True
            log.warning(
                "the settings cannot be saved in %s; changes last until you close the app", self._store.fileName()
            )
            message = QCoreApplication.translate(
                "Settings", "the settings cannot be saved in {file}; changes last until you close the app"
            ).format(file=self._store.fileName())
            if self.on_write_problem is not None:
                self.on_write_problem(message)


def _plain_text(value) -> str:
    if not isinstance(value, str):  # e.g. a hand-edited "a, b", which QSettings reads as a list
        raise TypeError(f"not text: {value!r}")
    return value
