"""Translations (issue #17): every string the code marks has a finished Chinese translation, the compiled .qm is
found and loaded, the window in Chinese has no English menu left, and View ▸ Language stores the choice."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_build_script():
    spec = importlib.util.spec_from_file_location("i18n_build_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


i18n_build = _load_build_script()


def test_every_string_has_a_chinese_translation_and_the_ts_is_up_to_date():
    """lupdate over bertviz_app/ into a scratch copy of the committed .ts; fails naming each string that is new,
    gone, unfinished, or translated without its {fields}."""
    found = i18n_build.problems(i18n_build.ts_file("zh_CN"))
    assert not found, (
        "translations need work: run `.venv/bin/python scripts/i18n.py update`, then fill in the Chinese of "
        "the strings below (`scripts/i18n.py todo` lists them as TSV; `scripts/i18n.py fill FILE` writes them):\n"
        + "\n".join(found)
    )


def test_the_check_names_a_new_string_without_translation_and_a_lost_field(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "panel.py").write_text(
        "from PySide6.QtCore import QObject\n\n"
        "class Panel(QObject):\n"
        "    def title(self):\n"
        '        return self.tr("A string nobody has translated"), self.tr("Layer {layer}")\n'
    )
    ts = tmp_path / "bertviz_app_zh_CN.ts"
    i18n_build.update(ts, package)
    assert i18n_build.fill(ts, "Panel\tLayer {layer}\t层\n") == 1  # the field {layer} is lost
    i18n_build.update(ts, package)  # as `scripts/i18n.py fill` does: back to lupdate's layout
    found = "\n".join(i18n_build.problems(ts, package))
    assert "no translation: [Panel] 'A string nobody has translated'" in found
    assert "fields differ: [Panel] 'Layer {layer}'" in found
    assert "not up to date" not in found  # update() wrote it: not stale
    (package / "panel.py").write_text((package / "panel.py").read_text().replace("Layer {layer}", "Head {head}"))
    found = "\n".join(i18n_build.problems(ts, package))
    assert "not up to date" in found and "new in the code: [Panel] 'Head {head}'" in found


def test_plurals_take_chinese_one_form(qapp, tmp_path):
    """self.tr("%n head(s)", "", n): a numerus message; `fill` writes Chinese's one form, Qt puts n in."""
    from PySide6.QtCore import QTranslator

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "heads.py").write_text(
        "from PySide6.QtCore import QObject\n\n"
        "class Heads(QObject):\n"
        "    def count(self, n):\n"
        '        return self.tr("%n head(s) knocked out", "", n)\n'
    )
    ts, qm = tmp_path / "bertviz_app_zh_CN.ts", tmp_path / "heads.qm"
    i18n_build.update(ts, package)
    assert [m.numerus for m in i18n_build.messages(ts)] == [True]
    i18n_build.fill(ts, "Heads\t%n head(s) knocked out\t关闭了 %n 个头\n")
    i18n_build.update(ts, package)
    assert i18n_build.problems(ts, package) == []
    subprocess.run([str(i18n_build.qt_tool("lrelease")), "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    qapp.installTranslator(translator)
    try:
        sys.path.insert(0, str(package))
        import heads

        assert heads.Heads().count(3) == "关闭了 3 个头" and heads.Heads().count(1) == "关闭了 1 个头"
    finally:
        sys.path.remove(str(package))
        sys.modules.pop("heads", None)
        qapp.removeTranslator(translator)


@pytest.fixture(scope="session")
def built_translations(tmp_path_factory) -> Path:
    """The .qm files compiled by the command scripts/bootstrap.sh runs, into a bundle-like folder of their own
    (so the test does not depend on what this checkout has built)."""
    bundle = tmp_path_factory.mktemp("bundle")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "build", "--out", str(bundle / "resources" / "i18n")],
        check=True,
        capture_output=True,
    )
    return bundle


@pytest.fixture
def chinese(qapp, built_translations, monkeypatch):
    """The app's Chinese translators installed from `built_translations` (found as a frozen bundle's
    resources); English again afterwards."""
    from bertviz_app.ui import i18n

    monkeypatch.setattr(sys, "_MEIPASS", str(built_translations), raising=False)
    assert i18n.install_translators(qapp, "zh_CN") == "zh_CN"
    yield i18n
    i18n.install_translators(qapp, "en")


def test_setup_command_builds_a_qm_the_app_finds_and_loads(chinese, built_translations):
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QDialogButtonBox

    assert chinese.translations_file("zh_CN") == built_translations / "resources" / "i18n" / "bertviz_app_zh_CN.qm"
    assert QCoreApplication.translate("MainWindow", "&File") == "文件(&F)"
    assert QCoreApplication.translate("views", "&Attention") == "注意力(&A)"
    # Qt's own translations (qtbase_zh_CN.qm): standard buttons are Chinese too
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_a_qm_older_than_its_ts_is_used_and_logged(qapp, built_translations, tmp_path, monkeypatch, caplog):
    import shutil

    from bertviz_app.ui import i18n

    folder = tmp_path / "resources" / "i18n"
    folder.mkdir(parents=True)
    qm = shutil.copy(built_translations / "resources" / "i18n" / "bertviz_app_zh_CN.qm", folder)
    shutil.copy(i18n_build.ts_file("zh_CN"), folder)
    os.utime(qm, (1, 1))  # built long before the .ts changed
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    with caplog.at_level(logging.WARNING, logger="bertviz_app.ui.i18n"):
        assert i18n.install_translators(qapp, "zh_CN") == "zh_CN"
    i18n.install_translators(qapp, "en")
    assert "bertviz_app_zh_CN.qm is older than bertviz_app_zh_CN.ts" in caplog.text


def test_without_a_qm_the_app_starts_in_english_and_logs_why(qapp, monkeypatch, tmp_path, caplog):
    from PySide6.QtCore import QCoreApplication

    from bertviz_app import resources
    from bertviz_app.ui import i18n

    monkeypatch.setattr(resources, "resource_roots", lambda: [tmp_path])
    with caplog.at_level(logging.WARNING, logger="bertviz_app.ui.i18n"):
        assert i18n.install_translators(qapp, "zh_CN") == "en"
    assert "stays in English" in caplog.text and "scripts/i18n.py build" in caplog.text
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"


def test_subclass_instances_find_their_base_class_translations(qapp, tmp_path):
    """self.tr in a method of Base, called on an instance of a subclass: lupdate files the string under "Base";
    PySide6 6.11 finds it there (so panels may inherit translated methods without explicit contexts)."""
    from PySide6.QtCore import QTranslator

    source = tmp_path / "classes.py"
    source.write_text(
        "from PySide6.QtCore import QObject\n\n"
        "class Base(QObject):\n"
        "    def hello(self):\n"
        '        return self.tr("Hello")\n\n'
        "class Sub(Base):\n"
        "    def bye(self):\n"
        '        return self.tr("Bye")\n'
    )
    ts, qm = tmp_path / "classes.ts", tmp_path / "classes.qm"
    subprocess.run([str(i18n_build.qt_tool("lupdate")), "-silent", str(source), "-ts", str(ts)], check=True)
    assert {(m.context, m.source) for m in i18n_build.messages(ts)} == {("Base", "Hello"), ("Sub", "Bye")}
    i18n_build.fill(ts, "Base\tHello\t你好\nSub\tBye\t再见\n")
    subprocess.run([str(i18n_build.qt_tool("lrelease")), "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    qapp.installTranslator(translator)
    try:
        sys.path.insert(0, str(tmp_path))
        import classes

        assert (classes.Sub().hello(), classes.Sub().bye(), classes.Base().hello()) == ("你好", "再见", "你好")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("classes", None)
        qapp.removeTranslator(translator)


CJK = re.compile(r"[\u3400-\u9fff]")
# Words that stay as they are in a Chinese menu: names and acronyms (BERT, JSON, PNG, GPU, ...).
KEPT_WORDS = re.compile(r"\b(?:BERT Explorer|Hugging Face|Hub|[A-Z0-9]{2,})\b")
# Menu entries that are data, not interface: model names, devices, lessons (English-first), files, languages.
DATA_ENTRIES = {"cached-model", "device", "language", "lesson", "recent-workspace"}


def _menu_texts(menu, path=()):
    for action in menu.actions():
        if action.isSeparator() or not action.text():
            continue
        data = action.data()
        if isinstance(data, str) and data in DATA_ENTRIES:
            continue
        where = (*path, action.text())
        yield where
        if action.menu() is not None:
            yield from _menu_texts(action.menu(), where)


def test_main_window_in_chinese_has_no_english_menu_left(qtbot, chinese, tiny_model_dir, tmp_path):
    from conftest import open_window

    win, controller = open_window(qtbot, _copy(tiny_model_dir, tmp_path))
    try:
        bar_titles = [a.text() for a in win.menuBar().actions()]
        assert bar_titles[:4] == ["文件(&F)", "编辑(&E)", "视图(&V)", "模型(&M)"]
        for menu_action in win.menuBar().actions():
            menu_action.menu().aboutToShow.emit()  # what opening it does (the Model menu fills itself)
        english = []
        for menu_action in win.menuBar().actions():
            for where in _menu_texts(menu_action.menu(), (menu_action.text(),)):
                text = KEPT_WORDS.sub("", where[-1].replace("&", ""))
                if not CJK.search(where[-1]) or re.search(r"[A-Za-z]{2,}", text):
                    english.append(" ▸ ".join(where))
        assert not english, "menu entries still in English:\n" + "\n".join(english)
        assert win.tabs.tabText(0) == "注意力(&A)"
        assert win.model_label.text().endswith("2 层 × 4 头")
    finally:
        controller.shutdown()


def test_view_language_menu_stores_the_choice_and_says_it_applies_after_restart(qtbot, tiny_model_dir, tmp_path):
    from conftest import open_window
    from PySide6.QtWidgets import QMenu

    win, controller = open_window(qtbot, _copy(tiny_model_dir, tmp_path))
    try:
        view_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
        language = next(a.menu() for a in view_menu.actions() if a.text() == "&Language")
        assert isinstance(language, QMenu)
        entries = {a.text(): a for a in language.actions()}
        assert list(entries) == ["English", "简体中文"] and entries["English"].isChecked()
        entries["简体中文"].trigger()  # as clicking it does
        assert win.settings.language == "zh_CN" and entries["简体中文"].isChecked()
        message = win.language_box.text()
        assert "简体中文" in message and "next time you start" in message
        assert win.statusBar().currentMessage() == message
        win.language_box.close()
    finally:
        controller.shutdown()


def test_screenshot_window_speaks_the_language_asked_for(qapp, chinese, tiny_model_dir):
    """--lang zh_CN --screenshot: scratch_window installs the translators before building the window."""
    from bertviz_app.app import scratch_window

    with scratch_window(str(tiny_model_dir), "the cat sat on the [MASK] .", language="zh_CN") as (_a, win, _c, ok):
        assert ok and win.menuBar().actions()[0].text() == "文件(&F)"
        assert win.sentence.clear_masks.text() == "清除掩码"
    with scratch_window(str(tiny_model_dir), "the cat sat on the [MASK] .", language="en") as (_a, win, _c, ok):
        assert ok and win.menuBar().actions()[0].text() == "&File"


def test_language_comes_from_the_command_line_then_the_settings_then_the_system(monkeypatch):
    from PySide6.QtCore import QLocale

    from bertviz_app.cli import main
    from bertviz_app.ui import i18n

    assert i18n.system_language(QLocale("zh_TW")) == "zh_CN"
    assert i18n.system_language(QLocale("de_DE")) == "en"
    assert i18n.system_language(QLocale("C")) == "en"
    switched = subprocess.run(  # a desktop whose interface language is Chinese, its formats American
        [sys.executable, "-c", "from bertviz_app.ui.i18n import system_language; print(system_language())"],
        env={**os.environ, "LANGUAGE": "fr:zh_CN:en", "LANG": "en_US.UTF-8", "LC_ALL": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert switched.stdout.strip() == "zh_CN"
    monkeypatch.setattr(i18n, "system_language", lambda: "zh_CN")
    assert i18n.resolve_language(None, "") == "zh_CN"
    assert i18n.resolve_language(None, "en") == "en"
    assert i18n.resolve_language("zh_CN", "en") == "zh_CN"
    with pytest.raises(ValueError, match="choose one of en, zh_CN"):
        i18n.resolve_language("fr")
    assert main(["--lang", "fr", "--screenshot", "never.png"]) == 2


def _copy(folder: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(folder, tmp_path / "model"))
