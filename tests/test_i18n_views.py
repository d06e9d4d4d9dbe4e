"""The views' strings reach the translation (issue #17): lupdate reads only plain literals, so a tr() hidden in an
f-string, or an f-string given to tr(), would stay English on a Chinese screen; and a selector shown in Chinese
still stores its English key."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from test_i18n import built_translations, chinese  # noqa: F401  (the Chinese translators, installed)

UI = Path(__file__).resolve().parents[1] / "bertviz_app" / "ui"
TRANSLATING = {"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"}


def _name(call: ast.Call) -> str | None:
    """The translating function `call` calls, if it is one (str.translate(table) is not: Qt's takes a context and
    a text)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name not in TRANSLATING or (name == "translate" and len(call.args) < 2):
        return None
    return name


def unreadable_translations(source: str, filename: str = "<source>") -> list[str]:
    """Where `source` translates a text lupdate cannot read: a translating call inside an f-string's {…}, or one
    whose text is an f-string."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                for inner in ast.walk(part):
                    if isinstance(inner, ast.Call) and _name(inner):
                        found.append(f"{filename}:{inner.lineno}: {_name(inner)}() inside an f-string")
        elif isinstance(node, ast.Call) and _name(node) and any(isinstance(a, ast.JoinedStr) for a in node.args):
            found.append(f"{filename}:{node.lineno}: an f-string given to {_name(node)}()")
    return found


def test_every_translated_text_in_ui_is_a_literal_lupdate_can_read():
    found = [hit for path in sorted(UI.glob("*.py")) for hit in unreadable_translations(path.read_text(), path.name)]
    assert not found, 'lupdate cannot read these (use self.tr("… {name} …").format(name=…)):\n' + "\n".join(found)


def test_the_check_finds_both_mistakes():
    source = (
        'x = f"<b>{self.tr(\'masked\')}</b>"\ny = self.tr(f"Layer {n}")\nz = self.tr("Layer {n}").format(n=1)\n'
        'w = f"{str(3).translate(table)}"\n'
    )
    found = unreadable_translations(source)
    assert found == ["<source>:1: tr() inside an f-string", "<source>:2: an f-string given to tr()"]


# ---- in Chinese, in the window ---------------------------------------------------------------------------------

VIEW_CONTEXTS = {
    "AttentionPanel", "ColorMaps", "ComparePanel", "CorpusView", "EmbeddingPanel", "FillTable", "LayerHeadGrid",
    "HeadsPanel", "JointFillSection", "LayersPanel", "NeuronCanvas", "NeuronPanel", "PredictionBars",
    "PredictionsPanel", "ReplacedView", "ScoringPanel", "SurpriseChart",
}  # fmt: skip
VIEWS = ("attention", "embeddings", "layers", "heads", "neurons", "scoring", "compare", "replaced", "corpus")


def _shown_texts(widget) -> list[str]:
    """What `widget` and its children show in words: labels, buttons, combo items, spin-box prefixes, tooltips."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QSpinBox, QWidget

    texts = []
    for w in [widget, *widget.findChildren(QWidget)]:
        texts.append(w.toolTip())
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QSpinBox):
            texts.append(w.prefix())
        if isinstance(w, QAbstractSpinBox):
            texts.append(w.lineEdit().placeholderText())
    return [t for t in texts if t]


@pytest.fixture
def chinese_window(qtbot, request, tiny_model_dir, tmp_path):
    """The main window in Chinese with the tiny model and a sentence with two masks; (window, controller)."""
    from conftest import open_window
    from test_i18n import _copy

    request.getfixturevalue("chinese")
    win, controller = open_window(qtbot, _copy(tiny_model_dir, tmp_path))
    controller.set_text("the cat [MASK] on the [MASK] .", immediate=True)
    assert controller.wait_until_idle()
    yield win, controller
    controller.shutdown()


def test_every_view_shown_in_chinese_has_no_translated_english_left(qtbot, chinese_window):
    """Each tab, opened as a user opens it: no text it shows is the English of one of the views' translated strings
    (a context that differs at run time from the one lupdate filed it under, or a text set from a table without
    translating it, would show English here)."""
    from test_i18n import i18n_build

    win, controller = chinese_window
    english = {
        m.source
        for m in i18n_build.messages(i18n_build.ts_file("zh_CN"))
        if m.context in VIEW_CONTEXTS and m.translation and m.translation != m.source and "{" not in m.source
    }
    left = []
    for name in VIEWS:
        win.tabs.setCurrentIndex(win.tabs.indexOf(win.views[name]))  # what clicking its tab does
        qtbot.wait(10)
        assert controller.wait_until_idle()
        left += [f"{name}: {t!r}" for t in _shown_texts(win.views[name]) if t in english]
    left += [f"predictions: {t!r}" for t in _shown_texts(win.predictions) if t in english]
    assert not left, "still in English:\n" + "\n".join(left)


def test_selectors_show_chinese_and_keep_their_english_keys(qtbot, chinese_window):
    win, _controller = chinese_window
    combo = win.attention.colormap_combo
    combo.setCurrentIndex(combo.findText("灰度"))  # as picking it in the list does
    assert win.attention.colormap_name == "greys" and win.settings.colormap == "greys"
    assert [combo.itemText(i) for i in range(combo.count())][:2] == ["viridis", "inferno"]  # names stay names
    measures = win.attention.measure_combo
    measures.setCurrentIndex(measures.findText("注意力展开（Abnar & Zuidema）"))
    assert win.attention.measure == "rollout"
    scoring = win.views["scoring"]
    variants = [scoring.variant_combo.itemText(i) for i in range(scoring.variant_combo.count())]
    assert variants == ["逐词（PLL-word-l2r）", "原始 PLL（逐词元）"]
    assert scoring.variant_combo.itemData(0) == "word_l2r"
