"""The interface's language: Qt translators installed before any widget exists, and View ▸ Language.

English is the source language; Simplified Chinese is in resources/i18n/bertviz_app_zh_CN.ts, compiled to a .qm
at build time (scripts/bootstrap.sh, packaging/build.sh, the wheel's hatch_build.py). Without a .qm the app
starts in English and says so in the log. Qt's own qtbase_<lang>.qm (it ships in PySide6/Qt/translations) is
installed too, so that standard dialogs and buttons speak the same language.

How to write a user-visible string in bertviz_app/ui/ (lupdate reads only plain literals, never an f-string):

- in a QObject/QWidget subclass: ``self.tr("Layer {layer}, head {head}").format(layer=l, head=h)`` — the whole
  sentence in one literal, with named ``{}`` fields filled in after translation;
- elsewhere (a function, a module-level helper): ``QCoreApplication.translate("Context", "text")``, the
  context a name of your choosing (usually the module's or class's name); never alias it as ``tr`` (lupdate
  would read ``tr(context, text)`` as a text with a comment);
- in Qt-free modules (ui/views.py's titles): ``QT_TRANSLATE_NOOP("Context", "text")``, an identity function
  (define it locally: lupdate knows it by name), and ``QCoreApplication.translate("Context", title)`` where shown;
- plurals: ``self.tr("%n head(s)", "", n)`` (Chinese has one form: translated "%n 个头").

``self.tr``'s context is the name of the class whose method contains the call (what lupdate writes into the .ts);
PySide6 6.11 finds it from a subclass's instance too (tests/test_i18n.py checks this).

After adding or changing strings: ``.venv/bin/python scripts/i18n.py update``, then fill in the Chinese of the new
ones (``scripts/i18n.py todo``, or edit resources/i18n/bertviz_app_zh_CN.ts); tests/test_i18n.py fails and names
every string that is missing or stale.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox

from bertviz_app.resources import resource_path

log = logging.getLogger(__name__)

ENGLISH = "en"
LANGUAGES = {ENGLISH: "English", "zh_CN": "简体中文"}  # each in its own language, as a language menu shows them

_installed: list[QTranslator] = []  # ours, installed now (removed when another language is installed)
_language = ENGLISH  # the language the interface is in


def system_language(locale: QLocale | None = None) -> str:
    """The language to start in when none is chosen: the first of the locale's interface languages (on Linux
    LANGUAGE, else LC_ALL / LC_MESSAGES / LANG) that the app speaks, any zh_* being Chinese; else English."""
    for name in (locale or QLocale.system()).uiLanguages():
        if name.startswith("zh"):
            return "zh_CN"
        if name.startswith("en"):
            return ENGLISH
    return ENGLISH


def resolve_language(requested: str | None, stored: str | None = None) -> str:
    """--lang beats View ▸ Language (stored in settings), which beats the system's locale."""
    for choice in (requested, stored):
        if choice:
            if choice not in LANGUAGES:
                raise ValueError(f"language {choice!r}: choose one of {', '.join(LANGUAGES)}")
            return choice
    return system_language()


def translations_file(language: str) -> Path | None:
    """The app's compiled translations for `language`, or None where they were not built."""
    try:
        return resource_path("i18n", f"bertviz_app_{language}.qm")
    except FileNotFoundError:
        return None


def _qt_translations_dirs() -> list[str]:
    dirs = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]
    try:
        import PySide6

        dirs.append(str(Path(PySide6.__file__).resolve().parent / "Qt" / "translations"))  # a frozen bundle
    except (ImportError, TypeError):
        pass
    return dirs


def install_translators(app, language: str) -> str:
    """Install the translators of `language` on `app` (replacing any installed before); call before any widget
    is built. Returns the language in effect: English where the app's .qm is missing (logged)."""
    global _language
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _language = ENGLISH
    if language == ENGLISH:
        return _language
    qm = translations_file(language)
    own = QTranslator(app)
    if qm is None or not own.load(str(qm)):
        log.warning(
            "no %s translation (%s not found or unreadable; `scripts/i18n.py build` makes it): the interface "
            "stays in English",
            language,
            qm or f"resources/i18n/bertviz_app_{language}.qm",
        )
        return _language
    app.installTranslator(own)
    _installed.append(own)
    source = qm.with_suffix(".ts")  # beside it in a checkout (and a wheel): a .qm older than it misses strings
    if source.is_file() and source.stat().st_mtime > qm.stat().st_mtime:
        log.warning("%s is older than %s: run `scripts/i18n.py build` (make run does)", qm.name, source.name)
    qt = QTranslator(app)
    if any(qt.load(f"qtbase_{language}", folder) for folder in _qt_translations_dirs()):
        app.installTranslator(qt)
        _installed.append(qt)
    else:
        log.info("Qt's own qtbase_%s.qm was not found: standard dialogs stay in English", language)
    _language = language
    return _language


def add_language_menu(window, menu) -> None:
    """View ▸ Language ▸ English (Ctrl+Shift+F1) / 简体中文 (Ctrl+Shift+F2): stored in the window's settings, used
    from the next start."""
    sub = menu.addMenu(QCoreApplication.translate("i18n", "&Language"))
    group = QActionGroup(sub)
    chosen = window.settings.language or _language
    for number, (code, name) in enumerate(LANGUAGES.items(), start=1):
        action = QAction(name, sub)
        action.setShortcut(QKeySequence(f"Ctrl+Shift+F{number}"))
        action.setCheckable(True)
        action.setChecked(code == chosen)
        action.setData("language")
        action.triggered.connect(lambda _=False, c=code: choose_language(window, c))
        group.addAction(action)
        sub.addAction(action)
    window.language_menu = sub


def choose_language(window, language: str) -> None:
    """View ▸ Language: remember the choice and say when it applies."""
    window.settings.language = language
    if language == _language:
        text = QCoreApplication.translate("i18n", "The interface stays in {language}.").format(
            language=LANGUAGES[language]
        )
    else:
        text = QCoreApplication.translate(
            "i18n", "The interface will be in {language} the next time you start {app}."
        ).format(language=LANGUAGES[language], app=QCoreApplication.applicationName() or "BERT Explorer")
    window.statusBar().showMessage(text, 8000)
    box = QMessageBox(
        QMessageBox.Icon.Information,
        QCoreApplication.translate("i18n", "Language"),
        text,
        QMessageBox.StandardButton.Ok,
        window,
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    window.language_box = box
