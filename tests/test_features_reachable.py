"""Every feature README.md's "What the app does" names can be reached from a menu, a button or a shortcut.

The README's list is parsed: a feature added there without a route here fails, and so does a route whose
README phrase is gone. Each route is looked up in the built window the way a user finds it: a menu entry by
its visible text (with a shortcut), a button, check box or list entry by its text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel

README = Path(__file__).resolve().parents[1] / "README.md"

# README feature (the bold name of its bullet) -> the routes that reach it: ("menu", menu, entry),
# ("button", text) for any button or check box, ("choice", text) for an entry of a drop-down list,
# ("status", object name) for a part of the status bar.
ROUTES = {
    "Sentence panel": [("menu", "Edit", "Edit the sentence"), ("menu", "Edit", "Toggle sentence pair")],
    "Predictions": [("menu", "View", "More predictions"), ("button", "Whole words only")],
    "Attention": [("menu", "View", "Attention"), ("button", "Mean over heads")],
    "Embeddings": [("menu", "View", "Embeddings"), ("choice", "One token through the layers")],
    "Layers": [("menu", "View", "Layers")],
    "Heads": [("menu", "View", "Heads"), ("button", "Compute head importance")],
    "Attention measures": [("choice", "Value-weighted (Kobayashi)"), ("choice", "Rollout (Abnar & Zuidema)")],
    "Neurons": [("menu", "View", "Neurons")],
    "Scoring": [("menu", "View", "Scoring"), ("button", "Minimal pair")],
    "Compare": [("menu", "View", "Compare")],
    "Replaced tokens": [("menu", "View", "Replaced tokens")],
    "Applications": [("menu", "View", "Applications")],
    "Fill together": [("button", "Beam search")],
    "Pretraining": [("menu", "View", "Pretraining"), ("button", "Train on this text"), ("button", "Reset")],
    "Model menu": [
        ("menu", "Model", "Default model"),
        ("menu", "Model", "Open folder…"),
        ("menu", "Model", "About this model"),
    ],
    "Get a model…": [("menu", "Model", "Get a model…")],
    "Device": [("menu", "Model", "Automatic (a GPU for models above 100M parameters)"), ("menu", "Model", "CPU")],
    "Export": [
        ("menu", "File", "Export predictions as JSON…"),
        ("menu", "File", "Export attention as CSV…"),
        ("menu", "File", "Export attention as NPZ…"),
        ("menu", "File", "Save window as PNG…"),
    ],
    "Status bar": [("status", "model"), ("status", "device")],
}


def readme_features() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## What the app does", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^- \*\*(.+?)\*\*", section, flags=re.M)


def plain(text: str) -> str:
    return text.replace("&", "").strip()


def menu_actions(window, title: str):
    menu = next(a.menu() for a in window.menuBar().actions() if plain(a.text()) == title)
    menu.aboutToShow.emit()  # menus that fill themselves when opened
    found = []
    for action in menu.actions():
        found.append(action)
        if action.menu() is not None:
            found.extend(action.menu().actions())
    return found


def reach(window, route) -> bool:
    kind, *what = route
    if kind == "menu":
        title, text = what
        action = next((a for a in menu_actions(window, title) if plain(a.text()) == text), None)
        return action is not None and action.isEnabled() and not action.shortcut().isEmpty()
    if kind == "button":
        return any(plain(b.text()) == what[0] for b in window.findChildren(QAbstractButton))
    if kind == "choice":  # list entries show "&" as it stands
        combos = window.findChildren(QComboBox)
        return any(combo.itemText(i) == what[0] for combo in combos for i in range(combo.count()))
    if kind == "status":
        label = getattr(window, f"{what[0]}_label", None)
        return isinstance(label, QLabel) and window.statusBar().isAncestorOf(label)
    raise ValueError(kind)


def test_the_readme_lists_features_and_every_one_has_a_route():
    features = readme_features()
    assert len(features) >= 10
    assert [f for f in features if f not in ROUTES] == []  # a new README feature needs its route here
    assert [f for f in ROUTES if f not in features] == []  # and a route for a feature the README dropped goes


@pytest.fixture
def window(qtbot, tiny_model_dir, tmp_path):
    from PySide6.QtCore import QSettings

    from bertviz_app.app import build_window
    from bertviz_app.ui.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    window, controller = build_window(str(tiny_model_dir), "the cat sat on the [MASK] .", settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert controller.wait_until_idle()
    yield window
    controller.shutdown()


@pytest.mark.parametrize("feature", sorted(ROUTES))
def test_every_readme_feature_is_reachable(window, feature):
    missing = [route for route in ROUTES[feature] if not reach(window, route)]
    assert missing == [], f"{feature}: no way to reach {missing}"


def test_every_menu_entry_has_a_shortcut(window):
    """The README says so ("Every menu action has a keyboard shortcut"); the cache's model list is the exception."""
    for top in window.menuBar().actions():
        for action in menu_actions(window, plain(top.text())):
            if action.isSeparator() or action.menu() is not None or action.data() == "cached-model":
                continue
            assert not action.shortcut().isEmpty(), f"{plain(top.text())} ▸ {plain(action.text())} has no shortcut"


def test_a_view_route_really_brings_its_view_to_the_front(window):
    action = next(a for a in menu_actions(window, "View") if plain(a.text()) == "Layers")
    action.trigger()
    assert window.tabs.tabText(window.tabs.currentIndex()).replace("&", "") == "Layers"
