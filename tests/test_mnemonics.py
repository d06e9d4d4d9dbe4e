"""Keyboard mnemonics (the underlined letters): in the window, Alt+letter reaches one thing — a menu, a tab or a
control on screen — never two (Qt then cycles between them on each press, and the Edit menu's Alt+E went to the
Embeddings tab); inside a menu, each letter picks one item. In English and in Chinese ("注意力(&A)")."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel
from test_i18n import built_translations, chinese  # noqa: F401  (the Chinese translators, installed)


def mnemonic(text: str) -> str | None:
    """The letter after a single & (a doubled && is a literal ampersand), lower case."""
    m = re.search(r"&([^&])", text.replace("&&", ""))
    return m.group(1).lower() if m else None


def window_level(win) -> dict[str, list[str]]:
    """Each Alt+letter of the window, with what it reaches: menu titles, tabs and the visible controls."""
    found = defaultdict(list)
    for action in win.menuBar().actions():
        found[mnemonic(action.text())].append(f"menu {action.text()!r}")
    bar = win.tabs.tabBar()
    for i in range(bar.count()):
        found[mnemonic(bar.tabText(i))].append(f"tab {bar.tabText(i)!r}")
    for widget in win.findChildren(QAbstractButton) + win.findChildren(QGroupBox) + win.findChildren(QLabel):
        if not widget.isVisible() or (isinstance(widget, QLabel) and widget.buddy() is None):
            continue
        text = widget.title() if isinstance(widget, QGroupBox) else widget.text()
        found[mnemonic(text)].append(f"{type(widget).__name__} {text!r}")
    found.pop(None, None)
    return found


def clashes(found: dict[str, list[str]]) -> dict[str, list[str]]:
    return {letter: where for letter, where in found.items() if len(where) > 1}


def menu_clashes(win) -> dict[str, dict[str, list[str]]]:
    out = {}
    for top in win.menuBar().actions():
        items = defaultdict(list)
        for action in top.menu().actions():
            if action.isVisible() and mnemonic(action.text()):
                items[mnemonic(action.text())].append(action.text())
        if clashes(items):
            out[top.text()] = clashes(items)
    return out


@pytest.fixture
def window(qtbot, model_dir):
    from conftest import open_window

    win, controller = open_window(qtbot, model_dir)
    yield win, controller
    controller.shutdown()


def check_every_tab(win) -> None:
    for i in range(win.tabs.count()):
        win.tabs.setCurrentIndex(i)
        QApplication.processEvents()
        assert clashes(window_level(win)) == {}, f"with {win.tabs.tabText(i)!r} in front"
    assert menu_clashes(win) == {}


def test_every_mnemonic_reaches_one_thing(qtbot, window):
    win, _controller = window
    check_every_tab(win)


def test_every_mnemonic_reaches_one_thing_in_chinese(qtbot, request, tiny_model_dir, tmp_path):
    from conftest import open_window
    from test_i18n import _copy

    request.getfixturevalue("chinese")
    win, controller = open_window(qtbot, _copy(tiny_model_dir, tmp_path))
    assert win.tabs.tabText(win.tabs.indexOf(win.views["applications"])) == "应用(&I)"
    check_every_tab(win)
    controller.shutdown()


@pytest.mark.parametrize(
    ("key", "view"),
    [(Qt.Key.Key_A, "attention"), (Qt.Key.Key_I, "applications"), (Qt.Key.Key_O, "corpus"), (Qt.Key.Key_T, "pretrain")],
)
def test_alt_and_a_letter_brings_its_view_to_the_front(qtbot, window, key, view):
    """Typed as a user types it, with the focus in the sentence: the letters that were shared before."""
    win, _controller = window
    win.show_view("scoring")
    win.sentence.text_a.setFocus()
    qtbot.keyClick(win.sentence.text_a, key, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: win.tabs.currentWidget() is win.views[view])


def test_the_check_finds_a_clash(qtbot, window):
    win, _controller = window
    win.sentence.pair_toggle.setText("Sentence p&air")  # Alt+A: also the Attention tab
    found = clashes(window_level(win))
    assert set(found) == {"a"} and len(found["a"]) == 2
